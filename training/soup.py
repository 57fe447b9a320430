"""A "model soup": the weighted mean, weight by weight, of exported models that share their start.

    python -m training.soup --card weights/colorize.json --out /tmp/soup weights/colorize.npz:0.5 /tmp/cand.npz:0.5

Two runs that continue from the same weights stay in one basin of the loss, so their mean is a
model too, and often a better one than either (Wortsman et al. 2022). The shipped colorizer is
0.5 x the model before + 0.5 x its continuation with 10,500 extra photos (README, "Colorize").
Writes OUT.npz (compressed, each array in its first model's dtype) and OUT.json: --card with the
new npz's sha256; tune its decode and write its training record after (tune_colorize_decode).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np


def soup(parts: list[tuple[Path, float]], zero_if_missing: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The weighted mean of the npz files in `parts` ((path, weight) pairs; weights are normalised).

    A model grown from another (train_stt --blocks) has arrays the smaller one lacks. With
    `zero_if_missing`, an array absent from a model counts there as zeros if its name holds one of
    those strings (the scale that made a new block an identity), else as the other models' value.
    A speech model with a phone head (train_stt --phone-aux) mixes with one without: the letters are
    mixed, and the phone head is the one model's that has it."""
    loaded = [(with_phone_head(dict(np.load(p)), parts), w) for p, w in parts]
    keys = max((list(z) for z, _ in loaded), key=len)  # the grown model's arrays, in its order
    if any(not set(z) <= set(keys) for z, _ in loaded) or (not zero_if_missing and any(set(z) != set(keys) for z, _ in loaded)):
        raise ValueError("the models do not have the same arrays: they are not one architecture")
    total = sum(w for _, w in loaded)
    out = {}
    for k in keys:
        have = [(z[k].astype(np.float32), w) for z, w in loaded if k in z]
        dtype = next(z[k].dtype for z, _ in loaded if k in z)
        if any(s in k for s in zero_if_missing):
            out[k] = sum(w * a for a, w in have) / total  # absent: zeros, weight kept in the total
        else:
            out[k] = sum(w * a for a, w in have) / sum(w for _, w in have)
        out[k] = out[k].astype(dtype)
    return out


def with_phone_head(arrays: dict[str, np.ndarray], parts: list[tuple[Path, float]]) -> dict[str, np.ndarray]:
    """A letters-only speech model's last layer ('chars') as a letters + phones one ('chars_phones'),
    the phones taken from the first of `parts` that has them; other models unchanged."""
    joint = next((z for z in (np.load(p) for p, _ in parts) if "chars_phones/kernel" in z.files), None)
    if joint is None or "chars/kernel" not in arrays:
        return arrays
    n = arrays["chars/kernel"].shape[-1]
    for part in ("kernel", "bias"):
        mine = arrays.pop(f"chars/{part}")
        arrays[f"chars_phones/{part}"] = np.concatenate([mine, joint[f"chars_phones/{part}"][..., n:].astype(mine.dtype)], -1)
    return arrays


def write(arrays: dict[str, np.ndarray], card_path: Path, out: Path) -> None:
    """OUT.npz and OUT.json (the card at `card_path`, with the new sha256)."""
    npz = out.with_suffix(".npz")
    np.savez_compressed(npz, **arrays)
    card = json.loads(card_path.read_text())
    card["npz_sha256"] = hashlib.sha256(npz.read_bytes()).hexdigest()
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parts", nargs="+", help="NPZ:WEIGHT, two or more")
    ap.add_argument("--card", type=Path, required=True, help="model card to copy (architecture, preprocessing)")
    ap.add_argument("--out", type=Path, required=True, help="weights stem to write")
    ap.add_argument("--zero-if-missing", nargs="+", default=(), metavar="SUBSTR",
                    help="mix a grown model with its start: arrays only the grown one has count as zeros in the other "
                         "if their name holds SUBSTR (e.g. b4_norm2 b5_norm2), else as the grown one's")
    args = ap.parse_args()
    if args.out.suffix:  # the loaders add .npz/.json with with_suffix: "/tmp/mix_0.5" would become "/tmp/mix_0.npz"
        ap.error(f"--out is a stem without a dot in its name, not {args.out}")
    parts = [(Path(p.rsplit(":", 1)[0]), float(p.rsplit(":", 1)[1])) for p in args.parts]
    write(soup(parts, tuple(args.zero_if_missing)), args.card, args.out)
    print(f"wrote {args.out.with_suffix('.npz')} from {len(parts)} models")


if __name__ == "__main__":
    main()
