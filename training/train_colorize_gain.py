"""Fit the colorizer's chroma gain head: "when unsure, say less", learned on photos it never saw.

    python -m training.colorize_sources --mirror-root /work/.mirror --calibration 250   # the photos
    python -m training.train_colorize_gain [--out /tmp/candidate]   # -> weights/colorize + a gain head

The decode's annealed mean at T = 0.35 paints the colour the network finds most likely at full
strength. Where that guess is often wrong (a white wall painted sky-blue, a grey lake turned
green), full strength is worse than grey. The gain head learns, from the network's own features
at each position (the features the ab logits are made from, and the logits), the factor g in (0, GAIN_MAX) that brings
the annealed mean closest to the truth: g minimises |g * ab_T - ab|^2 over the calibration photos.
It is two 1x1 convolutions (a weighted sum per position, ReLU, a weighted sum, sigmoid), appended
to the committed network, whose own layers are frozen; its output becomes one more channel of
the network's last layer, read by demos/colorize/pipeline.py.

Why a separate set: the backbone's guesses on photos it trained on are better than on new ones,
so a head fitted there would trust it too much. The calibration photos are the next photos of
each source of training/colorize_sources.py after its training ones (never trained on), kept
outside the repository; never the validation splits or the monitor set, on which the decode's
other settings are then chosen (training/tune_colorize_decode.py).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from training.colorize_sources import CALIBRATION

# ---- config -------------------------------------------------------------------------------
T0 = 0.35  # the decode temperature the gain is fitted at (the card's default)
SAMPLES = 400  # positions drawn per photo: every photo weighs the same, as in the per-photo benchmark
HIDDEN = 32
GAIN_MAX = 2.0  # g = GAIN_MAX * sigmoid(.): may also say "more" where the annealed mean is too timid
EPOCHS = 40
LR = 3e-3
HELD_OUT = 0.1  # share of calibration photos kept out of the fit, to report its loss honestly
SEED = 0
WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "colorize"
# --------------------------------------------------------------------------------------------


def photo_samples(path: Path, rng: np.random.Generator, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, annealed-mean ab at T0, true ab) at SAMPLES random positions of one photo, as
    the app sees it (whole photo at the network's size, through core)."""
    from demos.colorize import pipeline
    from demos.colorize.color import rgb_to_lab
    from demos.media import read_image

    rgb = read_image(path)
    res = pipeline.run_network(rgb, trace=True)
    h, w = res.logits.shape[:2]
    dec1 = res.trace[features_layer(pipeline.load_model()[0])][0, :h, :w]
    # The truth at the logits' grid: each position's mean ab over the pixels it stands for.
    ab = rgb_to_lab(rgb)[..., 1:]
    ab = np.stack([np.asarray(Image.fromarray(ab[..., i], mode="F").resize((w, h), Image.BOX)) for i in range(2)], -1)
    idx = rng.choice(h * w, min(SAMPLES, h * w), replace=False)
    feats = np.concatenate([dec1, res.logits], -1).reshape(h * w, -1)[idx]
    a = pipeline.softmax(res.logits, T0).reshape(h * w, -1)[idx] @ centres
    return feats.astype(np.float32), a.astype(np.float32), ab.reshape(h * w, 2)[idx].astype(np.float32)


def build_head(n_in: int):
    """Keras: features -> Dense(HIDDEN, relu) -> Dense(1, sigmoid) * GAIN_MAX = g; outputs g * ab_T."""
    import keras
    from keras import layers

    x = keras.Input((n_in,), name="features")
    a = keras.Input((2,), name="ab_T")
    hid = layers.Dense(HIDDEN, activation="relu", name="gain_hidden")(x)
    g = layers.Dense(1, activation="sigmoid", name="gain", bias_initializer="zeros")(hid)  # g = 1 at the start
    out = layers.Lambda(lambda t: GAIN_MAX * t[0] * t[1], name="scaled")([g, a])
    return keras.Model([x, a], out)


def features_layer(net) -> str:
    """The layer the ab logits are computed from (dec1 in the model trained from scratch, dec4 with the ImageNet encoder)."""
    return net.layers[-1].inputs[0]


def attach(head, mean: np.ndarray, std: np.ndarray, base: Path, out: Path, record: dict) -> None:
    """Append the fitted head to the committed network (1x1 convs, standardisation folded into the
    first) and write `out`.npz + .json."""
    from core import layers as L
    from core import weights
    from core.network import Network

    net, card = weights.load(base)
    if any(layer.name == "gain" for layer in net.layers):
        raise SystemExit(f"{base} already has a gain head: start from weights without one")
    w1, b1 = head.get_layer("gain_hidden").get_weights()
    w2, b2 = head.get_layer("gain").get_weights()
    w1f = w1 / std[:, None]  # (x - mean) / std . w1 = x . (w1 / std) - mean / std . w1
    b1f = b1 - (mean / std) @ w1
    n_bins = net.layers[-1].params["kernel"].shape[-1]
    layers = net.layers + [
        L.Concatenate("gain_in", inputs=[features_layer(net), net.layers[-1].name]),
        L.Conv2D("gain_hidden", w1f[None, None].astype(np.float32), b1f.astype(np.float32), activation="relu", inputs=["gain_in"]),
        L.Conv2D("gain", w2[None, None].astype(np.float32), b2.astype(np.float32), activation="sigmoid", inputs=["gain_hidden"]),
        L.Concatenate("colour_and_gain", inputs=[net.layers[-1].name, "gain"]),
    ]
    net = Network(layers, net.input_name, net.input_shape)
    card = {k: v for k, v in card.items() if k not in ("architecture", "parameters", "storage_dtype", "npz_sha256")}
    card["preprocessing"]["gain_head"] = {"channel": n_bins, "max": GAIN_MAX, "fitted_at_temperature": T0}
    card["training"]["gain_head"] = record
    weights.save(net, out, card, dtype="float16")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibration", type=Path, default=CALIBRATION, help="photos never trained on")
    ap.add_argument("--base", type=Path, default=WEIGHTS, help="weights stem without a gain head")
    ap.add_argument("--out", type=Path, default=WEIGHTS, help="weights stem to write")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    args = ap.parse_args()

    from demos.colorize import pipeline

    pipeline.use_weights(args.base)
    _, card = pipeline.load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    paths = sorted(p for p in args.calibration.rglob("*.jpg"))
    if not paths:
        raise SystemExit(f"no photos under {args.calibration}: build them with training.colorize_sources --calibration")
    rng = np.random.default_rng(SEED)
    t0 = time.time()
    samples = []
    for i, p in enumerate(paths):
        samples.append(photo_samples(p, rng, centres))
        if (i + 1) % 200 == 0:
            print(f"{i + 1}/{len(paths)} photos through the network, {time.time() - t0:.0f}s", flush=True)
    held = rng.random(len(paths)) < HELD_OUT
    X, A, Y = (np.concatenate([s[k] for s, h in zip(samples, held, strict=True) if not h]) for k in range(3))
    Xh, Ah, Yh = (np.concatenate([s[k] for s, h in zip(samples, held, strict=True) if h]) for k in range(3))
    mean, std = X.mean(0), X.std(0) + 1e-3

    import keras

    keras.utils.set_random_seed(SEED)
    head = build_head(X.shape[1])
    head.compile(optimizer=keras.optimizers.Adam(LR), loss="mse")
    hist = head.fit([(X - mean) / std, A], Y, validation_data=([(Xh - mean) / std, Ah], Yh), batch_size=4096,
                    epochs=args.epochs, verbose=2)

    def mse(pred: np.ndarray, y: np.ndarray) -> float:
        return float(((pred - y) ** 2).mean())

    g_const = float((Ah * Yh).sum() / (Ah * Ah).sum())  # the best single factor, fitted on the held-out photos themselves
    fitted = head.predict([(Xh - mean) / std, Ah], batch_size=8192, verbose=0)
    record = {
        "script": "training/train_colorize_gain.py",
        "data": f"{len(paths)} calibration photos of training/colorize_sources.py (--calibration: the photos of each "
                "source after its training ones, never trained on), kept outside the repository",
        "fitted_on_photos": int((~held).sum()),
        "held_out_photos": int(held.sum()),
        "positions_per_photo": SAMPLES,
        "inputs": "the layer the ab logits are made from and the ab logits at each position, standardised (folded into gain_hidden)",
        "loss": f"mean squared ab error of g x the annealed mean at T={T0}",
        "epochs": args.epochs,
        "minutes": round((time.time() - t0) / 60, 1),
        "held_out_mse_ab": {"g=1 (no head)": round(mse(Ah, Yh), 1), "grey (g=0)": round(mse(0 * Ah, Yh), 1),
                            f"best constant g={g_const:.2f}": round(mse(g_const * Ah, Yh), 1),
                            "gain head": round(mse(fitted, Yh), 1)},
        "final_val_loss": round(float(hist.history["val_loss"][-1]), 2),
    }
    print(json.dumps(record, indent=2))
    attach(head, mean, std, args.base, args.out, record)
    print(f"wrote {args.out}.npz / .json")


if __name__ == "__main__":
    main()
