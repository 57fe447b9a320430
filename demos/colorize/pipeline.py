"""Colorize: grey L in, a distribution over ab colours out, run through core/.

    L (full size) -> shrink to NET_SIDE -> network -> per-position ab-bin logits (1/4 size)
      -> annealed mean at temperature T -> ab -> enlarge to full size -> with the original L -> RGB

Only colour comes from the network; every detail of the picture comes from the original L.
The logits are kept, so changing T (the "vividness") needs no second network run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from core import weights
from core.network import Network
from demos.colorize.color import fit_gamut, lab_to_rgb, rgb_to_lab

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "colorize"


@lru_cache(maxsize=1)
def load_model(stem: str = str(WEIGHTS)) -> tuple[Network, dict[str, Any]]:
    """The colorizer and its model card (bins, preprocessing constants, metrics)."""
    return weights.load(stem)


@dataclass
class Colorized:
    """The result of one network run: enough to decode at any temperature."""

    L: np.ndarray  # (H, W) original lightness, 0..100
    logits: np.ndarray  # (h, w, Q) at 1/4 of the network's input size (padding removed)
    was_colour: bool  # the input had colour (it was turned grey first)
    trace: dict[str, np.ndarray] = field(default_factory=dict)  # activations, when asked for


def _resize(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float (H, W) array to (width, height) = size."""
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize(size, Image.BILINEAR))


def run_network(rgb: np.ndarray, trace: bool = False, forward: Callable[[np.ndarray], np.ndarray] | None = None) -> Colorized:
    """Turn `rgb` grey and run the network once. `rgb`: float (H, W, 3) in [0, 1].

    `forward` replaces core's network (bench/colorize_speed.py passes Keras, on the same weights)."""
    net, card = load_model()
    pre = card["preprocessing"]
    lab = rgb_to_lab(rgb)
    L = lab[..., 0]
    was_colour = bool(np.abs(lab[..., 1:]).max() > 2.0)
    h, w = L.shape
    scale = min(1.0, pre["net_side"] / max(h, w))
    nh, nw = max(8, round(h * scale)), max(8, round(w * scale))
    small = _resize(L, (nw, nh)) if (nh, nw) != (h, w) else L
    # The encoder halves the size three times: reflect-pad up to a multiple of 8, crop later.
    m = pre["size_multiple"]
    ph, pw = -nh % m, -nw % m
    x = np.pad((small - pre["L_center"]) / pre["L_scale"], ((0, ph), (0, pw)), mode="reflect")
    x = x[None, :, :, None].astype(np.float32)
    if trace:
        out, acts = net.forward(x, trace=True)
    else:
        out, acts = np.asarray((forward or net.forward)(x)), {}
    s = pre["out_stride"]
    logits = out[0, : -(-nh // s), : -(-nw // s)]
    return Colorized(L=L, logits=logits, was_colour=was_colour, trace=acts)


def decode_ab(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Annealed mean (Zhang et al. 2016): softmax(logits / T) . bin centres.

    T = 1 is the plain mean (safe, muted); smaller T moves toward the most likely colour (vivid).
    """
    _, card = load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    z = logits / max(temperature, 1e-3)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return p @ centres


def to_rgb(result: Colorized, temperature: float | None = None) -> np.ndarray:
    """Decode at `temperature` (default: the model card's) and recombine with the full-size L."""
    _, card = load_model()
    t = card["preprocessing"]["default_temperature"] if temperature is None else temperature
    ab = decode_ab(result.logits, t)
    h, w = result.L.shape
    ab_full = np.stack([_resize(ab[..., i], (w, h)) for i in range(2)], axis=-1)
    return lab_to_rgb(fit_gamut(np.concatenate([result.L[..., None], ab_full], axis=-1)))


def colorize_image(rgb: np.ndarray, temperature: float | None = None, forward: Callable | None = None) -> np.ndarray:
    """A colour version of `rgb` (float (H, W, 3) in [0, 1]; colour input is turned grey first)."""
    return to_rgb(run_network(rgb, forward=forward), temperature)
