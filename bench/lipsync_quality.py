"""Mouth-cue accuracy on validation speakers (never trained on), ours vs a Rhubarb-style
baseline, against PocketSphinx forced alignment (the transcript is known) as the reference.

    .venv/bin/python bench/lipsync_quality.py [--every 4] [--fps 25]

Clips: every 4th clip of speechocean762's test-split adults (non-native read English) and all
of commonvoice_en (native speakers). Baseline: PocketSphinx phone recognition without the
transcript (what Rhubarb does), mapped to the same shapes. Frame accuracy is exact and within
+-1 frame; "lag" is the shift (frames) of our mouth opening that best matches the reference's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio  # noqa: E402
from demos.lipsync.pipeline import mouth_track, smooth  # noqa: E402
from demos.lipsync.visemes import GEOMETRY, SHAPES, shape_index  # noqa: E402
from training.lipsync_labels import align, clips, normalise  # noqa: E402


def shapes_at_frames(segments: list[tuple[str, int, int]], n: int, fps: float) -> np.ndarray:
    """Shape index per video frame: the phone under each frame's centre (10 ms phone frames)."""
    per10 = np.full(int(np.ceil(n / fps * 100)) + 2, shape_index("SIL"))
    for name, start, dur in segments:
        per10[start : start + dur] = shape_index(name)
    centres = np.minimum(((np.arange(n) + 0.5) / fps * 100).astype(int), len(per10) - 1)
    return per10[centres]


def accuracy(pred: np.ndarray, ref: np.ndarray) -> tuple[int, int]:
    """(frames exactly right, frames right within +-1 frame)."""
    exact = pred == ref
    near = exact.copy()
    near[1:] |= pred[1:] == ref[:-1]
    near[:-1] |= pred[:-1] == ref[1:]
    return int(exact.sum()), int(near.sum())


def openness(shapes: np.ndarray) -> np.ndarray:
    return np.array([GEOMETRY[SHAPES[k]][0] for k in shapes])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=4, help="take every Nth speechocean762 clip")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--write-card", action="store_true", help="store the overall figures in weights/lipsync.json")
    args = ap.parse_args()
    import pocketsphinx
    from pocketsphinx import Decoder

    val = clips("val")
    so = [c for c in val if c[2] == "speechocean762"][:: args.every]
    val = so + [c for c in val if c[2] != "speechocean762"]
    aligner = Decoder(samprate=16000, bestpath=False, loglevel="FATAL")
    phone_lm = os.path.join(os.path.dirname(pocketsphinx.__file__), "model", "en-us-phone.lm.bin")
    recogniser = Decoder(samprate=16000, allphone=phone_lm, lw=2.0, beam=1e-20, pbeam=1e-20, loglevel="FATAL")
    hold = max(1, round(0.08 * args.fps))
    methods = ["ours (shipped: smoothed)", "ours (raw argmax)", "baseline (phone recognition)", "baseline + same smoothing"]
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    lags = np.zeros(21)
    recall = {m: np.zeros((len(SHAPES), 2)) for m in (methods[0], methods[2])}  # per reference shape: right, total
    secs = {"audio": 0.0, "ours": 0.0, "baseline": 0.0}
    used = 0
    for i, (path, text, source) in enumerate(val):
        x = read_audio(path)
        pcm = (x * 32767).astype(np.int16).tobytes()
        ref_phones = align(aligner, pcm, normalise(text))
        if not ref_phones:
            continue  # no reference (a word not in the dictionary): skip for everyone
        used += 1
        t = time.perf_counter()
        track = mouth_track(x, fps=args.fps)
        secs["ours"] += time.perf_counter() - t
        n = len(track.shapes)
        ref = shapes_at_frames(ref_phones, n, args.fps)
        t = time.perf_counter()
        recogniser.start_utt()
        recogniser.process_raw(pcm, full_utt=True)
        recogniser.end_utt()
        base = shapes_at_frames([(s.word, s.start_frame, s.end_frame - s.start_frame + 1) for s in recogniser.seg()], n, args.fps)
        secs["baseline"] += time.perf_counter() - t
        secs["audio"] += len(x) / 16000
        preds = {methods[0]: track.shapes, methods[1]: track.probs.argmax(1), methods[2]: base,
                 methods[3]: smooth(np.eye(len(SHAPES), dtype=np.float32)[base], hold)}
        for m in recall:
            for k in range(len(SHAPES)):
                recall[m][k] += ((preds[m] == ref) & (ref == k)).sum(), (ref == k).sum()
        for m, p in preds.items():
            e, nr = accuracy(p, ref)
            for key in (source, "overall"):
                tally[key][m][0] += e
                tally[key][m][1] += nr
                tally[key][m][2] += n
        o, r = openness(track.shapes) - openness(track.shapes).mean(), openness(ref) - openness(ref).mean()
        for k, lag in enumerate(range(-10, 11)):  # our opening at frame i+lag vs the reference at i
            a, b = (o[lag:], r[: len(r) - lag]) if lag >= 0 else (o[:lag], r[-lag:])
            lags[k] += float(np.dot(a, b))
        if i % 25 == 0:
            print(f"{i + 1}/{len(val)}", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"{used} validation clips ({secs['audio'] / 60:.1f} min of audio), {args.fps:g} fps, minimum hold {hold} frames")
    print(f"{'source':<16} {'method':<30} {'exact':>7} {'+-1 frame':>10} {'frames':>8}")
    for key in [k for k in tally if k != "overall"] + ["overall"]:
        for m in methods:
            e, nr, n = tally[key][m]
            print(f"{key:<16} {m:<30} {e / n:>7.3f} {nr / n:>10.3f} {n:>8}")
    print("per-shape recall (exact):  " + "  ".join(f"{s:>5}" for s in SHAPES))
    for m, r in recall.items():
        print(f"  {m[:24]:<24} " + "  ".join(f"{a / max(b, 1):>5.2f}" for a, b in r))
    print("  share of reference frames " + "  ".join(f"{b / recall[methods[0]][:, 1].sum():>5.2f}" for _, b in recall[methods[0]]))
    best = int(np.argmax(lags)) - 10
    print(f"best lag of our mouth opening vs the reference: {best:+d} frames (positive = ours late)")
    print(f"real-time factor: ours {secs['ours'] / secs['audio']:.3f}, baseline {secs['baseline'] / secs['audio']:.3f}")
    if args.write_card:
        import json

        from demos.lipsync.pipeline import WEIGHTS

        card = json.loads(WEIGHTS.with_suffix(".json").read_text())
        card["metrics"] = {
            "validation": f"{used} clips of validation speakers ({secs['audio'] / 60:.1f} min): speechocean762 test-split adults "
                          f"(every {args.every}th clip) and commonvoice_en; reference = PocketSphinx forced alignment (bench/lipsync_quality.py)",
            "fps": args.fps,
            **{f"{key}/{m}": {"exact": round(tally[key][m][0] / tally[key][m][2], 3), "within_1_frame": round(tally[key][m][1] / tally[key][m][2], 3)}
               for key in tally for m in (methods[0], methods[2])},
            "best_lag_frames": best,
        }
        # The card's sha256 covers the .npz only, so rewriting the card keeps the weights valid.
        WEIGHTS.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote the figures into {WEIGHTS.with_suffix('.json')}")


if __name__ == "__main__":
    main()
