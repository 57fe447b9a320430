"""The English language model and lexicon for the decoder, made once from what PocketSphinx ships.

PocketSphinx's `en-us.lm.bin` (72k words, 3-gram) is a KenLM-style trie in its own binary layout;
read_trie reads it straight into arrays (the layout of pocketsphinx's src/lm/lm_trie.c; its own ARPA
writer crashes in the 3-gram section). It is kept to its VOCAB most frequent words, BIGRAMS likeliest
word pairs and TRIGRAMS likeliest triples, so that it loads in about a second, and mixed with a small
in-domain bigram model trained on the training speakers' transcripts (`weights/stt_domain.arpa`, made
by training/stt_text_lm.py). The mix is written, with a lexicon (each word's spelling), to a cache
folder: `$SEEDL_CACHE` or `~/.cache/seedl`. That takes some seconds once; later runs read the cache.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from demos import i18n

VERSION = 4
VOCAB = 72_000  # most frequent words kept (all of PocketSphinx's that the alphabet can spell)
BIGRAMS = 1_500_000  # likeliest word pairs kept (by joint probability)
TRIGRAMS = 1_000_000  # likeliest word triples kept (by joint probability)
WORD = re.compile(r"^[a-z']+$")
SPECIAL = {"<s>", "</s>", "<unk>"}
DOMAIN = Path(__file__).resolve().parents[2] / "weights" / "stt_domain.arpa"
GENERAL_WEIGHT = 0.8  # PocketSphinx's share of the mix; the rest is the in-domain model (chosen on native_dev + dev together)

_BUILDING = threading.Lock()


def cache_dir(general_weight: float = GENERAL_WEIGHT) -> Path:
    return Path(os.environ.get("SEEDL_CACHE") or Path.home() / ".cache" / "seedl") / f"stt_lm_v{VERSION}_g{general_weight:g}"


def ready() -> bool:
    return (cache_dir() / "done").exists()


def source_lm() -> Path:
    from pocketsphinx import get_model_path

    return Path(get_model_path()) / "en-us" / "en-us.lm.bin"


Unigrams = dict[str, tuple[float, float]]  # word -> (P, back-off weight), probabilities (not logs)
Bigrams = dict[str, dict[str, float]]  # history -> word -> P(word | history)
Trigrams = dict[tuple[str, str], dict[str, float]]  # (h1, h2) -> word -> P(word | h1 h2)
Backoffs = dict[tuple[str, str], float]  # (h1, h2) -> back-off weight of that two-word history

TRIE_HEADER = b"Trie Language Model"
LOGMATH_TO_LOG10 = math.log10(1.0001)  # the trie's values are in PocketSphinx's LogMath units (base 1.0001)


def _bit_fields(mem: np.ndarray, offsets: np.ndarray, mask: int) -> np.ndarray:
    """Little-endian fields of up to 25 bits at the given bit offsets (pocketsphinx's bitarr_read_int25)."""
    b = offsets >> 3
    v = mem[b].astype(np.uint32) | mem[b + 1].astype(np.uint32) << 8 | mem[b + 2].astype(np.uint32) << 16 | mem[b + 3].astype(np.uint32) << 24
    return ((v >> (offsets & 7).astype(np.uint32)) & np.uint32(mask)).astype(np.int64)


def read_trie(path: Path) -> tuple[list[str], np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """A 3-gram PocketSphinx trie: its words, their unigram log10 P, the bigrams (h, w, log10 P(w|h))
    and the trigrams (h1, h2, w, log10 P(w|h1 h2)), words as indices. Back-off weights are not read:
    mix() recomputes them for what is kept.

    The layout: a header, the order and counts, 16-bit quantisation tables, the unigrams (prob, bo,
    index of their first bigram), then bit-packed bigrams (word, bo, prob, index of the first trigram)
    and trigrams (word, prob). The trie is reversed: a unigram's bigrams are the words *before* it."""
    raw = np.fromfile(path, np.uint8)
    if raw[: len(TRIE_HEADER)].tobytes() != TRIE_HEADER or raw[len(TRIE_HEADER)] != 3:
        raise RuntimeError(i18n._("PocketSphinx's language model is not the 3-gram trie it should be"))
    pos = len(TRIE_HEADER) + 1
    n1, n2, n3 = (int(c) for c in raw[pos : pos + 12].view("<u4"))  # the allocated sizes
    pos += 12 + 4  # + a word that once named the quantisation
    tables = raw[pos : pos + 4 * 3 * 65536].view("<f4") * LOGMATH_TO_LOG10
    mid_prob, long_prob = tables[:65536], tables[131072:]  # (tables[65536:131072]: bigram back-offs)
    pos += 4 * 3 * 65536
    uni = raw[pos : pos + 12 * (n1 + 1)].view("<f4").reshape(-1, 3)
    uni_p, first = uni[:n1, 0] * LOGMATH_TO_LOG10, raw[pos : pos + 12 * (n1 + 1)].view("<u4")[2::3].astype(np.int64)
    pos += 12 * (n1 + 1)
    word_bits, next_bits = n1.bit_length(), n3.bit_length()
    mid_bits, long_bits = word_bits + 32 + next_bits, word_bits + 16
    mid_bytes, long_bytes = ((1 + n2) * mid_bits + 7) // 8 + 8, ((1 + n3) * long_bits + 7) // 8 + 8
    mid, long = raw[pos : pos + mid_bytes], raw[pos + mid_bytes : pos + mid_bytes + long_bytes]
    pos += mid_bytes + long_bytes
    size = int(raw[pos : pos + 4].view("<u4")[0])
    words = [w.decode("utf-8", "replace") for w in raw[pos + 4 : pos + 4 + size].tobytes().split(b"\0")[:n1]]
    m2 = int(first[-1])  # bigrams actually there (the header may count a few more)
    at = np.arange(m2 + 1, dtype=np.int64) * mid_bits
    h2 = _bit_fields(mid, at[:-1], (1 << word_bits) - 1)
    p2 = mid_prob[_bit_fields(mid, at[:-1] + word_bits + 16, 0xFFFF)]
    first3 = _bit_fields(mid, at + word_bits + 32, (1 << next_bits) - 1)
    w2 = np.repeat(np.arange(n1), np.diff(first))
    m3 = int(first3[-1])
    at = np.arange(m3, dtype=np.int64) * long_bits
    h1 = _bit_fields(long, at, (1 << word_bits) - 1)
    p3 = long_prob[_bit_fields(long, at + word_bits, 0xFFFF)]
    pair = np.repeat(np.arange(m2), np.diff(first3))
    return words, uni_p, (h2, w2, p2), (h1, h2[pair], w2[pair], p3)


def read_general(path: Path, n_words: int, n_bigrams: int, n_trigrams: int) -> tuple[Unigrams, Bigrams, Trigrams]:
    """The trie, kept to the n_words likeliest words (that the alphabet spells), and among them the
    n_bigrams and n_trigrams likeliest pairs and triples (joint probability). A triple is kept only
    when both its pairs are, as an ARPA file needs."""
    words, uni_p, (h, w, p2), (a, b, c, p3) = read_trie(path)
    spellable = np.array([bool(WORD.match(x)) for x in words])
    order = np.argsort(-np.where(spellable, uni_p, -np.inf), kind="stable")[: min(n_words, int(spellable.sum()))]
    keep = np.zeros(len(words), bool)
    keep[order] = True
    keep |= np.array([x in SPECIAL for x in words])
    n = len(words)
    ok = keep[h] & keep[w]
    best = np.argsort(-(uni_p[h] + p2)[ok], kind="stable")[:n_bigrams]
    h, w, p2 = h[ok][best], w[ok][best], p2[ok][best]
    pairs = h * n + w
    ok = keep[a] & keep[b] & keep[c] & np.isin(a * n + b, pairs) & np.isin(b * n + c, pairs)
    joint = uni_p[a] + p3  # P(h1) P(w | h1 h2) stands in for the triple's joint probability
    best = np.argsort(-joint[ok], kind="stable")[:n_trigrams]
    a, b, c, p3 = a[ok][best], b[ok][best], c[ok][best], p3[ok][best]
    # each history's back-off weight, for what is kept: the probability left over, over the unigrams'
    left = 1 - np.bincount(h, 10**p2, n)
    backoff = np.maximum(left, 1e-6) / np.maximum(1 - np.bincount(h, 10 ** uni_p[w], n), 1e-6)
    uni = {words[i]: (10 ** float(uni_p[i]), float(backoff[i])) for i in np.flatnonzero(keep)}
    bi: Bigrams = {}
    for i, j, q in zip(h.tolist(), w.tolist(), (10**p2).tolist(), strict=True):
        bi.setdefault(words[i], {})[words[j]] = q
    tri: Trigrams = {}
    for i, j, k, q in zip(a.tolist(), b.tolist(), c.tolist(), (10**p3).tolist(), strict=True):
        tri.setdefault((words[i], words[j]), {})[words[k]] = q
    return uni, bi, tri


def read_arpa(path: Path) -> tuple[Unigrams, Bigrams]:
    """1- and 2-grams of an ARPA file, as probabilities; stops at 3-grams, and drops a last
    2-gram line that a crashed writer may have cut short."""
    uni: Unigrams = {}
    lines: list[list[str]] = []
    section = 0
    with path.open(encoding="utf-8", errors="ignore") as f:
        for line in f:
            if line.startswith("\\1-grams:"):
                section = 1
            elif line.startswith("\\2-grams:"):
                section = 2
            elif line.startswith("\\3-grams:") or line.startswith("\\end\\"):
                break
            elif section == 1 and len(p := line.split()) >= 2:
                uni[p[1]] = (10 ** float(p[0]), 10 ** float(p[2]) if len(p) > 2 else 1.0)
            elif section == 2 and len(p := line.split()) >= 3:
                lines.append(p)
    bi: Bigrams = {}
    for p in lines[:-1] if section == 2 else lines:
        bi.setdefault(p[1], {})[p[2]] = 10 ** float(p[0])
    return uni, bi


def mix(models: list[tuple[float, Unigrams, Bigrams, Trigrams]]) -> tuple[Unigrams, Bigrams, Trigrams, Backoffs]:
    """Linear interpolation of back-off models, sum_i weight_i * P_i(w | history), written back as one
    back-off model: the explicit n-grams are the union of the models'; each history's back-off weight
    is recomputed so that P(. | history) sums to 1. A model without trigrams ({}) answers a triple
    with its bigram P(w | h2)."""
    vocab = set().union(*(m[1] for m in models)) - {"<unk>"}

    def p_uni(u: Unigrams, w: str) -> float:
        return u.get(w, (1e-9, 1.0))[0]

    def p_bi(u: Unigrams, b: Bigrams, h: str, w: str) -> float:
        explicit = b.get(h, {}).get(w)
        return explicit if explicit is not None else u.get(h, (0, 1.0))[1] * p_uni(u, w)

    words = sorted(vocab - {"<s>"})
    word_set = set(words)
    total = sum(sum(m[0] * p_uni(m[1], w) for m in models) for w in words)
    mixed_uni = {w: sum(m[0] * p_uni(m[1], w) for m in models) / total for w in words}
    bi: Bigrams = {}
    backoff: dict[str, float] = {}
    for h in set().union(*(m[2] for m in models)):
        if h not in vocab:
            continue
        nexts = set().union(*(m[2].get(h, {}) for m in models)) & word_set
        bi[h] = {w: sum(wt * p_bi(u, b, h, w) for wt, u, b, _ in models) for w in nexts}
        backoff[h] = max(1 - sum(bi[h].values()), 1e-6) / max(1 - sum(mixed_uni[w] for w in nexts), 1e-6)
    uni: Unigrams = {w: (p, backoff.get(w, 1.0)) for w, p in mixed_uni.items()}
    uni["<s>"] = (1e-99, backoff.get("<s>", 1.0))
    uni["<unk>"] = (1e-100, 1.0)  # KenLM wants one; the decoder never proposes it

    def p_mixed(h: str, w: str) -> float:
        explicit = bi.get(h, {}).get(w)
        return explicit if explicit is not None else uni[h][1] * mixed_uni[w]

    tri: Trigrams = {}
    tri_backoff: Backoffs = {}
    for ctx in set().union(*(m[3] for m in models)):
        h1, h2 = ctx
        if h2 not in bi.get(h1, {}):  # an ARPA triple needs its history as a pair
            continue
        nexts = set().union(*(m[3].get(ctx, {}) for m in models)) & word_set
        parts = []
        for wt, u, b, t in models:
            own = t.get(ctx)
            if own is None:  # this model has nothing to say after h1 h2: its P(w | h2)
                parts.append((wt, None, 1.0, u, b))
            else:  # its own back-off for the words it does not list, renormalised over the rest
                bo = max(1 - sum(own.values()), 1e-6) / max(1 - sum(p_bi(u, b, h2, w) for w in own), 1e-6)
                parts.append((wt, own, bo, u, b))
        tri[ctx] = {w: sum(wt * (own[w] if own and w in own else bo * p_bi(u, b, h2, w)) for wt, own, bo, u, b in parts) for w in nexts}
        tri_backoff[ctx] = max(1 - sum(tri[ctx].values()), 1e-6) / max(1 - sum(p_mixed(h2, w) for w in nexts), 1e-6)
    return uni, bi, tri, tri_backoff


def write_arpa(path: Path, uni: Unigrams, bi: Bigrams, tri: Trigrams | None = None, tri_backoff: Backoffs | None = None) -> None:
    tmp = path.with_suffix(".tmp")
    tri, tri_backoff = tri or {}, tri_backoff or {}
    n2, n3 = sum(len(nx) for nx in bi.values()), sum(len(nx) for nx in tri.values())
    log = lambda p: f"{max(math.log10(p), -99):.5f}"  # noqa: E731
    with tmp.open("w") as f:
        f.write(f"\\data\\\nngram 1={len(uni)}\nngram 2={n2}\n" + (f"ngram 3={n3}\n" if n3 else "") + "\n\\1-grams:\n")
        f.writelines(f"{log(p)}\t{w}\t{log(bo)}\n" for w, (p, bo) in sorted(uni.items()))
        f.write("\n\\2-grams:\n")
        for h, nx in bi.items():
            f.writelines(f"{log(p)}\t{h} {w}" + (f"\t{log(tri_backoff[h, w])}\n" if (h, w) in tri_backoff else "\n") for w, p in nx.items())
        if n3:
            f.write("\n\\3-grams:\n")
            f.writelines(f"{log(p)}\t{h1} {h2} {w}\n" for (h1, h2), nx in tri.items() for w, p in nx.items())
        f.write("\n\\end\\\n")
    tmp.rename(path)


def build(progress: Callable[[float, str], None] = lambda f, s: None, general_weight: float | None = None) -> Path:
    """Make the cache if it is missing; returns its folder (lm.arpa, lexicon.txt)."""
    w_general = GENERAL_WEIGHT if general_weight is None else general_weight
    with _BUILDING:  # two sessions asking at once: one builds, the other then finds it done
        return _build(cache_dir(w_general), w_general, progress)


def _build(out: Path, w_general: float, progress: Callable[[float, str], None]) -> Path:
    if (out / "done").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    progress(0.05, i18n._("Reading PocketSphinx's English language model (once)..."))
    uni, bi, tri = read_general(source_lm(), VOCAB, BIGRAMS, TRIGRAMS)
    if len(uni) < 1000 or not bi or not tri or any(not 0 < p <= 1 for p, _ in list(uni.values())[:1000]):
        raise RuntimeError(i18n._("PocketSphinx's language model could not be read"))
    models = [(w_general, uni, bi, tri)]
    if DOMAIN.exists() and w_general < 1:
        models.append((1 - w_general, *read_arpa(DOMAIN), {}))
    else:
        models = [(1.0, uni, bi, tri)]
    progress(0.4, i18n._("Mixing in the in-domain model..."))
    mixed = mix(models)
    progress(0.8, i18n._("Writing the language model and the lexicon..."))
    write_arpa(out / "lm.arpa", *mixed)
    words = sorted(w for w in mixed[0] if w not in SPECIAL)
    (out / "lexicon.txt").write_text("".join(f"{w}\t{' '.join(w)} |\n" for w in words))
    (out / "done").write_text("ok\n")
    progress(1.0, i18n._("Language model ready."))
    return out
