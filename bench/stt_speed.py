"""Speech-to-text speed on a 10 s clip: the first transcription in a fresh process, then warm
(median of --reps), ours with the language model, greedy, and PocketSphinx side by side.

    .venv/bin/python bench/stt_speed.py [--reps 7] [--lm-build]

The clip is the project's sample speech (synthetic voices) joined to 10 s. "Cold" runs a new
Python process that imports the pipeline, loads the model and the (already prepared) language
model, reads the file and transcribes it; --lm-build also times the one-time preparation of the
language model into an empty cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio, to_wav_bytes  # noqa: E402
from demos.stt import lm  # noqa: E402
from demos.stt.pipeline import pocketsphinx, transcribe  # noqa: E402

COLD = """
import time, sys
t0 = time.perf_counter()
from demos.audio import read_audio
from demos.stt.pipeline import transcribe
x = read_audio(sys.argv[1])
tr = transcribe(x, "lm")
print(f"{time.perf_counter() - t0:.3f} {tr.text}")
"""


def ten_seconds() -> np.ndarray:
    clips = [read_audio(p) for p in sorted((ROOT / "demos" / "samples").glob("*.ogg"))]
    x = np.concatenate(clips)
    return x[: 10 * 16000]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--lm-build", action="store_true", help="also time the one-time language-model preparation")
    args = ap.parse_args()
    x = ten_seconds()
    if args.lm_build:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "SEEDL_CACHE": tmp}
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from demos.stt import lm; lm.build()"], cwd=ROOT, env=env, check=True)
            print(f"one-time language-model preparation: {time.perf_counter() - t:.1f} s")
    lm.build()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "ten.wav"
        wav.write_bytes(to_wav_bytes(x))
        colds = []
        for _ in range(3):
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-c", COLD, str(wav)], cwd=ROOT, capture_output=True, text=True, check=True)
            colds.append((time.perf_counter() - t, float(r.stdout.split()[0])))
        print(f"first transcription in a fresh process (10 s clip): median {statistics.median(c[0] for c in colds):.2f} s wall "
              f"including Python start-up; {statistics.median(c[1] for c in colds):.2f} s from the first import")
    for mode in ("lm", "greedy"):
        transcribe(x, mode)
    pocketsphinx(x)
    times: dict[str, list[float]] = {"ours + LM": [], "ours greedy": [], "PocketSphinx": []}
    for _ in range(args.reps):
        for name, fn in (("ours + LM", lambda: transcribe(x, "lm")), ("ours greedy", lambda: transcribe(x, "greedy")),
                         ("PocketSphinx", lambda: pocketsphinx(x))):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    tr = transcribe(x, "lm")
    print(f"warm, 10 s clip, median of {args.reps}:")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:<14} {m:.3f} s  real-time factor {m / 10:.3f}")
    print(f"  ours: network {tr.timing['network']:.3f} s, search {tr.timing['decode']:.3f} s; "
          f"ours/PocketSphinx {statistics.median(times['ours + LM']) / statistics.median(times['PocketSphinx']):.2f}")
    print("transcript:", tr.text)


if __name__ == "__main__":
    main()
