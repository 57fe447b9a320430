"""Train the speech-to-text acoustic model on a GPU machine, with Keras on JAX (no TensorFlow there).

    python -m training.stt_pack                  # here: the training audio as Opus (~50 MB), to carry over
    # there, KERAS_BACKEND=jax:
    python -m training.train_stt_accel --prepare                                  # augmented log-mels, once
    python -m training.train_stt_accel --minutes 6 --out OUT/ft --init weights/stt    # fine-tune the shipped model
    python -m training.train_stt_accel --minutes 6 --out OUT/big --channels 320 --blocks 6   # a larger one
    # back here:
    python -m training.train_stt_accel --export OUT/big.npz      # -> weights/stt.npz + .json

The same model family (train_stt.build_model), CTC loss and SpecAugment as train_stt.py. What the GPU
buys is not more data but more passes over it, each one different: the recorded clips are augmented
anew (speed, room, noise, telephone band; --copies versions of each), and every batch is warped again
in time (tempo 0.9-1.1) and frequency (a vocal-tract-like stretch of the mel axis, 0.92-1.08).
The learning rate follows wall-clock time (warm-up, then cosine to 3% at --minutes), and the output
is the mean of the weights at five evenly spaced moments of the last 40% of the run (train_stt.py's
checkpoint averaging). Progress and the dev-set greedy CER (speechocean762 test-split children,
never trained on) go to <out>.log.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from training.stt_corpus import N_MELS, augment, features
from training.stt_pack import PACK
from training.train_stt import LR, STRIDE, WARMUP, edit_distance, encode, feasible, greedy, spec_augment

BUCKETS = (300, 600, 999, 1500, 2400)  # padded lengths in frames: few shapes, few XLA compilations
BATCH_FRAMES = 24_000
CACHE = Path("/tmp/stt_accel_feats.npz")
_AUDIO: np.ndarray = np.zeros(0, np.float32)
_ITEMS: list = []


def decode(name: str) -> tuple[np.ndarray, list[dict]]:
    """<name>.opus + <name>.json from the pack -> (16 kHz float32 stream, clip index)."""
    import soundfile as sf

    from demos.audio import resample

    x, rate = sf.read(str(PACK / f"{name}.opus"), dtype="float32", always_2d=True)
    x = resample(x.mean(axis=1), rate)
    return x, json.loads((PACK / f"{name}.json").read_text())


def _prepare_one(job: tuple[int, int, int, bool]) -> np.ndarray:
    start, n, seed, aug = job
    x = _AUDIO[start : start + n]
    return features(augment(x, np.random.default_rng(seed)) if aug else x)


def prepare(copies: int, jobs: int, limit: int = 0) -> None:
    """Log-mel features of every clip: recorded ones `copies` times (the first as it is), TTS ones once
    (augmented with probability 0.7, as in stt_corpus.py), and the dev clips as they are -> CACHE."""
    global _AUDIO
    out: dict[str, list] = {}
    for name in ("audio", "dev"):
        _AUDIO, index = decode(name)
        index = index[:limit] if limit else index
        todo, meta = [], []
        for i, c in enumerate(index):
            tts = c["source"].startswith("tts_")
            n_copies = 1 if tts or name == "dev" else copies
            for k in range(n_copies):
                aug = (np.random.default_rng(i).random() < 0.7) if tts else (k > 0 and name != "dev")
                todo.append((c["start"], c["n"], 1_000_003 * k + i, aug))
                meta.append((c["text"], c["source"]))
        with Pool(jobs) as pool:  # forked after _AUDIO is set: the workers share it
            feats = pool.map(_prepare_one, todo, chunksize=32)
        out[name] = [feats, meta]
        print(f"prepared {name}: {len(feats)} clips, {sum(map(len, feats)) / 360000:.2f} h", flush=True)
    arrays = {}
    for name, (feats, meta) in out.items():
        arrays[f"{name}_feats"] = np.concatenate(feats)
        arrays[f"{name}_lens"] = np.array([len(f) for f in feats], np.int32)
        arrays[f"{name}_texts"] = np.array([t for t, _ in meta])
        arrays[f"{name}_sources"] = np.array([s for _, s in meta])
    np.savez(CACHE, **arrays)


def load(name: str) -> list[tuple[np.ndarray, str, str]]:
    z = np.load(CACHE)
    feats, lens = z[f"{name}_feats"], z[f"{name}_lens"]
    ends = np.cumsum(lens)
    return [(feats[a:b], str(t), str(s)) for a, b, t, s in zip(ends - lens, ends, z[f"{name}_texts"], z[f"{name}_sources"], strict=True)]


def bucket_of(n: int) -> int:
    return next(b for b in BUCKETS if n <= b)


def plan_epoch(rng: np.random.Generator, items: list) -> list[tuple[int, list[int], int]]:
    """(bucket, item indices, seed) per batch: similar lengths together, batches in random order."""
    by: dict[int, list[int]] = {}
    for i, (f, _, _) in enumerate(items):
        by.setdefault(bucket_of(int(len(f) * 1.1)), []).append(i)  # 1.1: room for the tempo warp
    out = []
    for b, idx in by.items():
        idx = [idx[j] for j in rng.permutation(len(idx))]
        size = BATCH_FRAMES // b
        out += [(b, idx[k : k + size], int(rng.integers(1 << 31))) for k in range(0, len(idx), size)]
    return [out[j] for j in rng.permutation(len(out))]


def warp(f: np.ndarray, text: str, rng: np.random.Generator) -> np.ndarray:
    """A new tempo (nearest frames) and a stretched mel axis (linear interpolation), if CTC still fits."""
    t = len(f) * rng.uniform(0.9, 1.1)
    if feasible(int(t), text):
        f = f[np.minimum((np.arange(int(t)) * len(f) / t).astype(int), len(f) - 1)]
    pos = np.clip(np.arange(N_MELS) * rng.uniform(0.92, 1.08), 0, N_MELS - 1)
    lo = pos.astype(int)
    hi = np.minimum(lo + 1, N_MELS - 1)
    w = (pos - lo).astype(np.float32)
    return f[:, lo] * (1 - w) + f[:, hi] * w


def make_batch(spec: tuple[int, list[int], int], train: bool = True, strength: str = "full"):
    """Padded (x float16, labels, output lengths, label lengths) for one bucket: the same shape every time."""
    b, idx, seed = spec
    rng = np.random.default_rng(seed)
    size = BATCH_FRAMES // b if train else 16
    x = np.zeros((size, b, N_MELS), np.float32)
    y = np.zeros((size, b // STRIDE), np.int32)
    xl = np.ones(size, np.int32)  # rows past the last clip: length 1, label length 0, weight 0
    yl = np.zeros(size, np.int32)
    for k, i in enumerate(idx):
        f, text, _ = _ITEMS[i]
        f = f.astype(np.float32)
        if train:
            f = warp(f, text, rng) + rng.normal(0, 0.1)
        f = f[:b]
        x[k, : len(f)] = f
        lab = encode(text)[: b // STRIDE]
        y[k, : len(lab)] = lab
        xl[k], yl[k] = -(-len(f) // STRIDE), len(lab)
    if train:
        x = spec_augment(x, rng, strength)
    return x.astype(np.float16), y, xl, yl


def train(args) -> None:
    global _ITEMS
    items = [d for d in load("audio") if feasible(len(d[0]), d[1]) and len(d[0]) * 1.1 <= BUCKETS[-1]]
    dev = [d for d in load("dev") if len(d[0]) <= BUCKETS[-1]]
    _ITEMS = items + dev
    dev_specs = []
    for b in BUCKETS:
        ids = [len(items) + j for j, d in enumerate(dev) if bucket_of(len(d[0])) == b]
        dev_specs += [(b, ids[k : k + 16], 0) for k in range(0, len(ids), 16)]
    print(f"{len(items)} training clips ({sum(len(f) for f, _, _ in items) / 360000:.1f} h), {len(dev)} dev clips", flush=True)
    pool = Pool(args.jobs)  # forked before JAX starts its threads

    os.environ.setdefault("KERAS_BACKEND", "jax")
    import jax
    import jax.numpy as jnp
    import keras

    from training.train_stt import build_model

    keras.utils.set_random_seed(args.seed)
    model = build_model(args.channels, args.blocks)
    if args.init:
        from training.export import load_into_keras

        load_into_keras(model, Path(args.init))
    print(f"{model.count_params():,} parameters on {jax.devices()}", flush=True)
    opt = keras.optimizers.Adam(args.lr, clipnorm=5.0)
    opt.build(model.trainable_variables)
    lr_index = next(i for i, v in enumerate(opt.variables) if v.name == "learning_rate")

    def loss_fn(tv, ntv, x, y, xl, yl):
        logits, ntv = model.stateless_call(tv, ntv, x.astype(jnp.float32), training=True)
        loss = keras.ops.ctc_loss(y, logits, yl, xl, mask_index=0)
        w = (yl > 0).astype(jnp.float32)
        return jnp.sum(loss / jnp.maximum(yl, 1) * w) / jnp.sum(w), ntv

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

    @jax.jit
    def train_step(state, x, y, xl, yl):
        tv, ntv, ov = state
        (loss, ntv), grads = grad_fn(tv, ntv, x, y, xl, yl)
        tv, ov = opt.stateless_apply(ov, grads, tv)
        return loss, (tv, ntv, ov)

    @jax.jit
    def predict(tv, ntv, x):
        return model.stateless_call(tv, ntv, x.astype(jnp.float32), training=False)[0]

    state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
             [v.value for v in opt.variables])

    def dev_cer(tv, ntv) -> float:
        errs = [0, 0]
        for spec in dev_specs:
            x, _, xl, _ = make_batch(spec, train=False)
            logits = np.asarray(predict(tv, ntv, x))
            for k, i in enumerate(spec[1]):
                ref = _ITEMS[i][1]
                errs[0] += edit_distance(list(greedy(logits[k, : xl[k]])), list(ref))
                errs[1] += len(ref)
        return round(errs[0] / errs[1], 4)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    log = open(f"{out}.log", "a")

    def record(**rec):
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()

    tv, ntv, _ = state
    record(step=0, minutes=0.0, dev_cer=dev_cer(tv, ntv), channels=args.channels, blocks=args.blocks, init=args.init)
    budget = args.minutes * 60
    snaps_at = [budget * (0.6 + 0.1 * k) for k in range(4)]  # + the end: five moments in the last 40%
    reports_at = [budget * k / 10 for k in range(1, 10)]
    snaps: list[list[np.ndarray]] = []
    rng = np.random.default_rng(args.seed)
    t0, step, epoch, losses = time.time(), 0, 0, []
    done = False
    while not done:
        specs = plan_epoch(rng, items)
        for x, y, xl, yl in pool.imap(make_batch, specs, chunksize=2):
            elapsed = time.time() - t0
            frac = min(1.0, elapsed / budget)
            lr = args.lr * min(1.0, (step + 1) / WARMUP) * (0.03 + 0.97 * 0.5 * (1 + np.cos(np.pi * frac)))
            state[2][lr_index] = jnp.asarray(lr, jnp.float32)
            loss, state = train_step(state, x, y, xl, yl)
            step += 1
            if step % 50 == 0:
                losses.append(float(loss))
            if step % 500 == 0:
                print(f"step {step} epoch {epoch} loss {np.mean(losses[-10:]):.3f} lr {lr:.2e} {elapsed / 60:.2f} min", flush=True)
            if reports_at and elapsed >= reports_at[0]:
                reports_at.pop(0)
                record(step=step, epoch=epoch, minutes=round(elapsed / 60, 2), lr=float(lr), loss=round(float(np.mean(losses[-10:] or [loss])), 4),
                       dev_cer=dev_cer(state[0], state[1]))
            if snaps_at and elapsed >= snaps_at[0]:
                snaps_at.pop(0)
                snaps.append([np.asarray(v) for v in state[0]])
            if elapsed >= budget:
                done = True
                break
        epoch += not done
    pool.terminate()
    snaps.append([np.asarray(v) for v in state[0]])
    tv_mean = [np.mean(ws, axis=0) for ws in zip(*snaps, strict=True)]
    cer_last, cer_mean = dev_cer(state[0], state[1]), dev_cer([jnp.asarray(w) for w in tv_mean], state[1])
    record(step=step, epoch=epoch, minutes=round((time.time() - t0) / 60, 2), dev_cer_last=cer_last, dev_cer_mean=cer_mean, snapshots=len(snaps))
    # keyed by variable path (this model has no non-trainable variables: LayerNorm, not BatchNorm)
    paths = [v.path.replace("/", "|") for v in model.trainable_variables]
    cfg = np.array(json.dumps({"channels": args.channels, "blocks": args.blocks, "steps": step, "epochs": epoch, "device": jax.devices()[0].device_kind,
                               "minutes": args.minutes, "init": args.init, "copies": args.copies}))
    for suffix, ws in (("", tv_mean), ("_last", state[0])):
        np.savez(f"{out}{suffix}.npz", config=cfg, **{p: np.asarray(w, np.float16 if args.half else np.float32) for p, w in zip(paths, ws, strict=True)})


def export_npz(path: Path, stem: Path) -> None:
    """A GPU run's .npz -> weights/stt.npz + .json, through the same exporter as every other model."""
    from training.export import export
    from training.train_stt import VALIDATION, build_model, card_head

    z = np.load(path)
    cfg = json.loads(str(z["config"]))
    model = build_model(cfg["channels"], cfg["blocks"])
    for v in model.weights:
        v.assign(z[v.path.replace("/", "|")].astype(np.float32))
    logs = Path(str(path).removesuffix("_last.npz").removesuffix(".npz") + ".log")
    index = json.loads((PACK / "audio.json").read_text())
    corpus: dict[str, dict] = {}
    for c in index:
        s = corpus.setdefault(c["source"], {"clips": 0, "hours": 0.0})
        s["clips"] += 1
        s["hours"] += c["n"] / 16000 / 3600
    card = card_head() | {
        "training": {
            "script": "training/train_stt_accel.py (Keras on JAX, one GPU; audio: training/stt_pack.py)",
            "corpus": {k: {"clips": v["clips"], "hours": round(v["hours"], 2)} for k, v in sorted(corpus.items())},
            "recorded_copies": cfg["copies"],
            "validation": VALIDATION,
            "monitor": "dev_cer: greedy CER on speechocean762 test-split children (never trained on)",
            "batch": f"{BATCH_FRAMES / 100:g} s of audio", "steps": cfg["steps"], "epochs": cfg["epochs"],
            "optimizer": f"Adam, warm-up {WARMUP} steps then cosine decay over {cfg['minutes']} min, clipnorm 5",
            "device": cfg.get("device", "one NVIDIA H200 (this run predates the field)"), "init": cfg["init"], "averaged": "mean of the weights at 60/70/80/90/100% of the run",
            "log": [json.loads(line) for line in logs.open()] if logs.exists() else [],
        },
        "metrics": {},
    }
    init_card = Path(cfg["init"] + ".json") if cfg["init"] else None
    if init_card and init_card.exists():  # the CPU-trained model it started from (kept when re-exporting over it)
        t = json.loads(init_card.read_text())["training"]
        card["training"]["base"] = t if "train_stt.py" in t["script"] else t.get("base")
    export(model, stem, card, dtype="float16")
    print(f"exported {path} ({model.count_params():,} parameters) to {stem}.npz")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prepare", action="store_true", help="only build the augmented features (shared by the runs)")
    ap.add_argument("--copies", type=int, default=4, help="versions of each recorded clip: the original + augmented ones")
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    ap.add_argument("--minutes", type=float, default=6.0)
    ap.add_argument("--out", default="training/runs/stt_accel/run")
    ap.add_argument("--init", default="", help="start from these weights (a weights/ stem), or from scratch")
    ap.add_argument("--channels", type=int, default=256)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="only the first N clips of each pack (a smoke test)")
    ap.add_argument("--half", action="store_true", help="write float16 weights (a smaller file)")
    ap.add_argument("--export", type=Path, help="a run's .npz -> --stem")
    ap.add_argument("--stem", type=Path, default=Path(__file__).resolve().parents[1] / "weights" / "stt")
    args = ap.parse_args()
    if args.export:
        export_npz(args.export, args.stem)
    elif args.prepare:
        prepare(args.copies, args.jobs, args.limit)
    else:
        if not CACHE.exists():
            prepare(args.copies, args.jobs, args.limit)
        train(args)


if __name__ == "__main__":
    main()
