"""Speech to text, the pipeline: audio -> log-mel -> network (core/) -> characters -> words with times.

    16 kHz audio -> log-mel (100 frames/s, 64 bands) -> Conv1D network -> log P(char) every 30 ms
      -> beam search with a lexicon and a language model (or greedy, or digits only) -> words + times
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core import weights
from core.network import Network
from demos.audio import RATE, is_silent
from demos.features import log_mel
from demos.i18n import N_, _
from demos.stt import decoder

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "stt"
CHUNK = 3000  # input frames (30 s) per network pass, so long clips need little memory
CONTEXT = 150  # frames of audio either side of a chunk: more than the network's receptive field


@lru_cache(maxsize=1)
def load_model(stem: str = str(WEIGHTS)) -> tuple[Network, dict[str, Any]]:
    return weights.load(stem)


@dataclass
class Word:
    text: str
    start: float  # seconds
    end: float


@dataclass
class Transcript:
    words: list[Word]
    mode: str
    duration: float  # seconds of audio
    timing: dict[str, float] = field(default_factory=dict)  # seconds per stage
    logp: np.ndarray | None = None  # (frames, symbols) log P, every `frame_s`
    frame_s: float = 0.03
    note: str = ""  # said to the user (silence, a fallback decoder...): an English msgid or Msg, translated where shown
    phone_logp: np.ndarray | None = None  # (frames, phones) log P from the phone head, if the model has one

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def txt(self) -> str:
        return self.text + "\n"

    def cues(self, max_words: int = 7, max_s: float = 4.0, gap_s: float = 0.8) -> list[tuple[float, float, str]]:
        """Subtitle lines: words grouped until a pause, a long line or a long cue."""
        out: list[tuple[float, float, str]] = []
        cur: list[Word] = []
        for w in self.words:
            if cur and (len(cur) >= max_words or w.end - cur[0].start > max_s or w.start - cur[-1].end > gap_s):
                out.append((cur[0].start, cur[-1].end, " ".join(x.text for x in cur)))
                cur = []
            cur.append(w)
        if cur:
            out.append((cur[0].start, cur[-1].end, " ".join(x.text for x in cur)))
        return out

    def srt(self) -> str:
        stamp = lambda s: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{int(s % 60):02d},{int(round(s * 1000)) % 1000:03d}"  # noqa: E731
        return "".join(f"{i}\n{stamp(a)} --> {stamp(b)}\n{t}\n\n" for i, (a, b, t) in enumerate(self.cues(), 1))

    def vtt(self) -> str:
        stamp = lambda s: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{int(s % 60):02d}.{int(round(s * 1000)) % 1000:03d}"  # noqa: E731
        return "WEBVTT\n\n" + "".join(f"{stamp(a)} --> {stamp(b)}\n{t}\n\n" for a, b, t in self.cues())

    def json(self) -> str:
        return json.dumps({"text": self.text, "mode": self.mode, "duration_s": round(self.duration, 3),
                           "words": [{"word": w.text, "start": round(w.start, 2), "end": round(w.end, 2)} for w in self.words],
                           "timing_s": {k: round(v, 3) for k, v in self.timing.items()}, "note": self.note}, indent=2)


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def posteriors(x: np.ndarray, progress: Callable[[float], None] = lambda f: None, stem: str = str(WEIGHTS)) -> np.ndarray:
    """log P(symbol) for every 30 ms of 16 kHz audio: (frames, len(ALPHABET))."""
    return heads(x, progress, stem)[0]


def heads(x: np.ndarray, progress: Callable[[float], None] = lambda f: None,
          stem: str = str(WEIGHTS)) -> tuple[np.ndarray, np.ndarray | None]:
    """log P(character) and, if the model has a phone head, log P(phone) for every 30 ms of 16 kHz
    audio (the network's last layer holds both heads, letters first). Long clips go through the
    network in 30 s chunks with context either side, so memory stays small and the result equals
    one pass over the whole clip. `stem`: other weights (for comparing models)."""
    net, card = load_model(stem)
    stride = card["preprocessing"]["stride"]
    feats = log_mel(x, card["preprocessing"]["n_mels"])
    n_out = -(-len(feats) // stride)
    feats = np.pad(feats, ((0, -len(feats) % stride), (0, 0)))  # as in training: whole strides
    out = []
    for start in range(0, len(feats), CHUNK):
        lo, hi = max(0, start - CONTEXT), min(len(feats), start + CHUNK + CONTEXT)
        logits = net.forward(feats[None, lo:hi])[0]
        a = (start - lo) // stride
        out.append(logits[a : a + CHUNK // stride])
        progress(min(1.0, (start + CHUNK) / len(feats)))
    logits = np.concatenate(out)[:n_out]
    n = len(card["preprocessing"]["alphabet"])
    return log_softmax(logits[:, :n]), (log_softmax(logits[:, n:]) if logits.shape[1] > n else None)


def transcribe(x: np.ndarray, mode: str = "lm", progress: Callable[[float, str], None] = lambda f, s: None) -> Transcript:
    """Words with times for 16 kHz mono float audio."""
    if mode not in decoder.MODES:
        raise ValueError(f"mode must be one of {', '.join(decoder.MODES)}")
    duration = len(x) / RATE
    timing: dict[str, float] = {}
    if is_silent(x):
        return Transcript([], mode, duration, note=N_("The clip is silent: there is nothing to transcribe."))
    t = time.perf_counter()
    listening = _("Listening...")
    logp, phones = heads(x, lambda f: progress(0.8 * f, listening))
    timing["network"] = time.perf_counter() - t
    _net, card = load_model()
    frame_s = card["preprocessing"]["stride"] * card["preprocessing"]["hop_s"]
    t = time.perf_counter()
    progress(0.85, _("Finding the words..."))
    decode = decoder.get(mode)
    words, sp = decode(logp, phones)
    timing["decode"] = time.perf_counter() - t
    note = getattr(decode, "reason", "")
    if not words and not note:
        note = N_("No speech was recognised in this clip.")
    progress(1.0, _("Done."))
    return Transcript([Word(w, a * frame_s, b * frame_s) for w, (a, b) in zip(words, sp, strict=True)], mode, duration, timing, logp, frame_s, note,
                      phones)


# ------------------------------------------------------------------------ the classic baseline
_SPHINX_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _sphinx():
    from pocketsphinx import Config, Decoder

    return Decoder(Config(loglevel="FATAL"))


def pocketsphinx(x: np.ndarray) -> Transcript:
    """PocketSphinx's default US-English model, LM and dictionary on the same audio."""
    t = time.perf_counter()
    dec = _sphinx()
    pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes()
    with _SPHINX_LOCK:  # one decoder per process, shared by the server's sessions: one utterance at a time
        dec.start_utt()
        dec.process_raw(pcm, full_utt=True)
        dec.end_utt()
        segments = [(seg.word, seg.start_frame, seg.end_frame) for seg in dec.seg()]
    words = []
    for word, start, end in segments:
        w = word.split("(")[0]
        if w.startswith("<") or w.startswith("[") or not w:
            continue
        words.append(Word(w.lower(), start / 100, (end + 1) / 100))
    return Transcript(words, "pocketsphinx", len(x) / RATE, {"total": time.perf_counter() - t})
