"""From character (and phone) probabilities to words: CTC beam search with a lexicon and a language
model (flashlight-text's decoder, the one wav2letter and torchaudio use), a small-grammar mode for
digits, and greedy decoding as the fallback. Word times come from the CTC alignment.

The acoustic model emits, every 30 ms, log P(symbol) over ALPHABET: blank, space, ', a-z; and,
when it has a phone head, log P(phone) over demos/stt/phones.py's PHONES. Then the words are read
both ways: a beam search over the letters and one over the phones (a word's phones come from the
CMU dictionary) each propose their best few sentences, and each proposal is scored by both heads
(the CTC probability of its spelling and of its phones) plus the language model. Reading the sounds
helps where the spelling is irregular, which is where a model that heard little speech is weakest.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
    # With a phone head (chosen on the native development split, training/tune_stt_decoder.py; the
    # letters' share again with the 3-gram LM, on native_dev and speechocean762's children together):
    nbest: int = 16  # proposals kept from each beam search
    char_share: float = 0.4  # the letters' share of the acoustic score; the phones have the rest
    digits_char_share: float = 0.5  # the same in digits-only mode (its setting before the 3-gram LM; 0.4 loses a digit in 250)
    rescore_lm_weight: float = 2.5
    rescore_word_score: float = 0.0


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


def greedy(logp: np.ndarray, phones: np.ndarray | None = None) -> tuple[list[str], list[tuple[int, int]]]:
    """Best path: the most likely symbol per frame, repeats merged, blanks dropped (letters only)."""
    path = logp.argmax(-1)
    keep = np.r_[True, path[1:] != path[:-1]] & (path != BLANK)
    text = "".join(ALPHABET[i] for i in path[keep])
    return text.split(), spans(path)


def ctc_scores(logp: np.ndarray, labels: list[list[int]]) -> np.ndarray:
    """log P(labels | audio) under CTC for each label sequence: the forward algorithm over all
    alignments (blank, label, blank, label, ..., blank), run for every sequence at once."""
    ext = [[BLANK, *(x for c in lab for x in (c, BLANK))] for lab in labels]
    n, width = len(ext), max(len(e) for e in ext)
    sym = np.zeros((n, width), int)
    valid = np.zeros((n, width), bool)
    for i, e in enumerate(ext):
        sym[i, : len(e)], valid[i, : len(e)] = e, True
    # A step may skip the blank between two different labels, never between repeats.
    skip = np.zeros((n, width), bool)
    skip[:, 2:] = (sym[:, 2:] != BLANK) & (sym[:, 2:] != sym[:, :-2])
    never = np.full((n, 2), -np.inf)
    alpha = np.where(valid & (np.arange(width) < 2), logp[0][sym], -np.inf)
    for t in range(1, len(logp)):
        one = np.hstack([never[:, :1], alpha[:, :-1]])
        two = np.where(skip, np.hstack([never, alpha[:, :-2]]), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, one), two) + np.where(valid, logp[t][sym], -np.inf)
    ends = np.array([len(e) for e in ext])
    rows = np.arange(n)
    last_label = np.where(ends > 1, alpha[rows, np.maximum(ends - 2, 0)], -np.inf)  # an empty sequence has none
    return np.logaddexp(alpha[rows, ends - 1], last_label)


def pieces(logp: np.ndarray, longest: int = 300) -> list[tuple[int, int]]:
    """(start, end) frames of pieces of at most `longest` frames (9 s), cut where the letters' head
    is surest that no letter is said (a pause, or at least a gap between words)."""
    quiet = np.convolve(np.logaddexp(logp[:, BLANK], logp[:, SPACE]), np.ones(9) / 9, "same")
    cuts = [0]
    while len(logp) - cuts[-1] > longest:
        lo = cuts[-1] + longest // 2
        cuts.append(lo + int(np.argmax(quiet[lo : cuts[-1] + longest])))
    return list(zip(cuts, [*cuts[1:], len(logp)], strict=True))


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
    the given words, each equally likely); with phones=True also a phone beam search, whose
    proposals and the letters' are rescored by both heads (see the module docstring)."""

    def __init__(self, words: list[str], arpa: str | None, settings: Settings, word_score: float, phones: bool = False) -> None:
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
        self.settings, self.word_score = settings, word_score
        self.index = {w: i for i, w in enumerate(words)}
        start = self.lm.start(False)
        self.unigram = [self.lm.score(start, i)[1] for i in range(len(words))]

        def search(n_tokens: int, spell: Callable[[str], list[list[int]]]):
            trie = Trie(n_tokens, SPACE)
            for i, w in enumerate(words):
                for tokens in spell(w):
                    trie.insert([*tokens, SPACE], i, self.unigram[i])
            trie.smear(SmearingMode.MAX)
            opts = LexiconDecoderOptions(
                beam_size=settings.beam, beam_size_token=n_tokens, beam_threshold=settings.beam_threshold,
                lm_weight=settings.lm_weight if arpa else 0.0, word_score=word_score, unk_score=settings.unk_score,
                sil_score=0.0, log_add=False, criterion_type=CriterionType.CTC,
            )
            return LexiconDecoder(opts, trie, self.lm, SPACE, BLANK, len(words), [], False)

        self.decoder = search(len(ALPHABET), lambda w: [[ALPHABET.index(c) for c in w]])
        self.phone_decoder = None
        if phones:
            from demos.stt import phones as ph

            lexicon = ph.lexicon()  # the phone and letter alphabets share blank (0) and word boundary (1)
            self.pronounce = {w: lexicon[w] for w in words if w in lexicon}
            with quiet_stderr():  # flashlight says so when more than 6 homophones share a node; it keeps 6
                self.phone_decoder = search(len(ph.PHONES), lambda w: self.pronounce.get(w, []))
        self.lock = threading.Lock()  # one decoder per process, shared by the server's sessions; it keeps state while decoding

    def _search(self, decoder, logp: np.ndarray, n: int) -> list[tuple[tuple[str, ...], np.ndarray]]:
        """The best n distinct word sequences of one beam search, each with its frame-level path."""
        # Every lexicon word ends with a space, and at the end flashlight keeps only hypotheses that
        # finished a word, but the model never saw a space after the last word: without one extra
        # frame that is surely a space, a short clip's one word ("two") loses to saying nothing.
        end = np.full((1, logp.shape[1]), -30.0, np.float32)
        end[0, SPACE] = 0.0
        em = np.ascontiguousarray(np.vstack([logp, end]), np.float32)
        with self.lock:
            results = decoder.decode(em.ctypes.data, em.shape[0], em.shape[1])
        out: dict[tuple[str, ...], np.ndarray] = {}
        for r in results:
            # r.tokens is the frame-level path with one extra (silence) step at each end.
            out.setdefault(tuple(self.words[i] for i in r.words if i >= 0), np.asarray(r.tokens[1 : len(logp) + 1]))
            if len(out) == n:
                break
        return list(out.items())

    def proposals(self, logp: np.ndarray, phones: np.ndarray) -> tuple[list[tuple[str, ...]], list[np.ndarray], np.ndarray]:
        """Both beam searches' best few sentences, their frame-level paths, and for each its score
        parts: CTC log P of its spelling (letter head), of its phones (phone head), the language
        model's log score, and its number of words."""
        n = self.settings.nbest
        found = dict(self._search(self.decoder, logp, n))
        for words, path in self._search(self.phone_decoder, phones, n):
            found.setdefault(words, path)
        candidates = list(found)
        by_chars = ctc_scores(logp, [[ALPHABET.index(c) for c in " ".join(words)] for words in candidates])
        by_phones = by_chars.copy()  # a word without a pronunciation: the letters' score stands in for the phones'
        owner, spelt = [], []
        for k, words in enumerate(candidates):
            if all(w in self.pronounce for w in words):
                for variant in self.pronunciations(words):
                    owner.append(k)
                    spelt.append(variant)
        if spelt:
            scores = ctc_scores(phones, spelt)
            for k in set(owner):
                by_phones[k] = max(s for o, s in zip(owner, scores, strict=True) if o == k)
        lm = [self.sentence_score(words) for words in candidates]
        parts = np.column_stack([by_chars, by_phones, lm, [len(words) for words in candidates]])
        return candidates, [found[w] for w in candidates], parts

    def pronunciations(self, words: tuple[str, ...], most: int = 4) -> list[list[int]]:
        """A sentence's phones: every word's first pronunciation, then (up to `most` in all) the same
        with one word said its other ways ("caught": k aa t, k ao t); the best one counts."""
        prons = [self.pronounce[w] for w in words]
        choices = [[0] * len(words)] + [[j if i == k else 0 for i in range(len(words))] for k, p in enumerate(prons) for j in range(1, len(p))]
        return [[p for i, (pr, j) in enumerate(zip(prons, c, strict=True)) for p in ([SPACE] if i else []) + pr[j]] for c in choices[:most]]

    def weights(self) -> np.ndarray:
        """How the score parts of proposals() add up."""
        s = self.settings
        return np.array([s.char_share, 1 - s.char_share, s.rescore_lm_weight, s.rescore_word_score])

    def sentence_score(self, words: tuple[str, ...]) -> float:
        """The language model's log score of a whole sentence (end of sentence included)."""
        state, total = self.lm.start(False), 0.0
        for w in words:
            state, score = self.lm.score(state, self.index[w])
            total += score
        return total + self.lm.finish(state)[1]

    def __call__(self, logp: np.ndarray, phones: np.ndarray | None = None) -> tuple[list[str], list[tuple[int, int]]]:
        if phones is None or self.phone_decoder is None:
            return self._read(logp, None)
        words, sp = [], []
        for a, b in pieces(logp):  # rescoring costs grow with the square of the length: read long clips in pieces
            w, s = self._read(logp[a:b], phones[a:b])
            words += w
            sp += [(x + a, y + a) for x, y in s]
        return words, sp

    def _read(self, logp: np.ndarray, phones: np.ndarray | None) -> tuple[list[str], list[tuple[int, int]]]:
        if phones is None:
            (words, path), = self._search(self.decoder, logp, 1)
        else:
            candidates, paths, parts = self.proposals(logp, phones)
            best = int(np.argmax(parts @ self.weights()))
            words, path = candidates[best], paths[best]
        sp = spans(path)  # a phone path marks word boundaries with the same index as a letter path
        if len(sp) != len(words):  # should not happen; keep the words and spread the times
            t = np.linspace(0, len(logp) + 1, len(words) + 1).astype(int)
            sp = list(zip(t[:-1], t[1:], strict=True))
        return list(words), sp


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
            digits = dataclasses.replace(settings, char_share=settings.digits_char_share)
            return BeamDecoder(DIGIT_WORDS, None, digits, settings.digits_word_score, phones=True)
        from demos.stt import lm

        folder = lm.build(general_weight=settings.general_weight)
        words = [line.split("\t", 1)[0] for line in (folder / "lexicon.txt").read_text().splitlines()]
        return BeamDecoder(words, str(folder / "lm.arpa"), settings, settings.word_score, phones=True)
    except (ImportError, RuntimeError, OSError) as e:
        def fallback(logp: np.ndarray, phones: np.ndarray | None = None):
            return greedy(logp)

        # a Msg: this decoder is cached for every session, and each shows the reason in its own language
        fallback.reason = Msg(N_("the language model could not be loaded ({reason}); showing greedy decoding"), reason=str(e))  # type: ignore[attr-defined]
        return fallback
