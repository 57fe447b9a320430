"""Talking face, the pipeline: audio -> log-mel -> network (core/) -> mouth shape per video frame.

    16 kHz audio -> log-mel (100 frames/s) -> Conv1D network -> P(shape) per 10 ms
      -> averaged over each video frame -> smoothed with a minimum hold -> cues (Rhubarb TSV/JSON)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core import weights
from core.network import Network
from demos.features import HOP, RATE, log_mel
from demos.lipsync.visemes import SHAPES

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "lipsync"
X = SHAPES.index("X")
SILENCE_DB = -45.0  # a video frame quieter than this (RMS, dBFS) is shown at rest


@lru_cache(maxsize=1)
def load_model(stem: str = str(WEIGHTS)) -> tuple[Network, dict[str, Any]]:
    return weights.load(stem)


@dataclass
class MouthTrack:
    probs: np.ndarray  # (frames, 9): P(shape) per video frame
    shapes: np.ndarray  # (frames,): the chosen shape index per video frame, smoothed
    fps: float
    duration: float  # seconds of audio

    def cues(self) -> list[tuple[float, float, str]]:
        """(start s, end s, shape) for each run of one shape."""
        out, start = [], 0
        for i in range(1, len(self.shapes) + 1):
            if i == len(self.shapes) or self.shapes[i] != self.shapes[start]:
                out.append((start / self.fps, min(i / self.fps, self.duration), SHAPES[self.shapes[start]]))
                start = i
        return out

    def tsv(self) -> str:
        """Rhubarb's TSV: one line per cue, its start time and shape, then the end time with X."""
        lines = [f"{s:.2f}\t{shape}" for s, _, shape in self.cues()]
        return "\n".join(lines + [f"{self.duration:.2f}\tX"]) + "\n"

    def json(self, sound_file: str = "") -> str:
        """Rhubarb's JSON format."""
        return json.dumps({"metadata": {"soundFile": sound_file, "duration": round(self.duration, 2)},
                           "mouthCues": [{"start": round(s, 2), "end": round(e, 2), "value": v} for s, e, v in self.cues()]}, indent=2)


def frame_probs(x: np.ndarray, stem: str = str(WEIGHTS)) -> np.ndarray:
    """P(shape) for every 10 ms frame of 16 kHz audio `x`: (frames, 9), from the weights at `stem`."""
    net, card = load_model(stem)
    feats = log_mel(x, card["preprocessing"]["n_mels"])
    return net.forward(feats[None])[0]


def per_video_frame(p10: np.ndarray, x: np.ndarray, fps: float) -> np.ndarray:
    """Average the 10 ms probabilities over each video frame; quiet frames go to rest (X)."""
    duration = len(x) / RATE
    n = max(1, int(np.ceil(duration * fps - 1e-6)))
    edges = np.round(np.arange(n + 1) / fps * RATE / HOP).astype(int)
    edges[-1] = max(edges[-1], edges[-2] + 1)
    cum = np.concatenate([np.zeros((1, p10.shape[1])), np.cumsum(p10, axis=0)])
    lo, hi = np.minimum(edges[:-1], len(p10) - 1), np.minimum(np.maximum(edges[1:], edges[:-1] + 1), len(p10))
    probs = (cum[hi] - cum[lo]) / (hi - lo)[:, None]
    # Loudness per video frame: silence is rest, whatever the network says.
    bounds = np.minimum((np.arange(n + 1) * RATE / fps).astype(int), len(x))
    energy = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    mean_sq = (energy[bounds[1:]] - energy[bounds[:-1]]) / np.maximum(bounds[1:] - bounds[:-1], 1)
    quiet = 10 * np.log10(mean_sq + 1e-12) < SILENCE_DB
    probs[quiet] = 0.0
    probs[quiet, X] = 1.0
    return probs.astype(np.float32)


def smooth(probs: np.ndarray, min_hold: int) -> np.ndarray:
    """Argmax per frame, then runs shorter than `min_hold` frames are merged into the
    neighbouring run that the network finds likelier over those frames (no flicker)."""
    shapes = probs.argmax(axis=1)
    if min_hold <= 1:
        return shapes
    while True:
        starts = np.flatnonzero(np.r_[True, shapes[1:] != shapes[:-1]])
        ends = np.r_[starts[1:], len(shapes)]
        lengths = ends - starts
        short = np.flatnonzero(lengths < min_hold)
        if len(short) == 0 or len(starts) == 1:
            return shapes
        k = short[np.argmin(lengths[short])]
        s, e = starts[k], ends[k]
        options = [shapes[s - 1]] if k > 0 else []
        options += [shapes[e]] if k < len(starts) - 1 else []
        shapes[s:e] = max(options, key=lambda c: probs[s:e, c].sum())


def mouth_track(x: np.ndarray, fps: float = 25.0, min_hold_s: float = 0.08, stem: str = str(WEIGHTS)) -> MouthTrack:
    """The mouth shapes for 16 kHz audio `x`, one per video frame at `fps` (weights at `stem`)."""
    probs = per_video_frame(frame_probs(x, stem), x, fps)
    return MouthTrack(probs=probs, shapes=smooth(probs, max(1, round(min_hold_s * fps))), fps=fps, duration=len(x) / RATE)


def render_video(x: np.ndarray, track: MouthTrack, out: Path, face: np.ndarray | None = None, progress=None) -> None:
    """Write the MP4: the cartoon (face=None) or the photo `face` (float RGB), mouth per `track`.
    Raises MediaError when the photo has no face."""
    from demos.audio import to_wav_bytes
    from demos.lipsync.render import blink_frames, cartoon_frame, photo_frames, write_mp4

    n = len(track.shapes)
    if face is None:
        open_eyes = {s: cartoon_frame(s) for s in SHAPES}
        closed = {s: cartoon_frame(s, blink=True) for s in SHAPES}
        blinks = blink_frames(n, track.fps)
        frames = [(closed if blinks[i] else open_eyes)[SHAPES[k]] for i, k in enumerate(track.shapes)]
    else:
        by_shape = photo_frames(face)
        frames = [by_shape[SHAPES[k]] for k in track.shapes]
    write_mp4(frames, n, track.fps, to_wav_bytes(x), out, progress)
