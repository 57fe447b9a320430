"""Compare colorize weights at matched colour, on every photo none of them trained on.

    python -m training.compare_colorize weights/colorize /tmp/cand:1.6,1.8,2.0,2.2 [--at 0.60 0.66] [--set cast=0.35]

A bolder model puts more photos below grey, so comparing two models at one decode says little. Here
each model decodes every photo at several chroma factors (`STEM:c1,c2,...`; default 0.9-1.2), with the
committed card's other decode settings, and the share of photos worse than grey by more than 1 dB and
the mean gain are interpolated to the same colourfulness ratio (`--at`). The photos: the 82 monitor
photos and all calibration photos (training/colorize_sources.py --calibration; 1,832 in all), never
trained on and not validation. Per-photo scores are cached in `--cache`, so a model is scored once.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from demos.colorize import pipeline
from demos.colorize.quality import colourfulness, grey_of, psnr, quantise
from demos.media import read_image
from training.colorize_data import image_paths
from training.tune_colorize_decode import calibration_photos

DEFAULT_CHROMA = (0.9, 1.0, 1.1, 1.2)


def photos() -> list[Path]:
    """The monitor photos and every calibration photo."""
    return image_paths()[1] + calibration_photos(10_000)


def score(stem: str, chroma: list[float], files: list[Path], temperature: float, decode: dict) -> dict[str, np.ndarray]:
    """Per photo and chroma factor: gain over grey (dB) and colourfulness; and each photo's true colourfulness."""
    pipeline.use_weights(stem)
    gain, colour, truth_c = np.zeros((len(files), len(chroma))), np.zeros((len(files), len(chroma))), np.zeros(len(files))
    for i, p in enumerate(files):
        truth = read_image(p)
        grey_db, truth_c[i] = psnr(grey_of(truth), truth), colourfulness(truth)
        res = pipeline.run_network(truth)
        for j, c in enumerate(chroma):
            out = quantise(pipeline.to_rgb(res, temperature, {**decode, "chroma": c}))
            gain[i, j], colour[i, j] = psnr(out, truth) - grey_db, colourfulness(out)
        print(f"\r{stem}: {i + 1}/{len(files)}", end="", flush=True)
    print()
    return {"gain": gain, "colour": colour, "truth": truth_c}


def at_colour(s: dict[str, np.ndarray], target: float) -> tuple[float, float]:
    """(share of photos worse than grey by 1 dB, mean gain) at colourfulness ratio `target`, interpolated
    between the chroma factors (held at the nearest end outside them)."""
    ratio = s["colour"].mean(axis=0) / s["truth"].mean()
    order = np.argsort(ratio)
    worse, gain = (s["gain"] < -1).mean(axis=0), s["gain"].mean(axis=0)
    return float(np.interp(target, ratio[order], worse[order])), float(np.interp(target, ratio[order], gain[order]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", help="weights stems, each optionally with :chroma,chroma,...")
    ap.add_argument("--at", type=float, nargs="+", default=[0.60, 0.66], help="colourfulness ratios to compare at")
    ap.add_argument("--temperature", type=float, default=None, help="default: the committed card's")
    ap.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                    help="decode settings to change from the card's (e.g. cast=0.35 bold_max=1.5)")
    ap.add_argument("--cache", type=Path, default=Path("training/runs/compare_colorize"), help="per-photo scores")
    args = ap.parse_args()
    card = pipeline.load_model()[1]["preprocessing"]
    t = card["default_temperature"] if args.temperature is None else args.temperature
    decode = {**card.get("decode", {}), **{k: float(v) for k, v in (kv.split("=", 1) for kv in args.set)}}
    files = photos()
    print(f"{len(files)} photos; T {t}; decode {decode} with chroma varied")
    args.cache.mkdir(parents=True, exist_ok=True)
    for model in args.models:
        stem, _, chroma_text = model.partition(":")
        chroma = [float(c) for c in chroma_text.split(",")] if chroma_text else list(DEFAULT_CHROMA)
        npz = Path(stem).with_suffix(".npz")
        key = hashlib.sha256(npz.read_bytes() + repr((chroma, t, sorted(decode.items()), len(files))).encode()).hexdigest()[:16]
        cached = args.cache / f"{key}.npz"
        if not cached.exists():
            np.savez(cached, **score(stem, chroma, files, t, decode))
        s = dict(np.load(cached))
        ratio = s["colour"].mean(axis=0) / s["truth"].mean()
        line = "; ".join(f"at {a:.2f}x {w:.1%} below grey, {g:+.2f} dB" for a, (w, g) in ((a, at_colour(s, a)) for a in args.at))
        print(f"{stem}: colour {ratio.min():.2f}-{ratio.max():.2f}x over chroma {chroma[0]}-{chroma[-1]}; {line}")
        for c, r, w, g in zip(chroma, ratio, (s["gain"] < -1).mean(axis=0), s["gain"].mean(axis=0), strict=True):
            print(f"    chroma {c}: colour {r:.3f}x, {w:.1%} below grey by 1 dB, {g:+.2f} dB")


if __name__ == "__main__":
    main()
