"""A small in-domain bigram language model from the training speakers' transcripts, mixed at run
time with PocketSphinx's general English model (demos/stt/lm.py).

    python -m training.stt_text_lm          # -> weights/stt_domain.arpa + .json

Text: the transcripts of the real training speech (speechocean762 train split, Common Voice v1
dev, VCTK p239, AN4 train/, FSDD other speakers), minus every sentence that a validation,
development or monitor clip says (single words too, so no "<s> five </s>" from FSDD). Absolute
discounting (D = 0.7) backed off to an add-0.1 unigram, written as an ARPA back-off model.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

from training.stt_corpus import normalise, real_clips

OUT = Path(__file__).resolve().parents[1] / "weights" / "stt_domain"
D = 0.7


def sentences() -> list[list[str]]:
    banned = {normalise(t) for split in ("val", "native", "dev") for _, t, _ in real_clips(split)}
    return [s.split() for s in (normalise(t) for _, t, _ in real_clips("train")) if s and s not in banned]


def main() -> None:
    sents = sentences()
    uni: Counter[str] = Counter()
    bi: dict[str, Counter[str]] = defaultdict(Counter)
    for s in sents:
        words = ["<s>", *s, "</s>"]
        uni.update(words[1:])
        for h, w in zip(words, words[1:], strict=False):
            bi[h][w] += 1
    vocab = sorted(uni)
    total = sum(uni.values())
    p_uni = {w: (uni[w] + 0.1) / (total + 0.1 * len(vocab)) for w in vocab}
    lines_2, backoff = [], {}
    for h, nexts in bi.items():
        c_h = sum(nexts.values())
        explicit = {w: max(c - D, 0) / c_h + D * len(nexts) / c_h * p_uni[w] for w, c in nexts.items()}
        backoff[h] = (1 - sum(explicit.values())) / (1 - sum(p_uni[w] for w in explicit))
        lines_2 += [f"{math.log10(p):.5f}\t{h} {w}\n" for w, p in explicit.items()]
    OUT.parent.mkdir(exist_ok=True)
    with OUT.with_suffix(".arpa").open("w") as f:
        f.write(f"\\data\\\nngram 1={len(vocab) + 1}\nngram 2={len(lines_2)}\n\n\\1-grams:\n")
        f.write(f"-99\t<s>\t{math.log10(backoff['<s>']):.5f}\n")
        for w in vocab:
            f.write(f"{math.log10(p_uni[w]):.5f}\t{w}\t{math.log10(backoff.get(w, 1.0)):.5f}\n")
        f.write("\n\\2-grams:\n")
        f.writelines(lines_2)
        f.write("\n\\end\\\n")
    card = {"name": "stt_domain", "kind": "bigram language model (ARPA), absolute discounting D=0.7",
            "text": "transcripts of the real training speech; every validation, development and monitor sentence removed",
            "sentences": len(sents), "words": total - len(sents), "vocabulary": len(vocab), "bigrams": len(lines_2),
            "script": "training/stt_text_lm.py"}
    OUT.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(card)


if __name__ == "__main__":
    main()
