"""Tune the mouth-shape prior on the native development split and fold it into the last layer's bias.

    python -m training.tune_lipsync_bias --weights STEM --out STEM

Training with class weights (frequency ** -balance) makes the network say rare shapes more often
than they occur. Multiplying its probabilities by frequency ** s (s >= 0) undoes part of that;
softmax(z + s log f) is exactly that product renormalised, so the chosen s goes into the bias of
the softmax layer and the app needs nothing new. s is chosen on the development split only
(mean of exact and within +-1 frame accuracy at 25 fps, the shipped smoothing), never on validation,
among the values that keep closed lips (shape A, P B M: the most visible) at least as often right
as `--min-closed` (default: the weights before, 0.35 on the development split).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training.lipsync_labels import aligned, clips

GRID = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
FPS = 25.0


def shape_frequencies() -> np.ndarray:
    """Share of 10 ms training frames per shape (what the class weights were computed from)."""
    from demos.lipsync.visemes import SHAPES, shape_index

    done = aligned()
    counts = np.ones(len(SHAPES))
    for path, _, _ in clips("train"):
        for name, _start, dur in done.get(str(path), {}).get("phones", []):
            counts[shape_index(name)] += dur
    return counts / counts.sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="weights stem to tune")
    ap.add_argument("--out", type=Path, required=True, help="weights stem to write with the chosen prior in the bias")
    ap.add_argument("--min-closed", type=float, default=0.35, help="least exact recall of shape A (closed lips) on dev")
    args = ap.parse_args()
    from bench.lipsync_quality import accuracy, shapes_at_frames
    from core import weights
    from demos.audio import read_audio
    from demos.lipsync.pipeline import frame_probs, per_video_frame, smooth

    logf = np.log(shape_frequencies())
    done = aligned()
    scores = {s: np.zeros(5) for s in GRID}  # exact, within +-1, frames, closed frames right, closed frames
    for path, _, _ in clips("dev"):
        ref_phones = done.get(str(path), {}).get("phones")
        if not ref_phones:
            continue
        x = read_audio(path)
        p10 = frame_probs(x, args.weights)
        for s in GRID:
            q = p10 * np.exp(s * logf)
            track = smooth(per_video_frame(q / q.sum(1, keepdims=True), x, FPS), 2)
            ref = shapes_at_frames(ref_phones, len(track), FPS)
            e, near = accuracy(track, ref)
            scores[s] += e, near, len(track), ((track == ref) & (ref == 0)).sum(), (ref == 0).sum()
    for s, (e, near, n, a, na) in scores.items():
        print(f"s={s:.1f}  dev exact {e / n:.4f}  within +-1 {near / n:.4f}  closed-lips recall {a / na:.3f}")
    allowed = [s for s in GRID if scores[s][3] / scores[s][4] >= args.min_closed] or [0.0]
    best = max(allowed, key=lambda s: scores[s][0] + scores[s][1])
    print(f"chosen s={best}")
    net, card = weights.load(args.weights)
    last = net.layers[-1]
    last.params["bias"] = (last.params["bias"] + best * logf).astype(np.float32)
    card.setdefault("training", {})["decode_prior"] = (
        f"last-layer bias + {best} * log(training shape frequency), chosen on the native development split "
        "(training/tune_lipsync_bias.py): " + json.dumps({f"s={s}": [round(v[0] / v[2], 4), round(v[1] / v[2], 4), round(v[3] / v[4], 3)] for s, v in scores.items()}))
    weights.save(net, args.out, card, card.get("storage_dtype", "float16"))
    print(f"wrote {args.out}.npz")


if __name__ == "__main__":
    main()
