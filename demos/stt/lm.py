"""The English language model and lexicon for the decoder, made once from what PocketSphinx ships.

PocketSphinx's `en-us.lm.bin` (72k words, 3-gram) is exported as ARPA text and kept to its 20k
most frequent words and 600k likeliest word pairs, so it loads in under a second (its ARPA writer
crashes in the 3-gram section, so trigrams are not available). That general model is mixed with a
small in-domain bigram model trained on the training speakers' transcripts
(`weights/stt_domain.arpa`, made by training/stt_text_lm.py), and written with a lexicon (each
word's spelling) to a cache folder: `$SEEDL_CACHE` or `~/.cache/seedl`. That takes some seconds
once; later runs read the cache.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from demos import i18n

VERSION = 3
VOCAB = 20_000  # most frequent words kept
BIGRAMS = 600_000  # most frequent word pairs kept (by joint probability)
WORD = re.compile(r"^[a-z']+$")
SPECIAL = {"<s>", "</s>", "<unk>"}
DOMAIN = Path(__file__).resolve().parents[2] / "weights" / "stt_domain.arpa"
GENERAL_WEIGHT = 0.5  # PocketSphinx's share of the mix; the rest is the in-domain model (chosen on the dev set)

_BUILDING = threading.Lock()


def cache_dir(general_weight: float = GENERAL_WEIGHT) -> Path:
    return Path(os.environ.get("SEEDL_CACHE") or Path.home() / ".cache" / "seedl") / f"stt_lm_v{VERSION}_g{general_weight:g}"


def ready() -> bool:
    return (cache_dir() / "done").exists()


def source_lm() -> Path:
    from pocketsphinx import get_model_path

    return Path(get_model_path()) / "en-us" / "en-us.lm.bin"


EXPORT = """
import sys
from pocketsphinx import Config, LogMath, NGramModel
config, logmath = Config(), LogMath()  # both must outlive the model, or its scores are garbage
m = NGramModel(config, logmath, sys.argv[1])
m.write(sys.argv[2], NGramModel.str_to_type("arpa"))
"""


def _export(out: Path) -> None:
    """ARPA text of PocketSphinx's LM. Runs in a child process: the writer crashes (a segfault)
    after the 2-gram section, and that must not take the app down with it."""
    subprocess.run([sys.executable, "-c", EXPORT, str(source_lm()), str(out)], capture_output=True, timeout=300)
    if not out.exists() or "\\2-grams:" not in out.read_text(errors="ignore")[:5_000_000]:
        raise RuntimeError(i18n._("could not export PocketSphinx's language model"))


Unigrams = dict[str, tuple[float, float]]  # word -> (P, back-off weight), probabilities (not logs)
Bigrams = dict[str, dict[str, float]]  # history -> word -> P(word | history)


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


def prune(uni: Unigrams, bi: Bigrams, n_words: int, n_bigrams: int) -> tuple[Unigrams, Bigrams]:
    """Keep the n_words likeliest words and, among them, the n_bigrams likeliest pairs (joint probability)."""
    ranked = sorted((w for w in uni if WORD.match(w)), key=lambda w: -uni[w][0])
    keep = set(ranked[:n_words]) | (SPECIAL & set(uni))
    pairs = sorted(((uni[h][0] * p, h, w) for h, nx in bi.items() if h in keep for w, p in nx.items() if w in keep), reverse=True)
    out: Bigrams = {}
    for _, h, w in pairs[:n_bigrams]:
        out.setdefault(h, {})[w] = bi[h][w]
    return {w: uni[w] for w in keep}, out


def mix(models: list[tuple[float, Unigrams, Bigrams]]) -> tuple[Unigrams, Bigrams]:
    """Linear interpolation of back-off bigram models, sum_i weight_i * P_i(w | h), written back as
    one back-off model: explicit pairs are the union of the models' pairs; each history's back-off
    weight is recomputed so that P(. | h) sums to 1 over the mixed unigram."""
    vocab = set().union(*(u for _, u, _ in models)) - {"<unk>"}

    def p_uni(u: Unigrams, w: str) -> float:
        return u.get(w, (1e-9, 1.0))[0]

    def p_bi(u: Unigrams, b: Bigrams, h: str, w: str) -> float:
        explicit = b.get(h, {}).get(w)
        return explicit if explicit is not None else u.get(h, (0, 1.0))[1] * p_uni(u, w)

    words = sorted(vocab - {"<s>"})
    word_set = set(words)
    total = sum(sum(wt * p_uni(u, w) for wt, u, _ in models) for w in words)
    mixed_uni = {w: sum(wt * p_uni(u, w) for wt, u, _ in models) / total for w in words}
    bi: Bigrams = {}
    backoff: dict[str, float] = {}
    for h in set().union(*(b for _, _, b in models)):
        if h not in vocab:
            continue
        nexts = set().union(*(b.get(h, {}) for _, _, b in models)) & word_set
        bi[h] = {w: sum(wt * p_bi(u, b, h, w) for wt, u, b in models) for w in nexts}
        left, left_uni = 1 - sum(bi[h].values()), 1 - sum(mixed_uni[w] for w in nexts)
        backoff[h] = max(left, 1e-6) / max(left_uni, 1e-6)
    uni: Unigrams = {w: (p, backoff.get(w, 1.0)) for w, p in mixed_uni.items()}
    uni["<s>"] = (1e-99, backoff.get("<s>", 1.0))
    uni["<unk>"] = (1e-100, 1.0)  # KenLM wants one; the decoder never proposes it
    return uni, bi


def write_arpa(path: Path, uni: Unigrams, bi: Bigrams) -> None:
    tmp = path.with_suffix(".tmp")
    n2 = sum(len(nx) for nx in bi.values())
    log = lambda p: f"{max(math.log10(p), -99):.5f}"  # noqa: E731
    with tmp.open("w") as f:
        f.write(f"\\data\\\nngram 1={len(uni)}\nngram 2={n2}\n\n\\1-grams:\n")
        f.writelines(f"{log(p)}\t{w}\t{log(bo)}\n" for w, (p, bo) in sorted(uni.items()))
        f.write("\n\\2-grams:\n")
        f.writelines(f"{log(p)}\t{h} {w}\n" for h, nx in bi.items() for w, p in nx.items())
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
    raw = out / "raw.arpa"
    progress(0.05, i18n._("Exporting PocketSphinx's English language model (once)..."))
    _export(raw)
    progress(0.4, i18n._("Keeping the most frequent words..."))
    uni, bi = read_arpa(raw)
    raw.unlink()
    if len(uni) < 1000 or not bi or any(not 0 < p <= 1 for p, _ in list(uni.values())[:1000]):
        raise RuntimeError(i18n._("PocketSphinx's language model did not export cleanly"))
    uni, bi = prune(uni, bi, VOCAB, BIGRAMS)
    if DOMAIN.exists() and w_general < 1:
        progress(0.6, i18n._("Mixing in the in-domain model..."))
        d_uni, d_bi = read_arpa(DOMAIN)
        uni, bi = mix([(w_general, uni, bi), (1 - w_general, d_uni, d_bi)])
    else:
        uni, bi = mix([(1.0, uni, bi)])  # renormalises what pruning left
    progress(0.8, i18n._("Writing the language model and the lexicon..."))
    write_arpa(out / "lm.arpa", uni, bi)
    words = sorted(w for w in uni if w not in SPECIAL)
    (out / "lexicon.txt").write_text("".join(f"{w}\t{' '.join(w)} |\n" for w in words))
    (out / "done").write_text("ok\n")
    progress(1.0, i18n._("Language model ready."))
    return out
