"""Speech kept outside the repository (and outside ../shared/data) that the talking-face labels use.

Nothing here is committed; bring it with the commands below, then `training.lipsync_labels` reads it.

1. Common Voice 6.1 sample: repository `omnilingo/rsample-100-cv-corpus-6.1-2020-12-11`
   @ 6785f863fec9770151abfe50a5e3e3787fd20ba2, paths `en/clips/*.mp3` and `en/validated.tsv`;
   licence CC0 1.0 (Common Voice). `git --git-dir=<mirror> archive HEAD en/ | tar -x -C /work/extra/cv61`.
   Used: the 50 clips with no accent given (46 client ids, none of them a `commonvoice_en` speaker);
   the 45 native-accent clips are `../shared/data/speech/commonvoice_en`, the 5 `indian` ones are left out.
2. Common Voice v1 `cv-valid-dev` (Kaggle split): repository `leeyide96/transcription-generator`
   @ 7139829445492a9ec7807f8d95894cfc2989d587, paths `asr/data/cv-valid-dev/cv-valid-dev/*.mp3` and
   `asr/data/cv-valid-dev.csv`; licence CC0 1.0. `git archive HEAD asr/data/cv-valid-dev.csv
   asr/data/cv-valid-dev | tar -x -C /work/extra/cvv1`. Used: the 2,859 clips that
   `../shared/data/speech/commonvoice_v1_dev` left out (2,726 without an accent, 133 non-native):
   every 10th clip without an accent is native development (for choosing checkpoints; no speaker
   ids, so a speaker may also be in training), the rest training.
3. Debian `asterisk-core-sounds-en-wav` 1.6.1-1 (`/usr/share/asterisk/sounds/en_US_f_Allison/**.wav`,
   8 kHz) with the texts of `asterisk-core-sounds-en` (`/usr/share/doc/asterisk-core-sounds-en/
   core-sounds-en.txt.gz`, `name: text` a line): telephone prompts by one native US speaker
   (Allison Smith); licence CC-BY-SA-3.0 (debian/copyright). `apt-get install asterisk-core-sounds-en-wav
   asterisk-core-sounds-en`. Used: every prompt with speech, `*`/`#`/single digits written as words;
   prompts with longer numbers (how they are read is unknown) and bracketed tones are left out.

Spot check against the evaluation texts (DESIGN.md): phrases of Harvard list 1, CMU ARCTIC a0001-a0003
and the JFK sentence do not occur in these transcripts.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

EXTRA = Path("/work/extra")
CV61 = EXTRA / "cv61" / "en"
CVV1 = EXTRA / "cvv1" / "asr" / "data"
ASTERISK = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"
DIGITS = "zero one two three four five six seven eight nine".split()

Clip = tuple[Path, str, str]  # audio path, transcript, source


def _already_in(folder: str) -> set[str]:
    """Repository paths of the clips that ../shared/data/speech/<folder> already holds."""
    rows = csv.DictReader((SPEECH / folder / "provenance.tsv").open(), delimiter="\t")
    return {r["path_in_repo"] for r in rows}


def cv61_no_accent() -> list[Clip]:
    """Common Voice 6.1 clips with no accent given (speaker ids, not in commonvoice_en)."""
    if not CV61.exists():
        return []
    have = _already_in("commonvoice_en")
    rows = csv.DictReader((CV61 / "validated.tsv").open(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [(CV61 / "clips" / r["path"], r["sentence"], "cv61_noaccent") for r in rows
            if r["accent"] == "" and f"en/clips/{r['path']}" not in have]


def cvv1_rest(part: str) -> list[Clip]:
    """Common Voice v1 cv-valid-dev clips that commonvoice_v1_dev does not hold (no speaker ids).
    part "dev": every 10th clip without an accent (native development); "train": all the others."""
    if not CVV1.exists():
        return []
    have = _already_in("commonvoice_v1_dev")
    rows = [r for r in csv.DictReader((CVV1 / "cv-valid-dev.csv").open()) if f"asr/data/cv-valid-dev/{r['filename']}" not in have]
    dev = {r["filename"] for r in [r for r in rows if r["accent"] == ""][::10]}
    return [(CVV1 / "cv-valid-dev" / r["filename"], r["text"], f"cvv1_{part}") for r in rows if (r["filename"] in dev) == (part == "dev")]


def prompt_text(text: str) -> str | None:
    """The spoken words of an Asterisk prompt, or None when they are not known for sure."""
    if "[" in text or re.search(r"\d\d|\d\.\d|\dD", text):
        return None
    text = text.replace("*", " star ").replace("#", " pound ")
    return re.sub(r"\d", lambda m: f" {DIGITS[int(m.group())]} ", text)


def asterisk() -> list[Clip]:
    """The Asterisk prompts (one native US speaker, 8 kHz) whose words are known."""
    if not ASTERISK_TEXT.exists():
        return []
    out = []
    for line in gzip.open(ASTERISK_TEXT, "rt"):
        name, sep, text = line.partition(": ")
        wav = ASTERISK / f"{name.strip()}.wav"
        words = prompt_text(text.strip()) if sep and not line.startswith(";") else None
        if words and wav.exists():
            out.append((wav, words, "asterisk"))
    return out
