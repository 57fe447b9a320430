"""Phones: words spelt in ARPAbet through the CMU dictionary that PocketSphinx ships (39 phones,
stress dropped), with a word boundary between words.

The speech model has a second output beside the characters, log P(phone) every 30 ms
(training/train_stt.py --phone-aux): sounds are easier to learn from little speech than English
spelling, and the decoder (demos/stt/decoder.py) reads the words both ways and weighs the two.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

PHONES = ["_", "|", *"aa ae ah ao aw ay b ch d dh eh er ey f g hh ih iy jh k l m n ng ow oy p r s sh t th uh uw v w y z zh".split()]
BLANK, BOUNDARY = 0, 1  # as the character alphabet: 0 the CTC blank, 1 the space between words


def dict_path() -> Path:
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[list[int]]]:
    """word -> its pronunciations as phone indices (the first is the most common)."""
    index = {p.upper() + stress: i for i, p in enumerate(PHONES) for stress in ("", "0", "1", "2")}
    out: dict[str, list[list[int]]] = {}
    for line in dict_path().read_text(errors="replace").splitlines():
        word, _, said = line.partition(" ")
        said = said.split("#", 1)[0].split()  # a comment may follow the pronunciation
        if said:
            out.setdefault(word.split("(", 1)[0], []).append([index[p] for p in said])
    return out


def encode(text: str) -> np.ndarray | None:
    """A transcript as phone indices (each word's first pronunciation), words separated by BOUNDARY;
    None when a word is not in the dictionary (in training: no phone target for that clip)."""
    lex, out = lexicon(), []
    for w in text.split():
        if w not in lex:
            return None
        if out:
            out.append(BOUNDARY)
        out += lex[w][0]
    return np.array(out, np.int32)
