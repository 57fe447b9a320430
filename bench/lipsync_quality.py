"""Mouth-cue accuracy on speakers never trained on, ours vs a Rhubarb-style baseline, against
PocketSphinx forced alignment (the transcript is known) as the reference; native and non-native
speakers reported separately, each beside the baseline, in one run.

    .venv/bin/python bench/lipsync_quality.py [--split val|dev] [--all] [--fps 25] [--weights STEM]

Validation (`--split val`): native = commonvoice_en (44 speakers) and the Asterisk prompts
(one US speaker, 8 kHz); VCTK p239 (every 4th clip) on its own, since the weights before were
trained on it; non-native = every 4th clip of speechocean762's test-split adults (`--all`: every
clip). `--split dev` is the native development set that checkpoints are chosen on (Common Voice
6.1 clips without an accent, 273 held-out Common Voice v1 clips). Baseline: PocketSphinx phone recognition without the transcript (what Rhubarb does), mapped to the
same shapes. Frame accuracy is exact and within +-1 frame; "lag" is the shift (frames) of our
mouth opening that best matches the reference's. Reference alignments and baseline phones are
cached in training/runs/lipsync/ (they do not depend on our model).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio  # noqa: E402
from demos.lipsync.pipeline import WEIGHTS, mouth_track, smooth  # noqa: E402
from demos.lipsync.visemes import GEOMETRY, SHAPES, shape_index  # noqa: E402
from training.lipsync_labels import NATIVE, RUN, SEEN_BEFORE, align, clips, normalise  # noqa: E402

EVERY = {"speechocean762": 4, "vctk": 4}  # take every Nth clip of these sources
METHODS = ["ours (shipped: smoothed)", "ours (raw argmax)", "baseline (phone recognition)", "baseline + same smoothing"]
OURS, BASE = METHODS[0], METHODS[2]
LAGS = range(-10, 11)


def shapes_at_frames(segments: list, n: int, fps: float) -> np.ndarray:
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


def lag_scores(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Correlation of our mouth opening at frame i+lag with the reference's at i, per lag."""
    o, r = openness(ours) - openness(ours).mean(), openness(ref) - openness(ref).mean()
    out = []
    for lag in LAGS:
        a, b = (o[lag:], r[: len(r) - lag]) if lag >= 0 else (o[:lag], r[-lag:])
        out.append(float(np.dot(a, b)))
    return np.array(out)


class PhoneCache:
    """Reference alignments and baseline phones per clip, computed once and kept in a JSONL file."""

    def __init__(self, split: str) -> None:
        import pocketsphinx
        from pocketsphinx import Decoder

        self.file = RUN / f"bench_{split}.jsonl"
        self.rows = {r["path"]: r for r in map(json.loads, self.file.open())} if self.file.exists() else {}
        self.aligner = Decoder(samprate=16000, bestpath=False, loglevel="FATAL")
        phone_lm = os.path.join(os.path.dirname(pocketsphinx.__file__), "model", "en-us-phone.lm.bin")
        self.recogniser = Decoder(samprate=16000, allphone=phone_lm, lw=2.0, beam=1e-20, pbeam=1e-20, loglevel="FATAL")

    def get(self, path: Path, text: str, x: np.ndarray) -> dict:
        if str(path) not in self.rows:
            pcm = (x * 32767).astype(np.int16).tobytes()
            t = time.perf_counter()
            self.recogniser.start_utt()
            self.recogniser.process_raw(pcm, full_utt=True)
            self.recogniser.end_utt()
            base = [(s.word, s.start_frame, s.end_frame - s.start_frame + 1) for s in self.recogniser.seg()]
            row = {"path": str(path), "ref": align(self.aligner, pcm, normalise(text)), "base": base, "base_s": time.perf_counter() - t}
            self.rows[str(path)] = row
            with self.file.open("a") as f:
                f.write(json.dumps(row) + "\n")
        return self.rows[str(path)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["val", "dev"], default="val")
    ap.add_argument("--all", action="store_true", help=f"every clip, not every Nth of {EVERY}")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--weights", default=str(WEIGHTS), help="weights stem to measure (default: the shipped ones)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--write-card", action="store_true", help="store the figures in the weights' model card")
    args = ap.parse_args()
    RUN.mkdir(parents=True, exist_ok=True)
    split = clips(args.split)
    todo = [c for s in dict.fromkeys(c[2] for c in split) for c in [c for c in split if c[2] == s][:: 1 if args.all else EVERY.get(s, 1)]]
    cache = PhoneCache(args.split)
    hold = max(1, round(0.08 * args.fps))
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    lags: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(LAGS)))
    recall: dict[str, np.ndarray] = defaultdict(lambda: np.zeros((len(SHAPES), 2)))  # per reference shape: right, total
    secs = {"audio": 0.0, "ours": 0.0, "baseline": 0.0}
    minutes: dict[str, float] = defaultdict(float)
    for i, (path, text, source) in enumerate(todo):
        x = read_audio(path)
        row = cache.get(path, text, x)
        if not row["ref"]:
            continue  # no reference (a word not in the dictionary): skip for everyone
        group = "native" if source in NATIVE else "native p239 (older weights trained on it)" if source in SEEN_BEFORE else "non-native"
        t = time.perf_counter()
        track = mouth_track(x, fps=args.fps, stem=args.weights)
        secs["ours"] += time.perf_counter() - t
        secs["baseline"] += row["base_s"]
        secs["audio"] += len(x) / 16000
        n = len(track.shapes)
        ref = shapes_at_frames(row["ref"], n, args.fps)
        base = shapes_at_frames(row["base"], n, args.fps)
        preds = {OURS: track.shapes, METHODS[1]: track.probs.argmax(1), BASE: base,
                 METHODS[3]: smooth(np.eye(len(SHAPES), dtype=np.float32)[base], hold)}
        for key in dict.fromkeys((source, group, "overall")):
            minutes[key] += len(x) / 16000 / 60
            lags[key] += lag_scores(track.shapes, ref)
            for m in (OURS, BASE):
                for k in range(len(SHAPES)):
                    recall[f"{key}/{m}"][k] += ((preds[m] == ref) & (ref == k)).sum(), (ref == k).sum()
            for m, p in preds.items():
                e, near = accuracy(p, ref)
                tally[key][m][0] += e
                tally[key][m][1] += near
                tally[key][m][2] += n
        if i % 50 == 0:
            print(f"{i + 1}/{len(todo)}", file=sys.stderr, flush=True)
    groups = ("native", "non-native", "native p239 (older weights trained on it)", "overall")
    keys = [k for k in tally if k not in groups] + [k for k in groups if k in tally]
    best = {k: LAGS[int(np.argmax(lags[k]))] for k in keys}
    print(f"split {args.split}, weights {args.weights}, {args.fps:g} fps, minimum hold {hold} frames")
    print(f"{'source/group':<20} {'min':>5} {'method':<30} {'exact':>7} {'+-1 frame':>10} {'frames':>8} {'lag':>4}")
    for key in keys:
        for m in METHODS:
            e, near, n = tally[key][m]
            print(f"{key:<20} {minutes[key]:>5.1f} {m:<30} {e / n:>7.3f} {near / n:>10.3f} {n:>8} {best[key] if m == OURS else '':>4}")
    print("per-shape recall (exact):                   " + "  ".join(f"{s:>5}" for s in SHAPES))
    for key in [k for k in groups[:3] if k in tally]:
        for m in (OURS, BASE):
            r = recall[f"{key}/{m}"]
            print(f"  {key:<19} {m[:22]:<22} " + "  ".join(f"{a / max(b, 1):>5.2f}" for a, b in r))
        r = recall[f"{key}/{OURS}"]
        print(f"  {key:<19} {'share of reference':<22} " + "  ".join(f"{b / r[:, 1].sum():>5.2f}" for _, b in r))
    print("best lag of our mouth opening vs the reference (frames, positive = ours late): "
          + ", ".join(f"{k} {best[k]:+d}" for k in keys))
    print(f"real-time factor: ours {secs['ours'] / secs['audio']:.3f}, baseline {secs['baseline'] / secs['audio']:.3f}")
    figures = {
        "split": args.split, "fps": args.fps,
        **{f"{key}/{m}": {"exact": round(tally[key][m][0] / tally[key][m][2], 3), "within_1_frame": round(tally[key][m][1] / tally[key][m][2], 3),
                          "frames": tally[key][m][2]} for key in keys for m in (OURS, BASE)},
        "minutes": {k: round(minutes[k], 1) for k in keys},
        "best_lag_frames": best,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.write_card:
        stem = Path(args.weights)
        card = json.loads(stem.with_suffix(".json").read_text())
        card["metrics"] = {
            "validation": "speakers never trained on: native = commonvoice_en (44 speakers) and the Asterisk prompts; "
                          "VCTK p239 (every 4th clip; the weights before were trained on it); non-native = speechocean762 test-split "
                          "adults (every 4th clip); reference = PocketSphinx forced alignment (bench/lipsync_quality.py)",
            **figures,
        }
        # The card's sha256 covers the .npz only, so rewriting the card keeps the weights valid.
        stem.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote the figures into {stem.with_suffix('.json')}")


if __name__ == "__main__":
    main()
