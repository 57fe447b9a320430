"""Median latency of our NumPy engine (core/) vs Keras on the same weights, measured in one run.

    .venv/bin/python bench/core_vs_keras.py [--reps 15]

Two representative models: an image model (conv encoder-decoder with BatchNorm, 256x256 RGB in)
and an audio model (Conv1D stack over 10 s of 10 ms log-mel frames). Calls are interleaved
(core, model(x), predict, core, ...) so machine noise hits all three alike; ratios > 1 mean
core is slower.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def image_model():
    import keras
    from keras import layers

    def block(x, ch, stride=1, dilation=1):
        x = layers.Conv2D(ch, 3, strides=stride, dilation_rate=dilation, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x)

    inp = keras.Input((256, 256, 3))
    x = block(inp, 32)
    x = block(x, 64, stride=2)
    s = block(x, 64)
    x = block(s, 128, stride=2)
    x = block(x, 128, dilation=2)
    x = block(x, 128, dilation=2)
    x = layers.UpSampling2D(2)(x)
    x = layers.Concatenate()([x, s])
    x = block(x, 64)
    return keras.Model(inp, layers.Conv2D(3, 1, activation="sigmoid")(x), name="image")


def audio_model():
    import keras
    from keras import layers

    inp = keras.Input((1000, 80))
    x = layers.Conv1D(256, 5, strides=2, padding="same", activation="relu")(inp)
    for _ in range(4):
        y = layers.Conv1D(256, 5, padding="same", use_bias=False)(x)
        y = layers.BatchNormalization()(y)
        x = layers.Add()([x, layers.ReLU()(y)])
    return keras.Model(inp, layers.Conv1D(29, 1, activation="softmax")(x), name="audio")


def randomize_bn(model, rng) -> None:
    from keras import layers

    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            g, b, m, v = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, g.shape), rng.normal(0, 0.1, b.shape), rng.normal(0, 0.1, m.shape), rng.uniform(0.5, 2, v.shape)])


def bench(model, x: np.ndarray, reps: int) -> dict[str, float]:
    from training.export import to_network

    net = to_network(model)
    err = float(np.abs(net.forward(x) - np.asarray(model(x))).max())
    fns = {"core": lambda: net.forward(x), "keras model(x)": lambda: model(x), "keras predict": lambda: model.predict(x, verbose=0)}
    for f in fns.values():  # warm-up (graph tracing, allocations)
        f()
        f()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    out = {k: float(np.median(v)) for k, v in times.items()}
    out["max_abs_err"] = err
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'model':<8} {'params':>9} {'core ms':>9} {'model(x) ms':>12} {'predict ms':>11} {'core/model(x)':>14} {'core/predict':>13} {'max|err|':>9}")
    for build, shape in ((image_model, (1, 256, 256, 3)), (audio_model, (1, 1000, 80))):
        model = build()
        randomize_bn(model, rng)
        x = rng.normal(size=shape).astype(np.float32)
        r = bench(model, x, args.reps)
        print(f"{model.name:<8} {model.count_params():>9,} {r['core'] * 1e3:>9.1f} {r['keras model(x)'] * 1e3:>12.1f} {r['keras predict'] * 1e3:>11.1f} "
              f"{r['core'] / r['keras model(x)']:>14.2f} {r['core'] / r['keras predict']:>13.2f} {r['max_abs_err']:>9.1e}")


if __name__ == "__main__":
    main()
