"""Mouth-shape labels for real speech: PocketSphinx forced alignment (phones with 10 ms times)
of clips with transcripts, mapped to Rhubarb's shapes. Rerunnable; results cached per split.

    python -m training.lipsync_labels [--split train|val] [--limit N]

Train: speechocean762's train split (all ages), VCTK p239, Common Voice v1 dev (no speaker ids,
so train only). Validation (speakers never trained on): speechocean762's test-split adults and
commonvoice_en (44 native speakers).
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


def clips(split: str) -> list[tuple[Path, str, str]]:
    """(audio path, transcript, source) for the split."""
    out = []

    def read(folder: str, keep=lambda rel: True):
        for rel, text in csv.reader((SPEECH / folder / "transcripts.tsv").open(), delimiter="\t"):
            if keep(rel):
                out.append((SPEECH / folder / rel, text, folder))

    so = {r["speaker"]: r for r in csv.DictReader((SPEECH / "speechocean762" / "speakers.tsv").open(), delimiter="\t")}
    if split == "train":
        read("speechocean762", lambda rel: so[rel.split("/")[0]]["split"] == "train")
        read("vctk")
        read("commonvoice_v1_dev")
    else:
        read("speechocean762", lambda rel: so[rel.split("/")[0]]["split"] == "test" and int(so[rel.split("/")[0]]["age"]) >= 18)
        read("commonvoice_en")
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=["train", "val"], default="train")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    from pocketsphinx import Decoder

    from demos.audio import read_audio

    RUN.mkdir(parents=True, exist_ok=True)
    out_file = RUN / f"align_{args.split}.jsonl"
    done = {json.loads(line)["path"] for line in out_file.open()} if out_file.exists() else set()
    todo = [c for c in clips(args.split) if str(c[0]) not in done][: args.limit or None]
    dec = Decoder(samprate=16000, bestpath=False, loglevel="FATAL")
    t0, ok = time.time(), 0
    with out_file.open("a") as f:
        for i, (path, text, source) in enumerate(todo):
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
