"""The speech-to-text training corpus: real speech plus synthetic speech from Debian's TTS engines,
augmented, as log-mel features in shards. Rerunnable: finished shards are kept.

    # mbrola* are in Debian's non-free component: add "contrib non-free" to the Components of
    # /etc/apt/sources.list.d/debian.sources and apt-get update first
    apt-get install flite festival festvox-kallpc16k festvox-kdlpc16k festvox-rablpc16k festvox-don \
        festvox-us-slt-hts espeak-ng mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1 fortunes fortunes-min
    python -m training.stt_corpus [--synth-clips 16000] [--jobs 2] [--kokoro]

--kokoro adds the Kokoro neural voices that training/stt_kokoro.py synthesised, as train_kokoro_*.npz
(--kokoro-copies 2: each clip twice, the second copy augmented anew, for variety without more voicing).
--synth-apart puts the synthetic clips in their own train_synth_*.npz shards, so that they can be added
to (or left out of) a corpus whose train_* shards are already built.

Real speech, split by speaker (validation speakers are never trained on):
  train: speechocean762 train split, VCTK p239, Common Voice v1 dev, FSDD (all but jackson), AN4 train/;
         with --more-cv also the other Common Voice v1 cv-valid-dev clips (lipsync_sources.cvv1_rest)
  val:   speechocean762 test-split adults, AN4 test/, FSDD jackson
  native: native English validation (`native_extra` adds the last two): commonvoice_en, Common Voice 6.1 clips with no
          accent given and every 5th Asterisk prompt (training/lipsync_sources.py); never trained on
  dev:   speechocean762 test-split children (decoder settings are tuned on them; never trained on)
  native_dev: native development, every 10th Common Voice v1 clip that commonvoice_v1_dev left out
          (training/lipsync_sources.py: cvv1_rest), minus any sentence a training clip says (Common
          Voice repeats sentences, and the in-domain LM knows the training ones); no speaker ids
Synthetic text: Debian fortunes, the training transcripts, digit strings, numbers and spelled words;
no validation or sample sentence. Voices: flite (5), espeak-ng with MBROLA (4) and its own voices,
festival (5 diphone/HTS voices), at many rates and pitches. Augmentation on the waveform: speed
perturbation (tempo and vocal tract together), reverberation, coloured noise, telephone band.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np

SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"
RUN = Path(__file__).resolve().parent / "runs" / "stt"
N_MELS = 64
SHARD = 1000
FORTUNES = Path("/usr/share/games/fortunes")


def normalise(text: str) -> str:
    """The model's alphabet: a-z, apostrophe, single spaces."""
    text = text.lower().replace("-", " ").replace("’", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z' ]", " ", text)).strip()


def real_clips(split: str, keep_val_sentences: bool = False, more_cv: bool = False) -> list[tuple[Path, str, str]]:
    """(audio path, transcript, source) of real speech for 'train', 'val', 'dev' (decoder tuning),
    'native_dev' (native development) or 'native' (validation).
    Training clips that say a validation sentence are left out unless keep_val_sentences.
    more_cv: 'train' also takes the other Common Voice v1 cv-valid-dev clips (not in the shipped model)."""
    out = []

    def read(folder: str, keep=lambda rel: True, name: str | None = None):
        for rel, text in csv.reader((SPEECH / folder / "transcripts.tsv").open(), delimiter="\t"):
            if keep(rel):
                out.append((SPEECH / folder / rel, text, name or folder))

    so = {r["speaker"]: r for r in csv.DictReader((SPEECH / "speechocean762" / "speakers.tsv").open(), delimiter="\t")}
    spk = lambda rel: so[rel.split("/")[0]]  # noqa: E731
    if split == "train":
        read("speechocean762", lambda rel: spk(rel)["split"] == "train")
        read("vctk")
        read("commonvoice_v1_dev")
        read("fsdd", lambda rel: "_jackson_" not in rel)
        read("an4", lambda rel: rel.startswith("train/"))
        if more_cv:  # more Common Voice v1 clips, kept outside the repository; none saying a native_dev sentence
            from training.lipsync_sources import cvv1_rest

            dev_text = {normalise(t) for _, t, _ in cvv1_rest("dev")}
            out += [c for c in cvv1_rest("train") if normalise(c[1]) not in dev_text]
        val = {normalise(t) for _, t, _ in real_clips("val") + real_clips("native")}
        out = [c for c in out if keep_val_sentences or normalise(c[1]) not in val or len(c[1].split()) == 1]  # digits are single words
    elif split == "dev":  # for tuning the decoder: test-split children, never trained on, not validation
        read("speechocean762", lambda rel: spk(rel)["split"] == "test" and int(spk(rel)["age"]) < 18)
    elif split == "native_dev":
        from training.lipsync_sources import cvv1_rest

        heard = {normalise(t) for _, t, _ in real_clips("train", keep_val_sentences=True, more_cv=True)}
        out = [c for c in cvv1_rest("dev") if normalise(c[1]) not in heard]
    elif split == "val":
        read("speechocean762", lambda rel: spk(rel)["split"] == "test" and int(spk(rel)["age"]) >= 18)
        read("an4", lambda rel: rel.startswith("test/"))
        read("fsdd", lambda rel: "_jackson_" in rel, "fsdd_jackson")
    else:
        read("commonvoice_en")
        out += native_extra()
    return [c for c in out if not re.search(r"\d", c[1])]


ASTERISK_EVERY = 5  # one speaker: every 5th prompt, so she does not dominate the native split


def native_extra() -> list[tuple[Path, str, str]]:
    """Native validation speech kept outside the repository (empty where it is not installed):
    Common Voice 6.1 clips with no accent given (46 speakers, none in commonvoice_en) and every
    ASTERISK_EVERY-th Asterisk prompt (one US speaker, 8 kHz). Neither source is in training."""
    from training.lipsync_sources import asterisk, cv61_no_accent

    return cv61_no_accent() + asterisk()[::ASTERISK_EVERY]


@cache
def _cv_speakers() -> dict[str, str]:
    """Common Voice client id by clip: the cv61 file name, or commonvoice_en's 'folder/file'."""
    from training.lipsync_sources import CV61

    if not (CV61 / "validated.tsv").exists():
        return {}
    rows = csv.DictReader((CV61 / "validated.tsv").open(), delimiter="\t", quoting=csv.QUOTE_NONE)
    ids = {r["path"]: r["client_id"] for r in rows}
    prov = csv.DictReader((SPEECH / "commonvoice_en" / "provenance.tsv").open(), delimiter="\t")
    return ids | {p["path"]: ids.get(p["path_in_repo"].rsplit("/", 1)[-1], p["path"].split("/")[0]) for p in prov}


def speaker(path: Path, source: str) -> str:
    """The speaker of a native validation clip: the Common Voice client id, or the source itself."""
    if source == "cv61_noaccent":
        return _cv_speakers().get(path.name, path.name)
    if source == "commonvoice_en":
        return _cv_speakers().get(f"{path.parent.name}/{path.name}", path.parent.name)
    return source


# ---------------------------------------------------------------- text for the synthetic voices
DIGITS = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return TEENS[n - 10]
    if n < 100:
        return TENS[n // 10 - 2] + ("" if n % 10 == 0 else " " + DIGITS[n % 10])
    return DIGITS[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + number_words(n % 100))


def cmudict_words() -> set[str]:
    from pocketsphinx import get_model_path

    words = set()
    for line in (Path(get_model_path()) / "en-us" / "cmudict-en-us.dict").open(encoding="utf-8", errors="ignore"):
        w = line.split(" ", 1)[0]
        if "(" not in w:
            words.add(w)
    return words


def fortune_sentences(vocab: set[str]) -> list[str]:
    """Sentences of 3 to 20 words from Debian's fortunes whose words are all in the CMU dictionary."""
    out = set()
    for f in sorted(FORTUNES.glob("*")):
        if f.suffix or f.is_dir():
            continue
        text = f.read_text(encoding="utf-8", errors="ignore")
        for chunk in text.split("\n%\n"):
            chunk = re.sub(r"\s+", " ", chunk)
            for sent in re.split(r"(?<=[.!?])\s+", chunk):
                if re.search(r"[\d@#$%^&*_=<>/\\|{}\[\]~`]", sent):
                    continue
                norm = normalise(sent)
                words = norm.split()
                if 3 <= len(words) <= 20 and all(w in vocab for w in words):
                    out.add((sent.strip(), norm))
    return sorted(out)


def synthetic_texts(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(text to speak, transcript) pairs: a mix of everyday sentences, digits, numbers and spellings."""
    vocab = cmudict_words()
    banned = {normalise(t) for _, t, _ in real_clips("val") + real_clips("native")}
    for line in (Path(__file__).resolve().parents[1] / "demos" / "samples" / "TRANSCRIPTS.tsv").open():
        banned.add(normalise(line.rstrip("\n").split("\t")[2]))
    fortunes = [s for s in fortune_sentences(vocab) if s[1] not in banned]
    train = sorted({(t, normalise(t)) for _, t, _ in real_clips("train") if normalise(t) not in banned and len(t.split()) > 1})
    short_words = sorted(w for w in vocab if w.isalpha() and 3 <= len(w) <= 8)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.55:
            out.append(rng.choice(fortunes))
        elif r < 0.75:
            out.append(rng.choice(train))
        elif r < 0.85:  # digit strings, like phone numbers and the FSDD/speechocean digits
            ds = [rng.choice(DIGITS) for _ in range(rng.choice([1, 1, 2, 3, 4, 5, 7]))]
            out.append((", ".join(ds) if rng.random() < 0.5 else " ".join(ds), " ".join(ds)))
        elif r < 0.92:  # numbers, like AN4's "seventy nine fifty nine"
            ws = " ".join(number_words(rng.randrange(0, 1000 if rng.random() < 0.2 else 100)) for _ in range(rng.choice([1, 2, 3])))
            out.append((ws, ws))
        else:  # spelled words, like AN4's "p i t t s b u r g h"
            w = rng.choice(short_words)
            out.append((" ".join(c.upper() for c in w), " ".join(w)))
    return out


# ------------------------------------------------------------------------- voices and synthesis
FLITE = ["kal", "kal16", "awb", "rms", "slt"]
ESPEAK = ["mb-us1", "mb-us2", "mb-us3", "mb-en1", "mb-us1", "mb-us2", "mb-us3", "en-us", "en-us+f3", "en+m3", "en-gb-x-rp+f2", "en-us+m7"]
FESTIVAL = ["kal_diphone", "ked_diphone", "rab_diphone", "don_diphone", "cmu_us_slt_arctic_hts"]


def synth(engine: str, voice: str, text: str, rng: random.Random) -> np.ndarray:
    """Speak text with one engine and voice at a random rate and pitch: 16 kHz float32."""
    import soundfile as sf

    from demos.audio import resample

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "a.wav"
        if engine == "flite":
            cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={rng.uniform(0.8, 1.35):.2f}",
                   "--setf", f"int_f0_target_mean={rng.uniform(85, 220):.0f}", "-t", text, "-o", str(wav)]
        elif engine == "espeak":
            cmd = ["espeak-ng", "-v", voice, "-s", str(rng.randint(120, 200)), "-p", str(rng.randint(25, 75)), "-w", str(wav), text]
        else:
            scm = Path(tmp) / "s.scm"
            quoted = text.replace("\\", " ").replace('"', " ")
            scm.write_text(f'(voice_{voice})\n(Parameter.set \'Duration_Stretch {rng.uniform(0.85, 1.3):.2f})\n'
                           f'(utt.save.wave (utt.synth (Utterance Text "{quoted}")) "{wav}" \'riff)\n')
            cmd = ["festival", "-b", str(scm)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        x, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    return resample(x.mean(axis=1), rate)


# ----------------------------------------------------------------------------------- augmentation
def augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random chain: speed (tempo and formants together), reverb, coloured noise, telephone band."""
    from scipy.signal import butter, fftconvolve, sosfilt

    from demos.audio import resample

    if rng.random() < 0.7:
        f = int(rng.integers(88, 113))  # speed factor f/100
        x = resample(x, f, 100)  # f/100 times faster: tempo and formants together
    if rng.random() < 0.3:  # a synthetic room: exponentially decaying noise, RT60 0.15-0.7 s
        rt60 = rng.uniform(0.15, 0.7)
        t = np.arange(int(16000 * rt60)) / 16000
        ir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
        ir[0] = 1.0 / rng.uniform(0.3, 1.0)
        x = fftconvolve(x, ir * rng.uniform(0.1, 0.4))[: len(x)].astype(np.float32)
    if rng.random() < 0.15:  # telephone: 300-3400 Hz and 8 kHz sampling
        x = sosfilt(butter(4, [300, 3400], "bandpass", fs=16000, output="sos"), x)
        x = resample(resample(x.astype(np.float32), 16000, 8000), 8000, 16000)
    if rng.random() < 0.5:
        n = rng.standard_normal(len(x))
        colour = rng.choice(3)  # white, low-passed, brown
        if colour == 1:
            n = sosfilt(butter(1, 1000, fs=16000, output="sos"), n)
        elif colour == 2:
            n = np.cumsum(n)
        n -= n.mean()
        snr = rng.uniform(5, 30)
        p = np.mean(x**2) + 1e-9
        x = x + n * np.sqrt(p / (np.mean(n**2) + 1e-12) / 10 ** (snr / 10))
    peak = np.abs(x).max() + 1e-9
    return (x / peak * rng.uniform(0.1, 0.9)).astype(np.float32)


# ----------------------------------------------------------------------------------------- shards
def features(x: np.ndarray) -> np.ndarray:
    from demos.features import log_mel

    return log_mel(x, N_MELS).astype(np.float16)


def make_item(job: dict) -> tuple[np.ndarray, str, str, str] | None:
    """One job -> (features, transcript, source, path), or None when a clip fails. The path is the
    recording's for a real clip as recorded (not augmented: its timing is the file's, so a forced
    alignment of the file fits its frames; train_stt --frame-aux), else ""."""
    from demos.audio import read_audio

    rng = random.Random(job["seed"])
    nrng = np.random.default_rng(job["seed"])
    try:
        if job["kind"] == "real":
            x = read_audio(job["path"])
        else:  # a synthetic voice: Debian's engines now, or a Kokoro clip already on disk
            x = read_audio(job["path"]) if job["kind"] == "tts_file" else synth(job["engine"], job["voice"], job["say"], rng)
            if len(x) < 1600:
                return None
            # a little silence around the speech, as real recordings have
            x = np.concatenate([np.zeros(int(rng.uniform(0.05, 0.5) * 16000), np.float32), x,
                                np.zeros(int(rng.uniform(0.05, 0.5) * 16000), np.float32)])
        if job["augment"]:
            x = augment(x, nrng)
        path = job["path"] if job["kind"] == "real" and not job["augment"] else ""
        return features(x), job["text"], job["source"], path
    except Exception as e:  # noqa: BLE001 - a bad clip is skipped, not fatal
        print("skip", job.get("path") or job.get("say"), e, flush=True)
        return None


def write_shard(path: Path, items: list) -> None:
    items = [i for i in items if i is not None]
    lens = np.array([len(i[0]) for i in items], np.int32)
    np.savez(path, feats=np.concatenate([i[0] for i in items]), lens=lens, texts=np.array([i[1] for i in items]),
             sources=np.array([i[2] for i in items]), paths=np.array([i[3] for i in items]))


def jobs_for(split: str, synth_clips: int, real_copies: int, seed: int = 0, more_cv: bool = False,
             kokoro_copies: int = 1) -> list[dict]:
    rng = random.Random(seed)
    jobs = []
    if split in ("train", "synth"):
        for copy in range(real_copies if split == "train" else 0):
            for path, text, source in real_clips("train", more_cv=more_cv):
                jobs.append(dict(kind="real", path=str(path), text=normalise(text), source=source, augment=copy > 0))
        for say, text in synthetic_texts(synth_clips, rng):
            engine = rng.choices(["flite", "espeak", "festival"], [0.4, 0.35, 0.25])[0]
            voice = rng.choice({"flite": FLITE, "espeak": ESPEAK, "festival": FESTIVAL}[engine])
            jobs.append(dict(kind="synth", engine=engine, voice=voice, say=say, text=text,
                             source=f"tts_{engine}", augment=rng.random() < 0.7))
        rng.shuffle(jobs)
    elif split == "kokoro":
        from training.stt_kokoro import clips

        for copy in range(kokoro_copies):  # copies after the first are always augmented, each its own way
            for path, text in clips():
                jobs.append(dict(kind="tts_file", path=str(path), text=normalise(text), source="tts_kokoro",
                                 augment=rng.random() < 0.7 if copy == 0 else True))
    else:
        for path, text, source in real_clips(split):
            jobs.append(dict(kind="real", path=str(path), text=normalise(text), source=source, augment=False))
    for i, j in enumerate(jobs):
        j["seed"] = seed * 1_000_003 + i
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synth-clips", type=int, default=16000)
    ap.add_argument("--real-copies", type=int, default=3, help="real training clips: the original plus augmented copies")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--more-cv", action="store_true", help="also the other Common Voice v1 cv-valid-dev clips (training/lipsync_sources.py)")
    ap.add_argument("--kokoro", action="store_true", help="also the Kokoro clips of training/stt_kokoro.py")
    ap.add_argument("--kokoro-copies", type=int, default=1,
                    help="each Kokoro clip this many times: as voiced (70%% of them augmented), then augmented anew")
    ap.add_argument("--synth-apart", action="store_true", help="the synthetic clips in their own train_synth_* shards")
    args = ap.parse_args()
    RUN.mkdir(parents=True, exist_ok=True)
    prefix = {"kokoro": "train_kokoro", "synth": "train_synth"}  # train_* is trained on
    for split in ["val", "native", "train"] + ["synth"] * args.synth_apart + ["kokoro"] * args.kokoro:
        synth = 0 if split == "train" and args.synth_apart else args.synth_clips
        jobs = jobs_for(split, synth, args.real_copies, more_cv=args.more_cv, kokoro_copies=args.kokoro_copies)
        shards = [jobs[i : i + SHARD] for i in range(0, len(jobs), SHARD)]
        print(f"{split}: {len(jobs)} clips in {len(shards)} shards", flush=True)
        t0 = time.time()
        with ProcessPoolExecutor(args.jobs) as pool:
            for k, shard in enumerate(shards):
                path = RUN / f"{prefix.get(split, split)}_{k:03d}.npz"
                if path.exists():
                    continue
                write_shard(path, list(pool.map(make_item, shard, chunksize=8)))
                print(f"  {path.name} done, {time.time() - t0:.0f} s", flush=True)
    (RUN / "corpus.json").write_text(json.dumps(vars(args)))


if __name__ == "__main__":
    main()
