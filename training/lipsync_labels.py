"""Mouth-shape labels for real speech: PocketSphinx forced alignment (phones with 10 ms times)
of clips with transcripts, mapped to Rhubarb's shapes. Rerunnable; results cached per split.

    python -m training.lipsync_labels [--split train|dev|val] [--limit N] [--shard K/N]

Train: speechocean762's train split (all ages), Common Voice v1 dev: the native-accent clips in
../shared/data and 2,587 of the other 2,859 (no speaker ids; training/lipsync_sources.py).
Development (native, for choosing checkpoints): the Common Voice 6.1 clips with no accent given
(46 speakers) and every 10th Common Voice v1 clip without an accent (272, held out of training).
Validation (speakers never trained on nor used for choices): native = commonvoice_en (44
speakers), the Asterisk prompts (one US speaker, 8 kHz) and VCTK p239 (out of training now, but
the weights of before were trained on it); non-native = speechocean762's test-split adults.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from pathlib import Path

import numpy as np

SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"
RUN = Path(__file__).resolve().parent / "runs" / "lipsync"
NATIVE = {"commonvoice_en", "commonvoice_v1_dev", "cvv1_train", "cvv1_dev", "cv61_noaccent", "asterisk"}
SEEN_BEFORE = {"vctk"}  # native; the weights before Nov 2026 were trained on it, so reported on its own


def clips(split: str) -> list[tuple[Path, str, str]]:
    """(audio path, transcript, source) for the split: train, dev or val."""
    from training.lipsync_sources import asterisk, cv61_no_accent, cvv1_rest

    out = []

    def read(folder: str, keep=lambda rel: True):
        for rel, text in csv.reader((SPEECH / folder / "transcripts.tsv").open(), delimiter="\t"):
            if keep(rel):
                out.append((SPEECH / folder / rel, text, folder))

    so = {r["speaker"]: r for r in csv.DictReader((SPEECH / "speechocean762" / "speakers.tsv").open(), delimiter="\t")}
    if split == "train":
        read("speechocean762", lambda rel: so[rel.split("/")[0]]["split"] == "train")
        read("commonvoice_v1_dev")
        out += cvv1_rest("train")
    elif split == "dev":
        out += cv61_no_accent() + cvv1_rest("dev")
    else:
        read("speechocean762", lambda rel: so[rel.split("/")[0]]["split"] == "test" and int(so[rel.split("/")[0]]["age"]) >= 18)
        read("commonvoice_en")
        out += asterisk()
        read("vctk")
    return out


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " "))).strip()


def align(decoder, pcm: bytes, text: str) -> list[tuple[str, int, int]]:
    """[(phone, start frame, frames)] at 100 frames/s, or [] when alignment fails (a word the
    dictionary lacks, or audio that cannot be matched to the text)."""
    try:
        decoder.set_align_text(text)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        decoder.set_alignment()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        al = decoder.get_alignment()
    except RuntimeError:
        return []
    return [] if al is None else [(p.name, p.start, p.duration) for w in al for p in w]


def aligned() -> dict[str, dict]:
    """Every cached alignment (all splits and shards), by audio path."""
    return {r["path"]: r for f in sorted(RUN.glob("align_*.jsonl")) for r in map(json.loads, f.open())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=["train", "dev", "val"], default="train")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--shard", default="0/1", help="K/N: do every Nth clip from the Kth (run N processes at once)")
    args = ap.parse_args()
    from pocketsphinx import Decoder

    from demos.audio import read_audio

    RUN.mkdir(parents=True, exist_ok=True)
    k, n = map(int, args.shard.split("/"))
    out_file = RUN / f"align_{args.split}{f'_{k}' if n > 1 else ''}.jsonl"
    done = set(aligned())
    todo = [c for c in clips(args.split) if str(c[0]) not in done]
    todo = sorted(todo, key=lambda c: c[2] not in NATIVE)[k :: n][: args.limit or None]  # native speech first
    dec = Decoder(samprate=16000, bestpath=False, loglevel="FATAL")
    t0, ok = time.time(), 0
    with out_file.open("a") as f:
        for i, (path, text, source) in enumerate(todo):
            x = np.zeros(0, np.float32)
            try:
                x = read_audio(path)
                phones = align(dec, (x * 32767).astype(np.int16).tobytes(), normalise(text))
            except Exception as e:  # a word missing from the dictionary, a bad file: skip, say so
                print(f"skip {path}: {e}", flush=True)
                phones = []
            f.write(json.dumps({"path": str(path), "source": source, "seconds": round(len(x) / 16000, 3), "phones": phones}) + "\n")
            ok += bool(phones)
            if i % 100 == 0:
                print(f"{i + 1}/{len(todo)} aligned ({ok} ok) {time.time() - t0:.0f}s", flush=True)
    print(f"done: {ok}/{len(todo)} aligned in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
