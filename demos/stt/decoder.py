"""From character probabilities to words: CTC beam search with a lexicon and a language model
(flashlight-text's decoder, the one wav2letter and torchaudio use), a small-grammar mode for
digits, and greedy decoding as the fallback. Word times come from the CTC alignment.

The acoustic model emits, every 30 ms, log P(symbol) over ALPHABET: blank, space, ', a-z.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from demos.i18n import N_, Msg

ALPHABET = "_ 'abcdefghijklmnopqrstuvwxyz"  # index 0 is the CTC blank, 1 the space between words
BLANK, SPACE = 0, 1
DIGIT_WORDS = "zero oh one two three four five six seven eight nine".split()
MODES = {"lm": N_("English words + language model"), "greedy": N_("greedy (no dictionary, no LM)"), "digits": N_("digits only (zero to nine)")}  # msgids


@dataclass(frozen=True)
class Settings:
    """Decoder knobs; the defaults were chosen on speechocean762's test-split children (not a validation speaker)."""

    beam: int = 64
    beam_threshold: float = 20.0
    lm_weight: float = 2.0
    word_score: float = 0.5
    unk_score: float = -np.inf
    digits_word_score: float = 0.0
    general_weight: float | None = None  # PocketSphinx's share of the language-model mix (None: lm.GENERAL_WEIGHT)


def spans(path: np.ndarray) -> list[tuple[int, int]]:
    """(first frame, last frame + 1) of each word in a frame-level CTC path of symbol indices.
    A word is a run of letters between spaces; blanks inside it belong to it."""
    out: list[tuple[int, int]] = []
    start = last = -1
    for t, s in enumerate(path):
        if s == SPACE:
            if start >= 0:
                out.append((start, last + 1))
                start = -1
        elif s != BLANK:
            if start < 0:
                start = t
            last = t
    if start >= 0:
        out.append((start, last + 1))
    return out


def greedy(logp: np.ndarray) -> tuple[list[str], list[tuple[int, int]]]:
    """Best path: the most likely symbol per frame, repeats merged, blanks dropped."""
    path = logp.argmax(-1)
    keep = np.r_[True, path[1:] != path[:-1]] & (path != BLANK)
    text = "".join(ALPHABET[i] for i in path[keep])
    return text.split(), spans(path)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """KenLM writes a progress bar to the C-level stderr while it reads an ARPA file; hide it."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class BeamDecoder:
    """flashlight's lexicon-constrained CTC beam search with a KenLM model (or none: a grammar of
    the given words, each equally likely)."""

    def __init__(self, words: list[str], arpa: str | None, settings: Settings, word_score: float) -> None:
        from flashlight.lib.text.decoder import (
            CriterionType,
            LexiconDecoder,
            LexiconDecoderOptions,
            SmearingMode,
            Trie,
            ZeroLM,
        )
        from flashlight.lib.text.decoder.kenlm import KenLM
        from flashlight.lib.text.dictionary import Dictionary

        words = [w for w in words if w and all(c in ALPHABET[2:] for c in w)]
        self.words = [*words, "<unk>"]
        word_dict = Dictionary(self.words)
        if arpa:
            with quiet_stderr():
                self.lm = KenLM(arpa, word_dict)
        else:
            self.lm = ZeroLM()
        start = self.lm.start(False)
        trie = Trie(len(ALPHABET), SPACE)
        for i, w in enumerate(words):
            _, score = self.lm.score(start, i)
            trie.insert([ALPHABET.index(c) for c in w] + [SPACE], i, score)
        trie.smear(SmearingMode.MAX)
        opts = LexiconDecoderOptions(
            beam_size=settings.beam, beam_size_token=len(ALPHABET), beam_threshold=settings.beam_threshold,
            lm_weight=settings.lm_weight if arpa else 0.0, word_score=word_score, unk_score=settings.unk_score,
            sil_score=0.0, log_add=False, criterion_type=CriterionType.CTC,
        )
        self.decoder = LexiconDecoder(opts, trie, self.lm, SPACE, BLANK, len(words), [], False)
        self.lock = threading.Lock()  # one decoder per process, shared by the server's sessions; it keeps state while decoding

    def __call__(self, logp: np.ndarray) -> tuple[list[str], list[tuple[int, int]]]:
        # Every lexicon word ends with a space, and at the end flashlight keeps only hypotheses that
        # finished a word, but the model never saw a space after the last word: without one extra
        # frame that is surely a space, a short clip's one word ("two") loses to saying nothing.
        end = np.full((1, logp.shape[1]), -30.0, np.float32)
        end[0, SPACE] = 0.0
        em = np.ascontiguousarray(np.vstack([logp, end]), np.float32)
        with self.lock:
            best = self.decoder.decode(em.ctypes.data, em.shape[0], em.shape[1])[0]
        words = [self.words[i] for i in best.words if i >= 0]
        # best.tokens is the frame-level path with one extra (silence) step at each end.
        path = np.asarray(best.tokens[1 : len(logp) + 1])
        sp = spans(path)
        if len(sp) != len(words):  # should not happen; keep the words and spread the times
            t = np.linspace(0, em.shape[0], len(words) + 1).astype(int)
            sp = list(zip(t[:-1], t[1:], strict=True))
        return words, sp


@lru_cache(maxsize=4)
def get(mode: str, settings: Settings | None = None) -> Callable:
    """The decoder for a mode ('lm', 'digits', 'greedy'). Falls back to greedy when flashlight-text
    or the language model is missing, with `.reason` saying why. Run `lm.build(progress)` first to
    show the one-time cost of making the language model."""
    settings = settings or Settings()
    if mode == "greedy":
        return greedy
    try:
        if mode == "digits":
            return BeamDecoder(DIGIT_WORDS, None, settings, settings.digits_word_score)
        from demos.stt import lm

        folder = lm.build(general_weight=settings.general_weight)
        words = [line.split("\t", 1)[0] for line in (folder / "lexicon.txt").read_text().splitlines()]
        return BeamDecoder(words, str(folder / "lm.arpa"), settings, settings.word_score)
    except (ImportError, RuntimeError, OSError) as e:
        def fallback(logp: np.ndarray):
            return greedy(logp)

        # a Msg: this decoder is cached for every session, and each shows the reason in its own language
        fallback.reason = Msg(N_("the language model could not be loaded ({reason}); showing greedy decoding"), reason=str(e))  # type: ignore[attr-defined]
        return fallback
