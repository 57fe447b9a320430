"""`python -m demos lipsync AUDIO [--face IMG | --cartoon] --out video.mp4 [--cues cues.tsv]`"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.weights import WeightsError
from demos.audio import is_silent, read_audio
from demos.i18n import _, num, translate
from demos.lipsync.pipeline import load_model, mouth_track, render_video
from demos.media import MediaError, read_image

MAX_SECONDS = 120.0


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    try:
        load_model()
        x = read_audio(args.audio, max_seconds=MAX_SECONDS)
        if is_silent(x):
            raise MediaError(_("{name} is silent: there is no speech to animate.").format(name=args.audio.name))
        face = read_image(args.face) if args.face else None
        track = mouth_track(x, fps=args.fps)
        rendering = _("rendering")
        bar = lambda f: print(f"\r{rendering} {f * 100:3.0f}%", end="", file=sys.stderr, flush=True)  # noqa: E731
        render_video(x, track, args.out, face=face, progress=bar)
        print(file=sys.stderr)
    except (MediaError, WeightsError) as e:
        print(_("error: {message}").format(message=translate(e)), file=sys.stderr)
        return 1
    except OSError as e:
        print(_("error: cannot write {path}: {reason}").format(path=args.out, reason=e.strerror or e), file=sys.stderr)
        return 1
    if args.cues:
        text = track.json(args.audio.name) if args.cues.suffix.lower() == ".json" else track.tsv()
        args.cues.write_text(text)
    message = _("wrote {out} ({seconds} s of audio, {frames} frames at {fps} fps, {cues} mouth cues) in {elapsed} s").format(
        out=args.out, seconds=num(track.duration, 1), frames=len(track.shapes), fps=num(args.fps, 0), cues=len(track.cues()),
        elapsed=num(time.perf_counter() - t0, 1))
    print(message + (_("; cues in {path}").format(path=args.cues) if args.cues else ""))
    return 0


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lipsync", parents=parents, help=_("make a face talk in sync with an audio clip (MP4)"),
                       description=_("Make a face talk in sync with an audio clip: an MP4 video, and the mouth cues if asked."))
    p.add_argument("audio", type=Path, metavar=_("AUDIO"), help=_("speech: wav, flac, ogg/opus, mp3, m4a or webm, up to 2 minutes"))
    g = p.add_mutually_exclusive_group()
    g.add_argument("--face", type=Path, metavar=_("IMG"), help=_("a photo with a front-facing face (only of someone who agreed to it)"))
    g.add_argument("--cartoon", action="store_true", help=_("the drawn face (the default)"))
    p.add_argument("--out", type=Path, required=True, metavar=_("OUT"), help=_("the MP4 to write (H.264 + AAC)"))
    p.add_argument("--cues", type=Path, metavar=_("CUES"), help=_("also write the mouth cues: Rhubarb TSV, or JSON if the name ends in .json"))
    p.add_argument("--fps", type=float, default=25.0, choices=[24.0, 25.0, 30.0], help=_("video frames per second (default: 25)"))
    p.set_defaults(run=run)
