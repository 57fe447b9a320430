"""`python -m demos transcribe FILE... [--json] [--srt] [--vtt] [--mode lm|digits|greedy] [--out DIR]`"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core.weights import WeightsError
from demos.audio import read_audio
from demos.i18n import _, ngettext, num, translate
from demos.media import MediaError
from demos.stt import decoder, lm
from demos.stt.pipeline import load_model, transcribe


def _lm_progress(f: float, msg: str) -> None:
    print(f"\r{msg} {f * 100:3.0f}%", end="\n" if f >= 1 else "", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    try:
        load_model()
    except WeightsError as e:
        print(_("error: {message}").format(message=translate(e)), file=sys.stderr)
        return 1
    if args.mode == "lm" and not lm.ready():
        try:
            lm.build(_lm_progress)
        except (RuntimeError, OSError) as e:
            print(_("warning: {reason}; falling back to greedy decoding").format(reason=e), file=sys.stderr)
    results, failed = [], 0
    for path in args.files:
        t0 = time.perf_counter()
        try:
            x = read_audio(path)
            tr = transcribe(x, args.mode)
        except MediaError as e:
            print(_("error: {message}").format(message=e), file=sys.stderr)
            failed += 1
            continue
        tr.timing["total"] = time.perf_counter() - t0
        if tr.note:
            print(f"{path.name}: {translate(tr.note)}", file=sys.stderr)
        results.append((path, tr))
        for kind in ("srt", "vtt"):
            if getattr(args, kind):
                args.out.mkdir(parents=True, exist_ok=True)
                out = args.out / f"{path.stem}.{kind}"
                out.write_text(tr.srt() if kind == "srt" else tr.vtt())
                print(_("wrote {path}").format(path=out), file=sys.stderr)
        if not args.json:
            print(f"{path.name}\t{tr.text}")
            print("  " + _("({audio} s of audio in {total} s; {mode})").format(
                audio=num(tr.duration, 1), total=num(tr.timing["total"]), mode=_(decoder.MODES[args.mode])), file=sys.stderr)
    if args.json:
        out = [{"file": str(p), **json.loads(tr.json())} for p, tr in results]
        print(json.dumps(out if len(args.files) > 1 else (out[0] if out else []), indent=2))
    if failed:
        print(ngettext("{failed} of {n} file could not be transcribed", "{failed} of {n} files could not be transcribed", len(args.files)).format(
            failed=failed, n=len(args.files)), file=sys.stderr)
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("transcribe", parents=parents, help=_("speech to text, with word times"),
                       description=_("Speech to text (English speech), with the start and end time of every word."))
    p.add_argument("files", type=Path, nargs="+", metavar=_("FILE"), help=_("speech: wav, flac, ogg/opus, mp3, m4a or webm, up to 10 minutes"))
    p.add_argument("--mode", choices=list(decoder.MODES), default="lm",
                   help=_("lm: English words with a language model (default); digits: only zero to nine; greedy: raw characters"))
    p.add_argument("--json", action="store_true", help=_("print JSON: text, words with start/end times, timing"))
    p.add_argument("--srt", action="store_true", help=_("write subtitles FILE.srt into --out"))
    p.add_argument("--vtt", action="store_true", help=_("write subtitles FILE.vtt into --out"))
    p.add_argument("--out", type=Path, default=Path("."), metavar=_("DIR"), help=_("folder for --srt/--vtt files (default: here)"))
    p.set_defaults(run=run)
