"""End-to-end colorize time (file bytes -> decode -> network -> PNG bytes), core vs Keras on the
same weights, interleaved in one run; medians.

    .venv/bin/python bench/colorize_speed.py [--reps 9]

Images: a 512x512 and a 1024x768 JPEG made from scikit-image's sample photos.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from demos.colorize.pipeline import colorize_image, load_model  # noqa: E402
from demos.colorize.samples import sample_path  # noqa: E402
from demos.media import read_image, to_png_bytes  # noqa: E402


def jpeg_of(label: str, size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.open(sample_path(label)).convert("RGB").resize(size, Image.BICUBIC).save(buf, format="JPEG", quality=92)
    return buf.getvalue()


def keras_forward():
    """The Keras colorizer with the committed weights (the very arrays core runs)."""
    from training.export import keras_of

    model = keras_of(load_model()[0])
    return lambda x: model(x, training=False).numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    engines = {"core": None, "keras": keras_forward()}
    print(f"{'image':<10} {'core s':>8} {'keras s':>8} {'core/keras':>11}  (median of {args.reps}, end to end: decode, network, PNG)")
    for label, size in (("Cat", (512, 512)), ("Motorbike", (1024, 768))):
        data = jpeg_of(label, size)
        times: dict[str, list[float]] = {k: [] for k in engines}
        for rep in range(args.reps + 1):
            for k, fwd in engines.items():
                t = time.perf_counter()
                to_png_bytes(colorize_image(read_image(data, "x.jpg"), forward=fwd))
                if rep:  # the first round warms up
                    times[k].append(time.perf_counter() - t)
        c, k = np.median(times["core"]), np.median(times["keras"])
        print(f"{size[0]}x{size[1]:<6} {c:>8.3f} {k:>8.3f} {c / k:>11.2f}")


if __name__ == "__main__":
    main()
