"""Train the mouth-cue model: log-mel frames in, one of Rhubarb's 9 mouth shapes per 10 ms out.

    python -m training.lipsync_labels --split val && python -m training.lipsync_labels --split train
    python -m training.train_lipsync --minutes 28 --epochs 30 [--init-from-weights]

A stack of dilated Conv1D layers with ReLU ('same' padding, so each output sees about 0.2 s of
the past and the future: the look-ahead that mouths need, since lips move before the sound),
then a 1x1 Conv1D with softmax. Labels: PocketSphinx forced alignment of real read speech,
phones mapped to shapes (demos/lipsync/visemes.py). Validation speakers are never trained on.
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


def build_model():
    import keras
    from keras import layers

    inp = keras.Input((None, N_MELS), name="logmel")
    x = layers.Conv1D(128, 5, padding="same", activation="relu", name="conv1")(inp)
    x = layers.Conv1D(128, 5, dilation_rate=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.Conv1D(128, 5, dilation_rate=4, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv1D(128, 3, dilation_rate=8, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv1D(64, 1, activation="relu", name="conv5")(x)
    out = layers.Conv1D(9, 1, activation="softmax", name="shape")(x)
    return keras.Model(inp, out, name="lipsync")


def frame_labels(phones: list, n: int) -> np.ndarray:
    from demos.lipsync.visemes import shape_index

    y = np.full(n, shape_index("SIL"), np.int32)
    for name, start, dur in phones:
        y[start : start + dur] = shape_index(name)
    return y


def load(split: str) -> list[tuple[np.ndarray, np.ndarray]]:
    from demos.audio import read_audio
    from demos.features import log_mel

    data = []
    for line in (RUN / f"align_{split}.jsonl").open():
        r = json.loads(line)
        if not r["phones"]:
            continue
        f = log_mel(read_audio(r["path"]), N_MELS)
        data.append((f, frame_labels(r["phones"], len(f))))
    return data


def batches(rng, data, batch=BATCH, crop=CROP):
    while True:
        xs, ys = [], []
        for i in rng.integers(0, len(data), batch):
            f, y = data[i]
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
    ap.add_argument("--balance", type=float, default=0.0, help="class weights = frequency ** -balance (0 = none, 0.5 = sqrt)")
    ap.add_argument("--out", type=Path, default=OUT, help="weights stem to write")
    args = ap.parse_args()
    import keras

    from training.export import export

    t0 = time.time()
    train, val = load("train"), load("val")
    print(f"{len(train)} train clips ({sum(len(f) for f, _ in train) / 360000:.2f} h), {len(val)} val clips; features in {time.time() - t0:.0f}s", flush=True)
    rng = np.random.default_rng(SEED)
    keras.utils.set_random_seed(SEED)
    model = build_model()
    if args.init_from_weights:
        from training.export import load_into_keras

        load_into_keras(model, OUT)
    sched = keras.optimizers.schedules.CosineDecay(LR, args.epochs * STEPS_PER_EPOCH, alpha=0.05)
    freq = np.bincount(np.concatenate([y for _, y in train]), minlength=9) + 1.0
    class_w = (freq / freq.sum()) ** -args.balance
    class_w = (class_w / (class_w * freq / freq.sum()).sum()).astype(np.float32)  # mean weight 1 over frames
    print("class weights", dict(zip("ABCDEFGHX", np.round(class_w, 2).tolist(), strict=True)), flush=True)
    model.compile(keras.optimizers.Adam(sched), "sparse_categorical_crossentropy", metrics=["accuracy"])
    vx = [f[None] for f, _ in val[:200]]
    vy = [y for _, y in val[:200]]
    stream = batches(rng, train)
    deadline = time.time() + args.minutes * 60
    log = []
    for epoch in range(args.epochs):
        if time.time() > deadline:
            break
        t = time.time()
        hist = []
        for _ in range(STEPS_PER_EPOCH):
            bx, by = next(stream)
            hist.append(model.train_on_batch(bx, by, sample_weight=class_w[by]))
        acc = np.mean(np.concatenate([model(x, training=False).numpy()[0].argmax(-1) == y for x, y in zip(vx, vy, strict=True)]))
        log.append({"epoch": epoch + 1, "loss": float(np.mean([h[0] for h in hist])), "train_acc": float(np.mean([h[1] for h in hist])), "val_frame_acc_10ms": float(acc), "seconds": time.time() - t})
        print(json.dumps(log[-1]), flush=True)
        model.save(RUN / f"last_{args.out.name}.keras")
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
            "data": "speechocean762 train split, VCTK p239, Common Voice v1 dev (native accents)",
            "validation": "speechocean762 test-split adults and commonvoice_en: never trained on",
            "train_clips": len(train), "train_hours": round(sum(len(f) for f, _ in train) / 360000, 2),
            "epochs": len(log), "steps_per_epoch": STEPS_PER_EPOCH, "batch": f"{BATCH} x {CROP / 100:g} s",
            "optimizer": f"Adam, cosine decay from {LR}", "final_loss": round(log[-1]["loss"], 4),
            "val_frame_accuracy_10ms": round(log[-1]["val_frame_acc_10ms"], 4),
        },
        "metrics": {},
    }
    card["training"]["class_weight_balance"] = args.balance
    export(model, args.out, card, dtype="float16")
    print(f"exported to {args.out}.npz")


if __name__ == "__main__":
    main()
