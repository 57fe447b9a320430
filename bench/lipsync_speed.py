"""Seconds to turn 10 s of audio into a playable MP4 (decode, features, network, smoothing,
drawing, H.264 + AAC encoding), cartoon and photo, median of a few runs.

    .venv/bin/python bench/lipsync_speed.py [--reps 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio, to_wav_bytes  # noqa: E402
from demos.colorize.samples import sample_path  # noqa: E402
from demos.lipsync.pipeline import mouth_track, render_video  # noqa: E402
from demos.lipsync.render import probe_duration  # noqa: E402
from demos.media import read_image  # noqa: E402


def ten_seconds() -> bytes:
    """10 s of speech: the sample clips end to end, as a WAV file."""
    x = np.concatenate([read_audio(p) for p in sorted((ROOT / "demos" / "samples").glob("*.ogg"))])
    return to_wav_bytes(np.resize(x, 10 * 16000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    wav = ten_seconds()
    face_photo = sample_path("Astronaut")  # a test image only; never a default face in the app
    for label, face_file in (("cartoon", None), ("photo", face_photo)):
        times = []
        for _ in range(args.reps + 1):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "v.mp4"
                t = time.perf_counter()
                x = read_audio(wav, "10s.wav")
                face = read_image(face_file) if face_file else None
                track = mouth_track(x)
                render_video(x, track, out, face=face)
                times.append(time.perf_counter() - t)
                dur, has_audio = probe_duration(out)
                size = out.stat().st_size
        print(f"{label:<8} 10 s of audio -> MP4 in {statistics.median(times[1:]):.2f} s (median of {args.reps}; "
              f"video {dur:.2f} s long, audio stream: {has_audio}, {size:,} bytes)")


if __name__ == "__main__":
    main()
