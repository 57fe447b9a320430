"""Train the colorizer: L in, a distribution over quantised ab bins out (Zhang et al. 2016 style).

    python -m training.train_colorize --minutes 100      # resumes from runs/colorize/last.keras
    python -m training.train_colorize --init-from-weights --lr 5e-4 --total-epochs 45   # from weights/

The model is a small encoder (strided 3x3 convs to 1/8), dilated convs, a global-context
branch (the whole image's mean features added at every position, after Iizuka et al. 2016), and
one skip connection back to 1/4 resolution, where 1x1 conv logits over the ab bins come out.
Targets are soft (a Gaussian over nearby bins); class rebalancing is mild (lambda below).
Beside the cross-entropy, a small regression term pulls the distribution's mean (the T = 1
decode) toward the true ab, so that the mean is a sensible "safe" colour: the decode falls back
toward it wherever the network is unsure (demos/colorize/pipeline.py).
With --encoder lite0 (as shipped) the encoder is instead EfficientNet-Lite0, trained on ImageNet and
kept frozen (training/efficientnet_lite.py), and only a U-Net decoder is trained (build_lite_model);
--encoder lite2 is the same with the larger Lite2.
Progress goes to runs/colorize/log.csv, each epoch's weights to runs/colorize/epochNNN.weights.h5;
export with `python -m training.export_colorize`.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from demos.colorize.pipeline import BOLD_MAX, BOLD_REF
from training.colorize_data import CROP, EXTRA_SHARE, LONG_SIDE

# ---- config -------------------------------------------------------------------------------
RUN = Path(__file__).resolve().parent / "runs" / "colorize"
BATCH = 32
STEPS_PER_EPOCH = 100
LR = 1e-3
LAMBDA = 0.75  # rebalancing: 1 = none, 0.5 = Zhang's (vivid but costs PSNR)
SIGMA = 5.0  # soft-target Gaussian width in ab units (grid step is 10)
REG_WEIGHT = 0.5  # weight of the Huber loss on the mean ab (in units of 10 ab)
WEIGHT_DECAY = 0.05  # AdamW decay (times the LR each step): the model overfits a few thousand photos
# --decode-weight: the colour the app shows (the card's decode: annealed mean at T, half the crop's
# mean colour taken away, times a chroma factor) pulled toward the truth, so training sees what users see.
# --shown-loss gain: instead of a Huber per pixel, each crop's log ratio of the shown colour's ab error
# to grey's (the benchmark's per-photo PSNR gain over grey, in ab): a crop whose truth is nearly grey
# weighs as much as a colourful one, so a wash over a grey scene costs what it costs the user.
SHOWN_T, SHOWN_CAST, SHOWN_CHROMA = 0.35, 0.5, 1.3
GAIN_EPS = 0.05  # in (10 ab)^2: crops greyer than this count as grey
SEED = 0
# --------------------------------------------------------------------------------------------


def build_model(n_bins: int, blocks: int = 0):
    """blocks: residual blocks added at 1/8 resolution after mid4. Their last conv starts at zero, so
    a model grown from the committed weights computes exactly what they computed, then learns more."""
    import keras
    from keras import layers

    def conv(x, ch, name, stride=1, dilation=1, k=3, act="relu", init="glorot_uniform"):
        return layers.Conv2D(ch, k, strides=stride, dilation_rate=dilation, padding="same", activation=act, name=name,
                             kernel_initializer=init)(x)

    inp = keras.Input((None, None, 1), name="L")
    x = conv(inp, 32, "enc1", stride=2)  # 1/2
    x = conv(x, 32, "enc2")
    x = conv(x, 64, "enc3", stride=2)  # 1/4
    skip = conv(x, 64, "enc4")
    x = conv(skip, 128, "enc5", stride=2)  # 1/8
    x = conv(x, 128, "mid1", dilation=2)
    x = conv(x, 128, "mid2", dilation=4)
    x = conv(x, 128, "mid3", dilation=8)
    g = layers.GlobalAveragePooling2D(keepdims=True, name="global_pool")(x)
    g = conv(g, 128, "global_fc", k=1)
    x = layers.Add(name="add_global")([x, g])  # broadcast: the scene's context at every position
    x = conv(x, 128, "mid4")
    for i in range(1, blocks + 1):  # x is a ReLU output, so relu(x + 0) = x: a zero block changes nothing
        y = conv(conv(x, 128, f"res{i}a"), 128, f"res{i}b", act=None, init="zeros")
        x = layers.Activation("relu", name=f"res{i}_relu")(layers.Add(name=f"res{i}_add")([x, y]))
    x = layers.UpSampling2D(2, name="up")(x)  # back to 1/4
    x = conv(x, 64, "up_proj", k=1, act=None)
    x = layers.Add(name="add_skip")([x, skip])
    x = layers.Activation("relu", name="up_relu")(x)
    x = conv(x, 64, "dec1")
    out = conv(x, n_bins, "ab_logits", k=1, act=None)
    return keras.Model(inp, out, name="colorizer")


def build_lite_model(n_bins: int, finetune: bool = False, variant: str = "lite0"):
    """An ImageNet-trained EfficientNet-Lite (training/efficientnet_lite.py) as the encoder, and a
    small U-Net decoder: its 1/32 features, with the whole image's mean added at every position
    (the global context), are upsampled step by step to 1/4, joined at each step by the encoder's
    features at that scale, and turned into ab-bin logits. The encoder is frozen unless `finetune`
    (its BatchNorm statistics stay the ImageNet ones either way). Input size: a multiple of 32."""
    import keras
    from keras import layers

    from training.efficientnet_lite import encoder

    def conv(x, ch, name, k=3, act="relu"):
        return layers.Conv2D(ch, k, padding="same", activation=act, name=name)(x)

    inp = keras.Input((None, None, 1), name="L")
    f = encoder(inp, variant)
    x = conv(f[32], 256, "dec32", k=1)
    g = layers.GlobalAveragePooling2D(keepdims=True, name="global_pool")(x)
    x = layers.Add(name="add_global")([x, conv(g, 256, "global_fc", k=1)])
    for stride, ch in ((16, 192), (8, 128), (4, 128)):
        x = layers.UpSampling2D(2, name=f"up{stride}")(x)
        x = layers.Concatenate(name=f"cat{stride}")([x, f[stride]])
        x = conv(x, ch, f"dec{stride}")
    out = conv(x, n_bins, "ab_logits", k=1, act=None)
    model = keras.Model(inp, out, name=f"colorizer_{variant}")
    for layer in model.layers:
        if layer.name.startswith("enc") and (not finetune or layer.name.endswith("_bn")):
            layer.trainable = False
    return model


def make_loss(centres: np.ndarray, weights: np.ndarray, reg_weight: float = REG_WEIGHT, decode_weight: float = 0.0,
              shown_loss: str = "huber", shown_bold: float = 0.0):
    """Rebalanced cross-entropy against soft targets, plus a Huber pull of the mean ab toward the
    truth, plus (decode_weight > 0) a pull of the shown colour (SHOWN_*) toward the truth (shown_loss).
    With shown_bold > 0 the shown colour is the boldness decode instead of the plain chroma factor:
    each crop's colour times (its mean chroma / BOLD_REF) ** shown_bold, at most BOLD_MAX
    (demos/colorize/pipeline.py boldness), so the network also learns how boldly to colour a crop.
    keras.ops only, so it runs on any Keras backend (TensorFlow here, JAX on a GPU machine)."""
    from keras import ops

    c = ops.convert_to_tensor(centres)
    w = ops.convert_to_tensor(weights)

    def loss(ab_true, logits):
        d2 = ops.sum((ab_true[..., None, :] - c) ** 2, axis=-1)  # (B, h, w, Q)
        target = ops.softmax(-d2 / (2 * SIGMA**2), axis=-1)
        pixel_w = ops.take(w, ops.argmin(d2, axis=-1))
        ce = -ops.sum(target * ops.log_softmax(logits, axis=-1), axis=-1)
        mean_ab = ops.matmul(ops.softmax(logits, axis=-1), c)  # (B, h, w, 2): the T = 1 decode
        err = ops.abs(mean_ab - ab_true) / 10.0
        huber = ops.where(err < 1.0, 0.5 * err**2, err - 0.5)
        total = ops.mean(pixel_w * ce) + reg_weight * ops.mean(huber)
        if decode_weight:
            shown = ops.matmul(ops.softmax(logits / SHOWN_T, axis=-1), c)
            shown = shown - (1.0 - SHOWN_CAST) * ops.mean(shown, axis=(1, 2), keepdims=True)
            if shown_bold:
                chroma = ops.mean(ops.sqrt(ops.sum(shown**2, axis=-1) + 1e-6), axis=(1, 2))[:, None, None, None]
                shown = shown * ops.minimum((chroma / BOLD_REF) ** shown_bold, BOLD_MAX)
            else:
                shown = SHOWN_CHROMA * shown
            err = ops.abs(shown - ab_true) / 10.0
            if shown_loss == "gain":  # per crop: log of (shown colour's error / grey's error)
                mse = ops.mean(err**2, axis=(1, 2, 3))
                grey = ops.mean((ab_true / 10.0) ** 2, axis=(1, 2, 3))
                shown_term = ops.mean(ops.log((mse + GAIN_EPS) / (grey + GAIN_EPS)))
            else:
                shown_term = ops.mean(ops.where(err < 1.0, 0.5 * err**2, err - 0.5))
            total = total + decode_weight * shown_term
        return total

    return loss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=100, help="wall-clock budget of this run")
    ap.add_argument("--total-epochs", type=int, default=60, help="length of the cosine LR schedule")
    ap.add_argument("--init-from-weights", action="store_true", help="start from weights/colorize.npz (and its ab bins)")
    ap.add_argument("--lr", type=float, default=LR, help="peak learning rate of the cosine schedule")
    ap.add_argument("--weight-decay", type=float, default=WEIGHT_DECAY, help="AdamW weight decay (0 = plain Adam)")
    ap.add_argument("--blocks", type=int, default=0, help="residual blocks to add at 1/8 resolution (a new run only)")
    ap.add_argument("--rebalance", type=float, default=LAMBDA,
                    help="class rebalancing lambda of a new run (1 = none, 0.5 = Zhang's: bolder colour, less PSNR)")
    ap.add_argument("--extra-share", type=float, default=EXTRA_SHARE,
                    help="share of crops from the extra photos of training/colorize_sources.py (0: leave them out)")
    ap.add_argument("--long-side", type=int, default=LONG_SIDE, help="photos are shrunk to this longer side (the app runs at 256)")
    ap.add_argument("--encoder", choices=["scratch", "lite0", "lite2"], default="scratch",
                    help="lite0 / lite2: an ImageNet-trained EfficientNet-Lite as a frozen encoder (a new run; bins from weights/)")
    ap.add_argument("--finetune-encoder", action="store_true", help="with --encoder lite0: train its weights too")
    ap.add_argument("--init-checkpoint", type=Path, help="with --encoder lite0: start from this run's .weights.h5")
    ap.add_argument("--reg-weight", type=float, default=REG_WEIGHT, help="weight of the Huber loss on the mean ab")
    ap.add_argument("--decode-weight", type=float, default=0.0,
                    help="weight of the loss on the shown colour (SHOWN_*: the card's decode); 0 = off, as shipped")
    ap.add_argument("--shown-loss", choices=["huber", "gain"], default="huber",
                    help="with --decode-weight: a Huber per pixel, or each crop's log error ratio to grey's")
    ap.add_argument("--shown-bold", type=float, default=0.0,
                    help="with --decode-weight: the shown colour is the boldness decode with this power (0: chroma x 1.3)")
    ap.add_argument("--run", type=Path, default=RUN, help="run directory (checkpoints, log, bins)")
    ap.add_argument("--crop", type=int, default=CROP, help="side of the square training crops (a multiple of 8): "
                    "larger ones show the global-context branch more of each photo, as the app does")
    args = ap.parse_args()

    import keras

    from training.colorize_data import EXTRA, batches, bins_and_weights, image_paths, lab_pair, load_rgb, sampling_weights

    run = args.run
    run.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    train_paths, monitor_paths = image_paths(extra=EXTRA if args.extra_share else None)
    t0 = time.time()
    train = [load_rgb(p, args.long_side) for p in train_paths]
    keep = [i for i, im in enumerate(train) if min(im.shape[:2]) >= args.crop // 2]
    train, train_paths = [train[i] for i in keep], [train_paths[i] for i in keep]
    monitor = [load_rgb(p, args.long_side) for p in monitor_paths]
    print(f"loaded {len(train)} training and {len(monitor)} monitor images in {time.time() - t0:.0f}s", flush=True)

    bins_file = run / "bins.npz"
    committed = Path(__file__).resolve().parents[1] / "weights" / "colorize"
    if bins_file.exists():
        b = np.load(bins_file)
        centres, prior, weights = b["centres"], b["prior"], b["weights"]
    else:
        grid = None
        if args.init_from_weights or args.encoder != "scratch":  # the committed model's bins (and its decode's prior)
            grid = np.asarray(json.loads(committed.with_suffix(".json").read_text())["preprocessing"]["ab_centres"], np.float32)
        centres, prior, weights = bins_and_weights(train, args.rebalance, SIGMA, grid)
        np.savez(bins_file, centres=centres, prior=prior, weights=weights)
    print(f"{len(centres)} ab bins; rebalancing weights {weights.min():.2f}..{weights.max():.2f}", flush=True)

    log_file = run / "log.csv"
    done = list(csv.DictReader(log_file.open())) if log_file.exists() else []
    start_epoch = len(done)
    total_steps = args.total_epochs * STEPS_PER_EPOCH
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, total_steps, alpha=0.02, warmup_target=None)
    if (run / "last.keras").exists():
        model = keras.models.load_model(run / "last.keras", compile=False)
        print(f"resuming at epoch {start_epoch}", flush=True)
    elif args.encoder != "scratch":  # --init-from-weights: the committed decoder; --init-checkpoint: a run's
        from training.efficientnet_lite import load_encoder

        model = build_lite_model(len(centres), args.finetune_encoder, args.encoder)
        if args.init_checkpoint:  # a second phase: e.g. the same model with its encoder unfrozen
            model.load_weights(args.init_checkpoint)
            print(f"started from {args.init_checkpoint}", flush=True)
        else:
            print(f"loaded {load_encoder(model, args.encoder)} ImageNet-trained encoder layers", flush=True)
            if args.init_from_weights:  # the committed decoder on the same ImageNet encoder
                from training.export import load_into_keras

                load_into_keras(model, committed, skip_prefix="enc")
                print("decoder from the committed weights", flush=True)
    else:
        model = build_model(len(centres), args.blocks)
        if args.init_from_weights:
            from training.export import load_into_keras

            load_into_keras(model, committed)
    opt = keras.optimizers.AdamW(schedule, weight_decay=args.weight_decay) if args.weight_decay else keras.optimizers.Adam(schedule)
    model.compile(optimizer=opt, loss=make_loss(centres, weights, args.reg_weight, decode_weight=args.decode_weight, shown_loss=args.shown_loss,
                                                shown_bold=args.shown_bold))
    if start_epoch:
        opt.iterations.assign(start_epoch * STEPS_PER_EPOCH)  # keep the LR schedule in step

    # A fixed monitor batch: centre crops of held-out images.
    mon = [lab_pair(im[:128, :128].astype(np.float32) / 255.0) for im in monitor if min(im.shape[:2]) >= 128]
    mx, my = np.stack([m[0] for m in mon]), np.stack([m[1] for m in mon])

    # A resumed run keeps the record that it began from the committed weights, and its architecture.
    old = json.loads((run / "config.json").read_text()) if start_epoch and (run / "config.json").exists() else {}
    (run / "config.json").write_text(json.dumps({"batch": BATCH, "lambda": old.get("lambda", LAMBDA) if start_epoch else args.rebalance, "sigma": SIGMA, "lr": args.lr, "reg_weight": args.reg_weight, "decode_weight": args.decode_weight, "shown_loss": args.shown_loss, "shown_bold": args.shown_bold,
                                                  "weight_decay": args.weight_decay, "extra_share": args.extra_share,
                                                  "blocks": old.get("blocks", 0) if start_epoch else args.blocks,
                                                  "init_from_weights": args.init_from_weights or old.get("init_from_weights", False), "total_epochs": args.total_epochs, "steps_per_epoch": STEPS_PER_EPOCH, "train_images": len(train),
                                                  "long_side": args.long_side, "crop": args.crop,
                                                  "encoder": old.get("encoder", "scratch") if start_epoch else args.encoder,
                                                  "finetune_encoder": args.finetune_encoder}))
    stream = batches(rng, train, BATCH, sampling_weights(train_paths, extra_share=args.extra_share), args.crop)
    deadline = time.time() + args.minutes * 60
    with log_file.open("a", newline="") as f:
        writer = csv.writer(f)
        if not done:
            writer.writerow(["epoch", "loss", "monitor_loss", "lr", "seconds", "crops_per_s"])
        for epoch in range(start_epoch, args.total_epochs):
            if time.time() > deadline:
                print("time budget spent; rerun to resume", flush=True)
                break
            t = time.time()
            losses = [model.train_on_batch(*next(stream)) for _ in range(STEPS_PER_EPOCH)]
            mloss = float(model.evaluate(mx, my, verbose=0, batch_size=16))
            secs = time.time() - t
            lr = float(schedule(opt.iterations))
            writer.writerow([epoch + 1, f"{np.mean(losses):.4f}", f"{mloss:.4f}", f"{lr:.2e}", f"{secs:.0f}", f"{STEPS_PER_EPOCH * BATCH / secs:.1f}"])
            f.flush()
            model.save(run / "last.keras")
            model.save_weights(run / f"epoch{epoch + 1:03d}.weights.h5")  # to pick a checkpoint afterwards
            print(f"epoch {epoch + 1}: loss {np.mean(losses):.4f} monitor {mloss:.4f} lr {lr:.1e} {secs:.0f}s", flush=True)


if __name__ == "__main__":
    main()
