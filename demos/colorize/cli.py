"""`python -m demos colorize IN... --out DIR`: colorize many photos; a bad file is reported and skipped."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.weights import WeightsError
from demos.colorize.pipeline import colorize_image, load_model
from demos.i18n import _, ngettext, num, translate
from demos.media import MediaError, read_image, to_png_bytes


def run(args: argparse.Namespace) -> int:
    try:
        load_model()
    except WeightsError as e:
        print(_("error: {message}").format(message=translate(e)), file=sys.stderr)
        return 1
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(_("error: cannot create {path}: {reason}").format(path=args.out, reason=e.strerror or e), file=sys.stderr)
        return 1
    n, failed, t_all = len(args.inputs), [], time.perf_counter()
    for i, path in enumerate(args.inputs, 1):
        t = time.perf_counter()
        prefix = f"[{i}/{n}] {path}"
        try:
            rgb = read_image(path)
            out = args.out / f"{path.stem}.png"
            out.write_bytes(to_png_bytes(colorize_image(rgb, args.temperature, boost=args.vividness)))
            print(_("{prefix} -> {out} ({width}x{height}, {seconds} s)").format(
                prefix=prefix, out=out, width=rgb.shape[1], height=rgb.shape[0], seconds=num(time.perf_counter() - t)), file=sys.stderr)
        except (MediaError, OSError) as e:
            failed.append(path)
            print(_("{prefix}: skipped: {reason}").format(prefix=prefix, reason=e), file=sys.stderr)
    done = n - len(failed)
    summary = ngettext("colorized {done} of {n} photo in {seconds} s", "colorized {done} of {n} photos in {seconds} s", n).format(
        done=done, n=n, seconds=num(time.perf_counter() - t_all, 1))
    if failed:
        summary += ngettext("; skipped {count}: {files}", "; skipped {count}: {files}", len(failed)).format(
            count=len(failed), files=", ".join(map(str, failed)))
    print(summary)
    return 1 if failed else 0


def vividness(text: str) -> float:
    """--vividness: a number from 0 to 0.7 (beyond it, rare colours win everywhere)."""
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not 0.0 <= v <= 0.7:
        raise argparse.ArgumentTypeError(_("must be a number from 0 to 0.7, not {value!r}").format(value=text))
    return v


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("colorize", parents=parents, help=_("colorize black-and-white photos"),
                       description=_("Colorize many photos; a bad file is reported and skipped, the rest are still done."))
    p.add_argument("inputs", nargs="+", type=Path, metavar=_("IN"),
                   help=_("image files (jpg, png, webp, bmp, tiff, gif, heic); colour photos are turned grey first"))
    p.add_argument("--out", type=Path, required=True, metavar=_("DIR"), help=_("writes DIR/<input name>.png"))
    p.add_argument("--temperature", type=float, default=None, metavar="T",
                   help=_("decoding temperature: lower takes each spot's most likely colour, 1 the average of its colours (default: the model card's)"))
    p.add_argument("--vividness", type=vividness, default=None, metavar="V",
                   help=_("boost rare colours, 0 to 0.7: 0 is as trained, higher is bolder and more often wrong (default: the model card's)"))
    p.set_defaults(run=run)
