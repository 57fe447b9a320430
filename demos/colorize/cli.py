"""`python -m demos colorize IN... --out DIR`: colorize many photos; a bad file is reported and skipped."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.weights import WeightsError
from demos.colorize.pipeline import colorize_image, load_model
from demos.media import MediaError, read_image, to_png_bytes


def run(args: argparse.Namespace) -> int:
    try:
        load_model()
    except WeightsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"error: cannot create {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    n, failed, t_all = len(args.inputs), [], time.perf_counter()
    for i, path in enumerate(args.inputs, 1):
        t = time.perf_counter()
        prefix = f"[{i}/{n}] {path}"
        try:
            rgb = read_image(path)
            out = args.out / f"{path.stem}.png"
            out.write_bytes(to_png_bytes(colorize_image(rgb, args.temperature)))
            print(f"{prefix} -> {out} ({rgb.shape[1]}x{rgb.shape[0]}, {time.perf_counter() - t:.2f} s)", file=sys.stderr)
        except (MediaError, OSError) as e:
            failed.append(path)
            print(f"{prefix}: skipped: {e}", file=sys.stderr)
    done = n - len(failed)
    print(f"colorized {done} of {n} in {time.perf_counter() - t_all:.1f} s" + (f"; skipped {len(failed)}: {', '.join(map(str, failed))}" if failed else ""))
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("colorize", help="colorize black-and-white photos", description=__doc__)
    p.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="image files (jpg, png, webp, bmp, tiff); colour photos are turned grey first")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="writes DIR/<input name>.png")
    p.add_argument("--temperature", type=float, default=None, metavar="T",
                   help="vividness: lower is more vivid, 1 is safest (default: the model card's)")
    p.set_defaults(run=run)
