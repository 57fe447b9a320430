"""Train the speech-to-text acoustic model: log-mel frames in, character probabilities out (CTC).

    python -m training.stt_corpus                       # the corpus, once (see its docstring)
    python -m training.train_stt --minutes 80 [--resume | --init-from-weights [--blocks 6]]
    python -m training.compare_stt_checkpoints          # last checkpoint or a mean of the last few?
    python -m training.train_stt --export --average 5   # -> weights/stt.npz + its card

The base of the shipped model: 6,200 steps from scratch (105 min in three resumed runs, SpecAugment
full, then light from step 2,500), then `--resume --warm-restart --lr 6e-4 --total-steps 12900
--minutes 100 --spec-augment light --real-repeat 2` (a second cosine cycle showing recorded speech
twice as often), exported as the mean of the last five checkpoints (10 minutes apart). That model was
then fine-tuned for 2 minutes on a GPU by train_stt_accel.py (freshly augmented recorded speech);
weights/stt.json keeps both logs (the CPU one under training.base). The shipped model continues that
line (soups and continuations, README) with a phone head: `--init-from-weights --phone-aux 1.0
--lr 3e-4 --total-steps 6500 --minutes 105 --spec-augment light --real-repeat 2 --repeat fsdd=2`,
exported as the mean of its last three checkpoints (`--export --average 3`).

A convolutional model: a strided Conv1D (3 input frames per output frame, 33 outputs per second),
residual blocks of two Conv1Ds with LayerNorm and ReLU (LayerNorm, not BatchNorm: batches here are
bucketed by length, and BatchNorm's running statistics then differ from any one clip's), a 1x1
layer and a linear layer of 29 logits: blank, space, apostrophe, a-z (with --phone-aux, a second one of
41 phone logits beside it, exported together as one layer). CTC loss; Adam with warm-up
and cosine decay; SpecAugment masks. Checkpoints every --check-minutes to training/runs/stt/
(or --run-dir; resumable with --resume); progress in log.jsonl there.

--frame-aux W adds a third head, trained only: the phone (or silence) at every output frame, with
cross-entropy on PocketSphinx's forced alignments of the recorded training clips as recorded
(`python -m training.lipsync_labels --split train` computes and caches them; the corpus keeps each
real clip's path for this). CTC learns what is said, not when; the alignments add where each sound
is, from a classic acoustic model trained on far more native speech than we have.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from demos.stt.phones import PHONES
from demos.stt.phones import encode as encode_phones
from training.stt_corpus import N_MELS, RUN

ALPHABET = "_ 'abcdefghijklmnopqrstuvwxyz"  # index 0 is the CTC blank
STRIDE = 3
CHANNELS = 256
BLOCKS = 4
KERNEL = 5
BATCH_FRAMES = 12_000  # input frames per batch (120 s of audio)
LR = 1.5e-3
WARMUP = 300
SEED = 0
OUT = Path(__file__).resolve().parents[1] / "weights" / "stt"
CKPT = RUN  # checkpoints, state and log of the run (--run-dir: another, so two runs can share the corpus)
FRAME_CLASSES = ["sil", *PHONES[2:]]  # the frame head's classes: silence (or noise), then the 39 phones


def build_model(channels: int = CHANNELS, blocks: int = BLOCKS, grown_from: int | None = None, phones: bool = False,
                frames: bool = False):
    """grown_from: blocks from that index on start as identities (their last LayerNorm's scale is 0,
    and x is a ReLU output, so relu(x + 0) = x): a deeper model that computes what the committed one did.
    phones: a second output, log P(phone) from the same head (demos/stt/phones.py), for --phone-aux.
    frames: a third, the phone (or silence) at each output frame, for --frame-aux; never exported."""
    import keras
    from keras import layers

    inp = keras.Input((None, N_MELS), name="logmel")
    x = layers.Conv1D(channels, 9, strides=STRIDE, padding="same", name="stem")(inp)
    x = layers.ReLU(name="stem_relu")(layers.LayerNormalization(name="stem_norm")(x))
    for b in range(blocks):
        y = layers.Conv1D(channels, KERNEL, padding="same", name=f"b{b}_conv1")(x)
        y = layers.ReLU(name=f"b{b}_relu1")(layers.LayerNormalization(name=f"b{b}_norm1")(y))
        y = layers.Conv1D(channels, KERNEL, dilation_rate=2, padding="same", name=f"b{b}_conv2")(y)
        new = grown_from is not None and b >= grown_from
        y = layers.LayerNormalization(name=f"b{b}_norm2", gamma_initializer="zeros" if new else "ones")(y)
        x = layers.ReLU(name=f"b{b}_relu2")(layers.Add(name=f"b{b}_add")([x, y]))
    x = layers.Conv1D(384, 1, activation="relu", name="head")(x)
    out = layers.Conv1D(len(ALPHABET), 1, name="chars")(x)
    if frames:
        return keras.Model(inp, [out, layers.Conv1D(len(PHONES), 1, name="phones")(x),
                                 layers.Conv1D(len(FRAME_CLASSES), 1, name="frames")(x)], name="stt")
    if phones:
        return keras.Model(inp, [out, layers.Conv1D(len(PHONES), 1, name="phones")(x)], name="stt")
    return keras.Model(inp, out, name="stt")


def joint(model):
    """A two-headed model as one output for export: the phone head's 1x1 convolution stacked after
    the letters' in one layer ('chars_phones', letters first), so core/ runs it as one network.
    A frame head (--frame-aux) is a training aid only and is left out."""
    import keras
    from keras import layers

    if len(model.outputs) == 1:
        return model
    both = layers.Conv1D(len(ALPHABET) + len(PHONES), 1, name="chars_phones")
    out = keras.Model(model.input, both(model.get_layer("head").output), name="stt")
    (kc, bc), (kp, bp) = model.get_layer("chars").get_weights(), model.get_layer("phones").get_weights()
    both.set_weights([np.concatenate([kc, kp], -1), np.concatenate([bc, bp])])
    return out


def split_joint(model, stem: Path) -> None:
    """The reverse of joint() after load_into_keras: exported 'chars_phones' weights into the
    two-headed Keras model's 'chars' and 'phones' layers."""
    from core import weights

    layer = {la.name: la for la in weights.load(str(stem))[0].layers}.get("chars_phones")
    if layer is not None:
        k, b, n = layer.params["kernel"], layer.params["bias"], len(ALPHABET)
        model.get_layer("chars").set_weights([k[..., :n], b[:n]])
        model.get_layer("phones").set_weights([k[..., n:], b[n:]])


def encode(text: str) -> np.ndarray:
    return np.array([ALPHABET.index(c) for c in text if c in ALPHABET[1:]], np.int32)


def greedy(logits: np.ndarray) -> str:
    """Best path: the most likely symbol per frame, repeats merged, blanks dropped."""
    best = logits.argmax(-1)
    keep = np.r_[True, best[1:] != best[:-1]] & (best != 0)
    return " ".join("".join(ALPHABET[i] for i in best[keep]).split())


def edit_distance(a: list, b: list) -> int:
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (x != y))
    return d[-1]


def load_shards(pattern: str) -> list[tuple[np.ndarray, str, str, str]]:
    """(features, transcript, source, path) per clip; path is a real recording's, as recorded, else ""
    (and "" for every clip of shards written before paths were kept)."""
    out = []
    for path in sorted(RUN.glob(pattern)):
        try:
            z = np.load(path)
            feats, lens, texts, sources = z["feats"], z["lens"], z["texts"], z["sources"]
            paths = z["paths"] if "paths" in z.files else [""] * len(lens)
        except Exception as e:  # noqa: BLE001 - a shard still being written
            print("skip shard", path.name, e, flush=True)
            continue
        ends = np.cumsum(lens)
        for f0, f1, t, s, a in zip(ends - lens, ends, texts, sources, paths, strict=True):
            out.append((feats[f0:f1], str(t), str(s), str(a)))
    return out


def frame_targets(phones: list, n_frames: int) -> np.ndarray:
    """A forced alignment, [(phone, start, frames)] at 100 frames/s as PocketSphinx gives it, as one
    FRAME_CLASSES index per output frame (the input frame at its centre: the strided stem's 'same'
    padding puts output t over input 3t+1), -1 where nothing is aligned."""
    at = np.full(n_frames, -1, np.int32)
    for name, start, n in phones:
        name = name.lower()
        at[start : start + n] = FRAME_CLASSES.index(name) if name in FRAME_CLASSES else 0  # SIL, noise: silence
    out = np.full(-(-n_frames // STRIDE), -1, np.int32)
    centre = at[STRIDE // 2 :: STRIDE]
    out[: len(centre)] = centre
    return out


def with_frame_targets(data: list, alignments: dict[str, dict]) -> list:
    """Each clip's 4th element, its path, replaced by its frame targets, or None (no alignment:
    synthetic speech, augmented copies, a clip PocketSphinx could not align)."""
    out = []
    for f, text, source, path in data:
        phones = alignments.get(path, {}).get("phones") if path else None
        out.append((f, text, source, frame_targets(phones, len(f)) if phones else None))
    return out


def frame_labels(data: list, idx: list[int], longest: int) -> np.ndarray:
    """Padded frame targets of a batch, -1 (no loss) where a clip has none and past its end."""
    y = np.full((len(idx), -(-longest // STRIDE)), -1, np.int32)
    for k, i in enumerate(idx):
        t = data[i][3] if len(data[i]) > 3 else None
        if t is not None:
            y[k, : len(t)] = t[: y.shape[1]]
    return y


def feasible(n_frames: int, text: str | list) -> bool:
    """CTC needs one output frame per character plus a blank between repeated characters."""
    need = len(text) + sum(a == b for a, b in zip(text, text[1:], strict=False))
    return 0 < need <= -(-n_frames // STRIDE)


def batches(rng: np.random.Generator, data: list) -> list[list[int]]:
    """Indices grouped into batches of similar length, BATCH_FRAMES input frames each, shuffled."""
    order = np.argsort([len(d[0]) + rng.uniform(0, 30) for d in data])
    out, cur, longest = [], [], 0
    for i in order:
        longest = max(longest, len(data[i][0]))
        if cur and longest * (len(cur) + 1) > BATCH_FRAMES:
            out.append(cur)
            cur, longest = [], len(data[i][0])
        cur.append(i)
    out.append(cur)
    rng.shuffle(out)
    return out


def spec_augment(x: np.ndarray, rng: np.random.Generator, strength: str = "full") -> np.ndarray:
    """SpecAugment: zero a few bands and short stretches of time. 'light' = one narrow band, no time
    masks (for an underfitting model, regularising less lets it fit more)."""
    if strength == "off":
        return x
    x = x.copy()
    for f in x:
        for _ in range(2 if strength == "full" else 1):
            w = rng.integers(0, 9 if strength == "full" else 5)
            s = rng.integers(0, N_MELS - w)
            f[:, s : s + w] = 0
        for _ in range(len(f) // 150 if strength == "full" else 0):
            w = rng.integers(0, 8)
            s = rng.integers(0, max(1, len(f) - w))
            f[s : s + w] = 0
    return x


def pad_batch(data: list, idx: list[int], rng: np.random.Generator | None, strength: str = "full"):
    longest = max(len(data[i][0]) for i in idx)
    longest += -longest % STRIDE
    x = np.zeros((len(idx), longest, N_MELS), np.float32)
    for k, i in enumerate(idx):
        f = data[i][0].astype(np.float32)
        x[k, : len(f)] = f + (0 if rng is None else rng.normal(0, 0.1))
    if rng is not None:
        x = spec_augment(x, rng, strength)
    labels = [encode(data[i][1]) for i in idx]
    y = np.zeros((len(idx), max(len(t) for t in labels)), np.int32)
    for k, t in enumerate(labels):
        y[k, : len(t)] = t
    return (x, y, np.array([-(-len(data[i][0]) // STRIDE) for i in idx], np.int32), np.array([len(t) for t in labels], np.int32))


def phone_labels(data: list, idx: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded phone targets, their lengths and a 0/1 weight per clip (0: a word not in the
    dictionary, or too many phones for the frames; such a clip gets a dummy target and no phone loss)."""
    labels = [encode_phones(data[i][1]) for i in idx]
    ok = np.array([t is not None and feasible(len(data[i][0]), t.tolist()) for t, i in zip(labels, idx, strict=True)], np.float32)
    labels = [t if w else np.array([1], np.int32) for t, w in zip(labels, ok, strict=True)]
    y = np.zeros((len(idx), max(len(t) for t in labels)), np.int32)
    for k, t in enumerate(labels):
        y[k, : len(t)] = t
    return y, np.array([len(t) for t in labels], np.int32), ok


def evaluate(model, data: list) -> dict[str, float]:
    """Greedy CER and WER per source (and the phone error rate of a phone head, over all sources)."""
    errs: dict[str, list[int]] = {}
    per = [0, 0]
    for i in range(0, len(data), 16):
        chunk = list(range(i, min(i + 16, len(data))))
        x, _, lens, _ = pad_batch(data, chunk, None)
        logits = model(x, training=False)
        if isinstance(logits, list | tuple):
            best = logits[1].numpy().argmax(-1)
            for k, j in enumerate(chunk):
                ref = encode_phones(data[j][1])
                if ref is not None:
                    b = best[k, : lens[k]]
                    hyp = b[np.r_[True, b[1:] != b[:-1]] & (b != 0)]
                    per[0] += edit_distance(hyp.tolist(), ref.tolist())
                    per[1] += len(ref)
            logits = logits[0]
        logits = logits.numpy()
        for k, j in enumerate(chunk):
            hyp, ref = greedy(logits[k, : lens[k]]), data[j][1]
            e = errs.setdefault(data[j][2], [0, 0, 0, 0])
            e[0] += edit_distance(list(hyp), list(ref))
            e[1] += len(ref)
            e[2] += edit_distance(hyp.split(), ref.split())
            e[3] += len(ref.split())
    out = {f"cer_{s}": round(e[0] / e[1], 4) for s, e in errs.items()}
    out |= {f"wer_{s}": round(e[2] / e[3], 4) for s, e in errs.items()}
    return out | ({"per": round(per[0] / per[1], 4)} if per[1] else {})


def last_checkpoints(n: int) -> tuple[list[Path], list[list[np.ndarray]]]:
    """The last n checkpoints kept in training/runs/stt (ckpt_<step>.keras) and their weights."""
    import keras

    kept = sorted(CKPT.glob("ckpt_*.keras"), key=lambda p: int(p.stem.split("_")[1]))[-n:]
    return kept, [keras.models.load_model(p, compile=False).get_weights() for p in kept]


def mean_weights(weights: list[list[np.ndarray]]) -> list[np.ndarray]:
    return [np.mean(ws, axis=0) for ws in zip(*weights, strict=True)]


VALIDATION = "speechocean762 test-split adults, AN4 test/, FSDD jackson; commonvoice_en as a native monitor: never trained on"


def card_head(phones: bool = False) -> dict:
    """The model card's fixed part: what the network computes and what its input must be."""
    pre = {"rate": 16000, "hop_s": 0.01, "n_mels": N_MELS, "stride": STRIDE, "alphabet": ALPHABET}
    if phones:
        pre["phones"] = PHONES
    return {
        "name": "stt",
        "task": "log P(character) every 30 ms for 16 kHz English speech (CTC)" + (", then log P(phone)" if phones else "")
        + "; decode with demos/stt/decoder.py",
        "preprocessing": pre | {"features": "demos/features.py log_mel"},
    }


def export_checkpoint(stem: Path = OUT, average: int = 1) -> None:
    """training/runs/stt/last.keras -> weights/stt.npz + .json (float16), with the training log in the card.
    average > 1: the mean of the last `average` saved checkpoints (ckpt_<step>.keras), a cheap ensemble."""
    import keras

    from training.export import export

    model = keras.models.load_model(CKPT / "last.keras", compile=False)
    kept, weights = last_checkpoints(average) if average > 1 else ([], [])
    if kept:
        print("averaging", [p.name for p in kept], flush=True)
        model.set_weights(mean_weights(weights))
    phones = len(model.outputs) >= 2
    model = joint(model)
    log = [json.loads(line) for line in (CKPT / "log.jsonl").open()] if (CKPT / "log.jsonl").exists() else []
    corpus = {}
    for split in ("train", "val", "native"):
        rows = load_shards(f"{split}_*.npz")
        by: dict[str, list[float]] = {}
        for f, _, src, _ in rows:
            by.setdefault(src, [0, 0.0])
            by[src][0] += 1
            by[src][1] += len(f) / 360000
        corpus[split] = {s: {"clips": n, "hours": round(h, 2)} for s, (n, h) in sorted(by.items())}
    card = card_head(phones) | {
        "training": {
            "script": "training/train_stt.py (corpus: training/stt_corpus.py)",
            "corpus": corpus,
            "validation": VALIDATION,
            "steps": log[-1]["step"] if log else None, "batch": f"{BATCH_FRAMES / 100:g} s of audio",
            "optimizer": f"Adam, warm-up {WARMUP} steps then cosine decay from {LR}, clipnorm 5",
            "log": log,
        },
        "metrics": {},
    }
    if kept:
        card["training"]["averaged_checkpoints"] = [p.name for p in kept]
    export(model, stem, card, dtype="float16")
    print(f"exported to {stem}.npz")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=80, help="stop after this long (a checkpoint is written)")
    ap.add_argument("--total-steps", type=int, default=6000, help="length of the LR schedule")
    ap.add_argument("--check-minutes", type=float, default=8)
    ap.add_argument("--resume", action="store_true", help="continue from training/runs/stt/last.keras")
    ap.add_argument("--init-from-weights", action="store_true", help="start from the committed weights/stt.npz")
    ap.add_argument("--spec-augment", choices=["full", "light", "off"], default="full")
    ap.add_argument("--lr", type=float, default=LR, help="peak learning rate")
    ap.add_argument("--warm-restart", action="store_true",
                    help="with --resume: a new warm-up + cosine cycle from the current step to --total-steps")
    ap.add_argument("--real-repeat", type=int, default=1, help="show each recorded (non-TTS) clip this often per epoch")
    ap.add_argument("--blocks", type=int, default=BLOCKS,
                    help="with --init-from-weights: residual blocks; more than the committed model's are added as identities")
    ap.add_argument("--repeat", nargs="+", default=[], metavar="SOURCE=N",
                    help="show a source's clips N times as often as the others (after --real-repeat), e.g. fsdd=3")
    ap.add_argument("--phone-aux", type=float, default=0.0,
                    help="weight of a second CTC loss on phones (a head dropped at export); 0 = none")
    ap.add_argument("--frame-aux", type=float, default=0.0,
                    help="weight of a frame-level phone loss on PocketSphinx's forced alignments of the recorded "
                         "training clips (training/lipsync_labels.py --split train; a head dropped at export); 0 = none")
    ap.add_argument("--export", action="store_true", help="only export the last checkpoint to weights/stt")
    ap.add_argument("--average", type=int, default=1, help="with --export: average the last N checkpoints")
    ap.add_argument("--export-to", type=Path, default=OUT, help="with --export: the weights stem to write (a candidate's, to compare)")
    ap.add_argument("--run-dir", type=Path, default=RUN, help="checkpoints, state and log (the corpus stays in training/runs/stt)")
    args = ap.parse_args()
    global CKPT
    CKPT = args.run_dir
    CKPT.mkdir(parents=True, exist_ok=True)
    if args.export:
        export_checkpoint(args.export_to, average=args.average)
        return
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    state_path, ckpt = CKPT / "state.json", CKPT / "last.keras"
    state = json.loads(state_path.read_text()) if args.resume and state_path.exists() else {"step": 0, "epoch": 0}
    if args.resume and ckpt.exists():
        model = keras.models.load_model(ckpt, compile=False)
    else:
        if args.init_from_weights:
            from core import weights
            from training.export import load_into_keras

            committed = weights.load(str(OUT))[0].layers
            have = sum(layer.name.endswith("_conv1") for layer in committed)
            phones = args.phone_aux > 0 or args.frame_aux > 0 or any(layer.name == "chars_phones" for layer in committed)
            model = build_model(blocks=max(args.blocks, have), grown_from=have, phones=phones, frames=args.frame_aux > 0)
            load_into_keras(model, OUT)
            if phones:
                split_joint(model, OUT)
        else:
            model = build_model(blocks=args.blocks, phones=args.phone_aux > 0 or args.frame_aux > 0, frames=args.frame_aux > 0)
    model.summary(print_fn=lambda s: None)
    print(f"{model.count_params():,} parameters", flush=True)
    start = state["step"] if args.warm_restart else 0  # a warm restart: the schedule counts from here
    cycle = max(2, args.total_steps - start)
    cosine = keras.optimizers.schedules.CosineDecay(args.lr / WARMUP, max(1, cycle - WARMUP), alpha=0.03, warmup_target=args.lr,
                                                    warmup_steps=min(WARMUP, cycle // 2))

    class Restarted(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return cosine(keras.ops.maximum(step - start, 0))

    sched = Restarted()
    opt = keras.optimizers.Adam(sched, clipnorm=5.0)
    opt.build(model.trainable_variables)
    if args.resume and (CKPT / "opt.npz").exists():
        z = np.load(CKPT / "opt.npz")
        for v, k in zip(opt.variables, sorted(z.files, key=int), strict=True):
            v.assign(z[k])

    heads = len(model.outputs)
    if args.frame_aux > 0 and heads < 3:
        raise SystemExit("--frame-aux needs a frame head: start with --init-from-weights (or from scratch), not --resume of a run without one")

    def ctc(y, logits, yl, xl):
        return tf.nn.ctc_loss(y, logits, yl, xl, logits_time_major=False, blank_index=0) / tf.cast(yl, tf.float32)

    @tf.function(reduce_retracing=True)
    def train_step(x, y, xl, yl, py, pyl, pw, fy):
        with tf.GradientTape() as tape:
            if heads >= 2:
                logits, plogits, *rest = model(x, training=True)
                loss = tf.reduce_mean(ctc(y, logits, yl, xl))
                loss += args.phone_aux * tf.reduce_sum(ctc(py, plogits, pyl, xl) * pw) / tf.maximum(tf.reduce_sum(pw), 1.0)
                if rest and args.frame_aux > 0:  # cross-entropy on the aligned frames only (fy = -1 elsewhere)
                    mask = tf.cast(fy >= 0, tf.float32)
                    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.maximum(fy, 0), rest[0])
                    loss += args.frame_aux * tf.reduce_sum(ce * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)
            else:
                loss = tf.reduce_mean(ctc(y, model(x, training=True), yl, xl))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    val = load_shards("val_*.npz")
    rng_v = np.random.default_rng(1)
    monitor = [val[i] for i in rng_v.permutation(len(val))[:240]] + load_shards("native_*.npz")
    rng = np.random.default_rng(SEED + state["step"])
    deadline = time.time() + args.minutes * 60
    next_check = time.time() + args.check_minutes * 60
    log = (CKPT / "log.jsonl").open("a")
    losses: list[float] = []
    t0 = time.time()

    def checkpoint():
        model.save(ckpt)
        model.save(CKPT / f"ckpt_{state['step']}.keras")  # kept for --export --average
        np.savez(CKPT / "opt.npz", **{str(i): v.numpy() for i, v in enumerate(opt.variables)})
        state_path.write_text(json.dumps(state))
        rec = {"step": state["step"], "epoch": state["epoch"], "spec_augment": args.spec_augment, "loss": round(float(np.mean(losses[-200:])), 4),
               "lr": float(sched(state["step"])), "minutes": round((time.time() - t0) / 60, 1), **evaluate(model, monitor)}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()

    alignments = {}
    if args.frame_aux > 0:
        from training.lipsync_labels import aligned

        alignments = aligned()
        print(f"{sum(bool(r['phones']) for r in alignments.values())} forced alignments for --frame-aux", flush=True)
    while time.time() < deadline and state["step"] < args.total_steps:
        train = with_frame_targets([d for d in load_shards("train_*.npz") if feasible(len(d[0]), d[1])], alignments)
        # The validation speakers are real non-native adults: recorded speech is the closer match, so it can be shown more often.
        train += [d for d in train if not d[2].startswith("tts_")] * (args.real_repeat - 1)
        for source, n in (r.split("=") for r in args.repeat):  # e.g. the digits speakers, whose skill a long run erodes
            train += [d for d in train if d[2] == source] * (int(n) - 1)
        labelled = sum(d[3] is not None for d in train)
        print(f"epoch {state['epoch']}: {len(train)} clips ({labelled} with frame targets), "
              f"{sum(len(d[0]) for d in train) / 360000:.1f} h", flush=True)
        for idx in batches(rng, train):
            x, y, xl, yl = pad_batch(train, idx, rng, args.spec_augment)
            losses.append(float(train_step(x, y, xl, yl, *phone_labels(train, idx), frame_labels(train, idx, x.shape[1]))))
            state["step"] += 1
            if state["step"] % 50 == 0:
                print(f"step {state['step']} loss {np.mean(losses[-50:]):.3f} {(time.time() - t0) / 60:.1f} min", flush=True)
            if time.time() > next_check:
                checkpoint()
                next_check = time.time() + args.check_minutes * 60
            if time.time() > deadline or state["step"] >= args.total_steps:
                break
        else:
            state["epoch"] += 1
    checkpoint()


if __name__ == "__main__":
    main()
