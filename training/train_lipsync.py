"""Train the mouth-cue model: log-mel frames in, one of Rhubarb's 9 mouth shapes per 10 ms out.

    python -m training.lipsync_labels --split dev && python -m training.lipsync_labels --split train
    python -m training.train_lipsync --minutes 28 --epochs 30 [--init-from-weights] [--lr 0.001]

A stack of dilated Conv1D layers with ReLU ('same' padding, so each output sees about 0.2 s of
the past and the future: the look-ahead that mouths need, since lips move before the sound),
then a 1x1 Conv1D with softmax. Labels: PocketSphinx forced alignment of real read speech,
phones mapped to shapes (demos/lipsync/visemes.py). Validation speakers are never trained on;
the epoch exported is the best on the native development split (training/lipsync_labels.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from training.lipsync_labels import RUN

N_MELS = 40
CROP = 400  # frames (4 s) per training example
BATCH = 32
STEPS_PER_EPOCH = 100
LR = 2e-3
SEED = 0
OUT = Path(__file__).resolve().parents[1] / "weights" / "lipsync"


def build_model(width: int = 128, wide_context: bool = False):
    """The network: dilated Conv1D layers of `width` channels; `wide_context` adds one with dilation 16
    (each output then hears about 0.38 s either side instead of 0.22 s)."""
    import keras
    from keras import layers

    inp = keras.Input((None, N_MELS), name="logmel")
    x = layers.Conv1D(width, 5, padding="same", activation="relu", name="conv1")(inp)
    x = layers.Conv1D(width, 5, dilation_rate=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.Conv1D(width, 5, dilation_rate=4, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv1D(width, 3, dilation_rate=8, padding="same", activation="relu", name="conv4")(x)
    if wide_context:
        x = layers.Conv1D(width, 3, dilation_rate=16, padding="same", activation="relu", name="conv4b")(x)
    x = layers.Conv1D(64, 1, activation="relu", name="conv5")(x)
    out = layers.Conv1D(9, 1, activation="softmax", name="shape")(x)
    return keras.Model(inp, out, name="lipsync")


def frame_labels(phones: list, n: int) -> np.ndarray:
    from demos.lipsync.visemes import shape_index

    y = np.full(n, shape_index("SIL"), np.int32)
    for name, start, dur in phones:
        y[start : start + dur] = shape_index(name)
    return y


def features(paths: list[str], split: str) -> list[np.ndarray]:
    """Log-mel features of each clip, cached in training/runs/lipsync/ (they take minutes)."""
    from demos.audio import read_audio
    from demos.features import log_mel

    cache = RUN / f"features_{split}.npz"
    if cache.exists():
        with np.load(cache, allow_pickle=False) as z:
            if z["paths"].tolist() == paths:
                return np.split(z["feats"], np.cumsum(z["lengths"])[:-1])
    feats = [log_mel(read_audio(p), N_MELS) for p in paths]
    np.savez(cache, paths=np.array(paths), feats=np.concatenate(feats), lengths=np.array([len(f) for f in feats]))
    return feats


def load(split: str) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """(log-mel, shape per 10 ms, source) for every aligned clip of the split."""
    from training.lipsync_labels import aligned, clips

    done = aligned()
    rows = [(done[str(p)], source) for p, _, source in clips(split) if done.get(str(p), {}).get("phones")]
    feats = features([r["path"] for r, _ in rows], split)
    return [(f, frame_labels(r["phones"], len(f)), source) for f, (r, source) in zip(feats, rows, strict=True)]


def dev_accuracy(model, dev: list) -> dict[str, float]:
    """10 ms frame accuracy per development source, and their mean (what the best epoch is chosen on)."""
    right: dict[str, list[np.ndarray]] = {}
    for f, y, source in dev:
        right.setdefault(source, []).append(model(f[None], training=False).numpy()[0].argmax(-1) == y)
    acc = {s: float(np.mean(np.concatenate(r))) for s, r in right.items()}
    return {**acc, "mean": float(np.mean(list(acc.values())))}


def batches(rng, data, batch=BATCH, crop=CROP):
    while True:
        xs, ys = [], []
        for i in rng.integers(0, len(data), batch):
            f, y, _ = data[i]
            if len(f) < crop:  # pad short clips with "silence" features and X labels
                pad = crop - len(f)
                f = np.pad(f, ((0, pad), (0, 0)), constant_values=f.min())
                y = np.pad(y, (0, pad), constant_values=y[-1])
            s = rng.integers(0, len(f) - crop + 1)
            gain = rng.normal(0, 0.1)  # small level jitter on top of the per-band normalisation
            xs.append(f[s : s + crop] + gain)
            ys.append(y[s : s + crop])
        yield np.stack(xs), np.stack(ys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--epochs", type=int, default=40, help="length of the cosine LR schedule")
    ap.add_argument("--init-from-weights", action="store_true", help="start from the committed weights/lipsync.npz")
    ap.add_argument("--width", type=int, default=128, help="channels of the dilated layers")
    ap.add_argument("--wide-context", action="store_true", help="one more layer, dilation 16 (0.38 s either side)")
    ap.add_argument("--lr", type=float, default=LR, help="peak learning rate of the cosine schedule")
    ap.add_argument("--balance", type=float, default=0.0, help="class weights = frequency ** -balance (0 = none, 0.5 = sqrt)")
    ap.add_argument("--out", type=Path, default=OUT, help="weights stem to write")
    args = ap.parse_args()
    import keras

    from training.export import export

    t0 = time.time()
    train, dev = load("train"), load("dev")
    print(f"{len(train)} train clips ({sum(len(f) for f, *_ in train) / 360000:.2f} h), {len(dev)} dev clips; features in {time.time() - t0:.0f}s", flush=True)
    rng = np.random.default_rng(SEED)
    keras.utils.set_random_seed(SEED)
    model = build_model(args.width, args.wide_context)
    if args.init_from_weights:
        from training.export import load_into_keras

        load_into_keras(model, OUT)
    sched = keras.optimizers.schedules.CosineDecay(args.lr, args.epochs * STEPS_PER_EPOCH, alpha=0.05)
    freq = np.bincount(np.concatenate([y for _, y, _ in train]), minlength=9) + 1.0
    class_w = (freq / freq.sum()) ** -args.balance
    class_w = (class_w / (class_w * freq / freq.sum()).sum()).astype(np.float32)  # mean weight 1 over frames
    print("class weights", dict(zip("ABCDEFGHX", np.round(class_w, 2).tolist(), strict=True)), flush=True)
    model.compile(keras.optimizers.Adam(sched), "sparse_categorical_crossentropy", metrics=["accuracy"])
    stream = batches(rng, train)
    deadline = time.time() + args.minutes * 60
    log = []
    best = {"mean": dev_accuracy(model, dev)["mean"], "epoch": 0, "weights": model.get_weights()}
    print(f"dev accuracy of the starting weights: {best['mean']:.4f}", flush=True)
    for epoch in range(args.epochs):
        if time.time() > deadline:
            break
        t = time.time()
        hist = []
        for _ in range(STEPS_PER_EPOCH):
            bx, by = next(stream)
            hist.append(model.train_on_batch(bx, by, sample_weight=class_w[by]))
        acc = dev_accuracy(model, dev)
        log.append({"epoch": epoch + 1, "loss": float(np.mean([h[0] for h in hist])), "train_acc": float(np.mean([h[1] for h in hist])),
                    **{f"dev_acc_10ms/{k}": round(v, 4) for k, v in acc.items()}, "seconds": time.time() - t})
        print(json.dumps(log[-1]), flush=True)
        model.save(RUN / f"last_{args.out.name}.keras")
        if acc["mean"] > best["mean"]:
            best = {"mean": acc["mean"], "epoch": epoch + 1, "weights": model.get_weights()}
    model.set_weights(best["weights"])
    print(f"exporting epoch {best['epoch']} (dev accuracy {best['mean']:.4f})", flush=True)
    with (RUN / f"log_{args.out.name}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(log[0]))
        w.writeheader()
        w.writerows(log)
    card = {
        "name": "lipsync",
        "task": "one of Rhubarb's 9 mouth shapes (A-H, X) per 10 ms frame of 16 kHz audio",
        "preprocessing": {"rate": 16000, "hop_s": 0.01, "n_mels": N_MELS, "features": "demos/features.py log_mel", "shapes": "ABCDEFGHX"},
        "training": {
            "script": "training/train_lipsync.py",
            "labels": "PocketSphinx forced alignment (training/lipsync_labels.py), phones mapped to shapes by demos/lipsync/visemes.py",
            "data": "speechocean762 train split; Common Voice v1 cv-valid-dev: the native-accent clips and 2,587 more "
                    "(training/lipsync_sources.py)" + ("; continued from the weights before, which had also seen VCTK p239" if args.init_from_weights else ""),
            "development": "Common Voice 6.1 clips without an accent (46 speakers) and 273 held-out Common Voice v1 clips: the epoch exported is the best here",
            "validation": "commonvoice_en, the Asterisk prompts, VCTK p239 (native) and speechocean762 test-split adults: never trained on",
            "train_clips": len(train), "train_hours": round(sum(len(f) for f, *_ in train) / 360000, 2),
            "epochs": len(log), "steps_per_epoch": STEPS_PER_EPOCH, "batch": f"{BATCH} x {CROP / 100:g} s",
            "optimizer": f"Adam, cosine decay from {args.lr}", "final_loss": round(log[-1]["loss"], 4),
            "epoch_exported": best["epoch"], "dev_frame_accuracy_10ms": round(best["mean"], 4), "peak_lr": args.lr,
        },
        "metrics": {},
    }
    card["training"]["class_weight_balance"] = args.balance
    export(model, args.out, card, dtype="float16")
    print(f"exported to {args.out}.npz")


if __name__ == "__main__":
    main()
