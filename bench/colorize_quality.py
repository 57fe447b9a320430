"""Colorizer quality on the validation split (bsds500/test, 200 images), beside the grey baseline
(a = b = 0) and the ground truth, in one run.

    .venv/bin/python bench/colorize_quality.py [--temperatures 0.3 0.4 0.6 1.0] [--split test|monitor] [--write-card]

Figures (means over images): PSNR of the 8-bit RGB output against the original; AuC of the
per-pixel ab error over thresholds 0..150 (Zhang et al. 2016; 1 = perfect); colourfulness
(Hasler & Suesstrunk 2003) and its ratio to the ground truth's. Grey scores well on PSNR,
which is why colourfulness stands beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.colorize.color import lab_to_rgb, rgb_to_lab  # noqa: E402
from demos.colorize.pipeline import WEIGHTS, run_network, to_rgb  # noqa: E402
from demos.media import read_image  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "images"
THRESHOLDS = np.arange(0, 151)


def quantise(rgb: np.ndarray) -> np.ndarray:
    """What a PNG would hold: 8-bit."""
    return np.round(np.clip(rgb, 0, 1) * 255) / 255


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / max(np.mean((a - b) ** 2), 1e-12)))


def ab_auc(a: np.ndarray, b: np.ndarray) -> float:
    """Area under the curve of 'fraction of pixels with ab error <= t', t = 0..150, scaled to 0..1."""
    err = np.linalg.norm(rgb_to_lab(a)[..., 1:] - rgb_to_lab(b)[..., 1:], axis=-1).ravel()
    return float(np.mean(np.searchsorted(np.sort(err), THRESHOLDS, side="right") / err.size))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk 2003, on 0..255 RGB."""
    r, g, b = (rgb * 255).transpose(2, 0, 1)
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def paths(split: str) -> list[Path]:
    if split == "test":
        return sorted((DATA / "bsds500" / "test").glob("*.jpg"))
    return sorted((DATA / "bsds500" / "val").glob("*.jpg"))[:30]  # the training monitor set


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--temperatures", type=float, nargs="+", default=[0.3, 0.38, 0.5, 0.7, 1.0])
    ap.add_argument("--split", choices=["test", "monitor"], default="test")
    ap.add_argument("--limit", type=int, default=0, help="only the first N images (0 = all)")
    ap.add_argument("--write-card", action="store_true", help="store the figures at the card's default T in weights/colorize.json")
    ap.add_argument("--save-dir", type=Path, help="write each result (default T) as PNG here, to look at")
    args = ap.parse_args()

    card = json.loads(WEIGHTS.with_suffix(".json").read_text())
    t_default = card["preprocessing"]["default_temperature"]
    temps = sorted(set(args.temperatures) | {t_default})
    files = paths(args.split)[: args.limit or None]
    rows: dict[str, list[tuple[float, float, float]]] = {"truth": [], "grey": [], **{f"ours T={t}": [] for t in temps}}
    net_s = []
    for i, p in enumerate(files):
        truth = read_image(p)
        lab = rgb_to_lab(truth)
        grey = quantise(lab_to_rgb(np.concatenate([lab[..., :1], np.zeros_like(lab[..., 1:])], -1)))
        t0 = time.perf_counter()
        res = run_network(truth)
        net_s.append(time.perf_counter() - t0)
        rows["truth"].append((float("inf"), 1.0, colourfulness(truth)))
        rows["grey"].append((psnr(grey, truth), ab_auc(grey, truth), colourfulness(grey)))
        for t in temps:
            out = quantise(to_rgb(res, t))
            rows[f"ours T={t}"].append((psnr(out, truth), ab_auc(out, truth), colourfulness(out)))
            if args.save_dir and t == t_default:
                from demos.media import to_png_bytes

                args.save_dir.mkdir(parents=True, exist_ok=True)
                (args.save_dir / f"{p.stem}.png").write_bytes(to_png_bytes(np.concatenate([truth, grey, out], axis=1)))
        print(f"\r{i + 1}/{len(files)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    truth_c = np.mean([r[2] for r in rows["truth"]])
    print(f"split: bsds500/{args.split if args.split == 'test' else 'val (monitor)'}, {len(files)} images; network {np.median(net_s) * 1e3:.0f} ms median per image")
    print(f"{'method':<14} {'PSNR dB':>8} {'AuC ab':>7} {'colourful':>10} {'/ truth':>8}")
    summary = {}
    for name, r in rows.items():
        a = np.array(r)
        ps = "-" if name == "truth" else f"{a[:, 0].mean():.2f}"
        print(f"{name:<14} {ps:>8} {a[:, 1].mean():>7.3f} {a[:, 2].mean():>10.1f} {a[:, 2].mean() / truth_c:>8.2f}")
        summary[name] = {"psnr_db": None if name == "truth" else round(float(a[:, 0].mean()), 2), "auc_ab": round(float(a[:, 1].mean()), 3),
                         "colourfulness": round(float(a[:, 2].mean()), 1)}
    if args.write_card and args.split == "test" and not args.limit:
        ours = summary[f"ours T={t_default}"]
        card["metrics"] = {
            "validation": "bsds500/test, 200 images (bench/colorize_quality.py)",
            "temperature": t_default,
            "ours": ours, "grey_baseline": summary["grey"], "ground_truth": summary["truth"],
            "colourfulness_ratio": round(ours["colourfulness"] / summary["truth"]["colourfulness"], 2),
            "psnr_gain_over_grey_db": round(ours["psnr_db"] - summary["grey"]["psnr_db"], 2),
        }
        # The card's sha256 covers the .npz only, so rewriting the card keeps the weights valid.
        WEIGHTS.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote the figures at T={t_default} into {WEIGHTS.with_suffix('.json')}")


if __name__ == "__main__":
    main()
