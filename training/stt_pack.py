"""Pack the speech-to-text training audio small enough to carry to a GPU machine (for train_stt_accel.py).

    python -m training.stt_pack [--tts 4000] [--kbps 20] [--jobs 2]   # -> training/runs/stt_pack/

The recorded training clips (the same speaker split as training/stt_corpus.py: validation speakers
never included) and freshly synthesised TTS clips (a new seed, so new sentences, voices and rates),
without augmentation: the GPU script augments them anew. All clips are joined into one 16 kHz
stream with 0.25 s of silence between them and encoded as Opus (about 2.5 kB per second of speech
at 20 kb/s; 40 times smaller than our float16 log-mel shards), plus an index of sample offsets
(<name>.json). dev.opus: the decoder-tuning clips (speechocean762 test-split children), the GPU run's monitor.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from training.stt_corpus import ESPEAK, FESTIVAL, FLITE, normalise, real_clips, synth, synthetic_texts

PACK = Path(__file__).resolve().parent / "runs" / "stt_pack"
GAP = 4000  # samples of silence between clips


def load(job: dict) -> tuple[np.ndarray | None, str, str]:
    from demos.audio import read_audio

    try:
        if job["kind"] == "real":
            x = read_audio(job["path"])
        else:
            rng = random.Random(job["seed"])
            x = synth(job["engine"], job["voice"], job["say"], rng)
            pad = lambda: np.zeros(int(rng.uniform(0.05, 0.4) * 16000), np.float32)  # noqa: E731
            x = np.concatenate([pad(), x, pad()])
        if len(x) < 4000:
            return None, job["text"], job["source"]
        return (np.clip(x / (np.abs(x).max() + 1e-9) * 0.7, -1, 1) * 32767).astype(np.int16), job["text"], job["source"]
    except Exception as e:  # noqa: BLE001 - a bad clip is skipped
        print("skip", job.get("path") or job.get("say"), e, flush=True)
        return None, job["text"], job["source"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tts", type=int, default=4000, help="synthetic clips")
    ap.add_argument("--kbps", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    PACK.mkdir(parents=True, exist_ok=True)
    jobs = [dict(kind="real", path=str(p), text=normalise(t), source=s) for p, t, s in real_clips("train")]
    rng = random.Random(1)  # the corpus used seed 0: other sentences and voices
    for i, (say, text) in enumerate(synthetic_texts(args.tts, rng)):
        engine = rng.choices(["flite", "espeak", "festival"], [0.4, 0.35, 0.25])[0]
        voice = rng.choice({"flite": FLITE, "espeak": ESPEAK, "festival": FESTIVAL}[engine])
        jobs.append(dict(kind="synth", engine=engine, voice=voice, say=say, text=text, source=f"tts_{engine}", seed=10_000_000 + i))
    dev = [dict(kind="real", path=str(p), text=normalise(t), source="dev") for p, t, _ in real_clips("dev")[::4]]
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, todo in [("dev", dev), ("audio", jobs)]:  # dev: speechocean762 test-split children, the monitor
            if not (PACK / f"{name}.opus").exists():
                write(name, [it for it in pool.map(load, todo, chunksize=16) if it[0] is not None], args.kbps)


def write(name: str, items: list, kbps: int) -> None:
    """Clips -> <name>.opus (one stream, GAP samples of silence between clips) + <name>.json (offsets, texts)."""
    gap = np.zeros(GAP, np.int16)
    offsets, pos, parts = [], GAP, [gap]
    for x, _, _ in items:
        offsets.append((pos, len(x)))
        parts += [x, gap]
        pos += len(x) + GAP
    raw = np.concatenate(parts)
    index = [{"start": o, "n": n, "text": t, "source": s} for (o, n), (_, t, s) in zip(offsets, items, strict=True)]
    (PACK / f"{name}.json").write_text(json.dumps(index))
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "-",
                    "-c:a", "libopus", "-b:a", f"{kbps}k", "-application", "audio", str(PACK / f"{name}.opus")],
                   input=raw.tobytes(), check=True)
    hours = sum(n for _, n in offsets) / 16000 / 3600
    print(f"{name}: {len(items)} clips, {hours:.2f} h, {(PACK / f'{name}.opus').stat().st_size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
