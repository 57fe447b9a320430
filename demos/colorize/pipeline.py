"""Colorize: grey L in, a distribution over ab colours out, run through core/.

    L (full size) -> shrink to NET_SIDE -> network -> per-position ab-bin logits (1/4 size)
      -> annealed mean at temperature T -> ab, muted where the network is unsure
      -> enlarge to full size -> with the original L -> RGB

Only colour comes from the network; every detail of the picture comes from the original L.
The logits are kept, so changing T or the vividness needs no second network run.

"When unsure, say less": a colour that is wrong at full strength looks worse than grey. Four
things in the decode keep a wrong guess small:
- Where the network's colour distribution is flat (it cannot tell a red car from a blue one), the
  annealed mean would still pick one hue and paint it boldly, in blotches. So each position's
  chroma is scaled by the network's confidence there (how peaked its distribution is, smoothed
  over the neighbourhood).
- A small network often guesses one tint for the whole photo (warm, green, blue). Right, it wins
  a lot; wrong, it is a wash over everything. So only part of the photo's mean colour (its cast)
  is kept, while the differences between regions (sky vs grass) stay whole.
- A wrong guess often comes as a blotch: a patch of stray hue inside one evenly lit region (a
  night sky, a table top). The colour field is smoothed guided by the photo's own lightness, so
  within such a region it becomes one even colour, while it still changes at edges (guided_smooth).
- How strongly the network colours a photo as a whole is a sign of how sure it is of it: a meal
  or a lawn it paints boldly, a shirt or a car whose colour could be anything it barely tints. So
  the whole photo's colour is scaled by its own mean chroma (boldness): the sure get more, the
  unsure less, which keeps more photos above grey at the same overall colour.
The settings live in the model card and were chosen on the training monitor set and calibration photos
(training/tune_colorize_decode.py), never on the validation photos.
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
STRIP = 256  # rows converted at a time: a big photo's colour maths stays in bounded memory
SHOWN_PIXELS = 2_000_000  # the page works on a copy at most this size; its download is full size
BOLD_REF = 8.0  # a typical photo's mean chroma after the decode (median of the calibration photos: 7.99)
BOLD_MAX = 2.0  # the photo's own colour factor (boldness) is capped here, unless the decode sets `bold_max`


@lru_cache(maxsize=1)
def load_model() -> tuple[Network, dict[str, Any]]:
    """The colorizer and its model card (bins, preprocessing constants, metrics)."""
    return weights.load(str(WEIGHTS))


def use_weights(stem: str | Path) -> None:
    """Run other weights from now on (training scripts compare checkpoints this way)."""
    global WEIGHTS
    WEIGHTS = Path(stem)
    load_model.cache_clear()


@dataclass
class Colorized:
    """The result of one network run: enough to decode at any temperature."""

    L: np.ndarray  # (H, W) original lightness, 0..100
    logits: np.ndarray  # (h, w, Q) at 1/4 of the network's input size (padding removed)
    was_colour: bool  # the input had colour (it was turned grey first)
    gain: np.ndarray | None = None  # (h, w) the gain head's chroma factor, where the model has one
    trace: dict[str, np.ndarray] = field(default_factory=dict)  # activations, when asked for


def _resize(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float (H, W) array to (width, height) = size."""
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize(size, Image.BILINEAR))


def lightness(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """(L of CIE Lab, whether the photo has colour), a strip of rows at a time."""
    L = np.empty(rgb.shape[:2], np.float32)
    chroma = 0.0
    for r in range(0, len(L), STRIP):
        lab = rgb_to_lab(rgb[r : r + STRIP])
        L[r : r + STRIP] = lab[..., 0]
        chroma = max(chroma, float(np.abs(lab[..., 1:]).max(initial=0.0)))
    return L, chroma > 2.0


def run_network(rgb: np.ndarray, trace: bool = False, forward: Callable[[np.ndarray], np.ndarray] | None = None) -> Colorized:
    """Turn `rgb` grey and run the network once. `rgb`: float (H, W, 3) in [0, 1].

    `forward` replaces core's network (bench/colorize_speed.py passes Keras, on the same weights)."""
    net, card = load_model()
    pre = card["preprocessing"]
    L, was_colour = lightness(rgb)
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
    gain = None
    if "gain_head" in pre and logits.shape[-1] > pre["gain_head"]["channel"]:  # its one more channel
        gain = pre["gain_head"]["max"] * logits[..., pre["gain_head"]["channel"]]
        logits = logits[..., : pre["gain_head"]["channel"]]
    return Colorized(L=L, logits=logits, was_colour=was_colour, trace=acts, gain=gain)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities over the ab bins at temperature T, along the last axis."""
    z = logits / max(temperature, 1e-3)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of a 2-D map (edges reflected); sigma in positions."""
    if sigma <= 0:
        return a
    r = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        padded = np.pad(a, pad, mode="reflect" if a.shape[axis] > r else "edge")
        a = np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), axis, padded)
    return a


def box_mean(a: np.ndarray, r: int) -> np.ndarray:
    """Mean of each (2r+1) x (2r+1) window of a 2-D map (windows cut at the edges), by summed areas."""
    h, w = a.shape
    c = np.zeros((h + 1, w + 1), np.float64)
    c[1:, 1:] = a.cumsum(0).cumsum(1)
    y0, y1 = np.clip(np.arange(h) - r, 0, h), np.clip(np.arange(h) + r + 1, 0, h)
    x0, x1 = np.clip(np.arange(w) - r, 0, w), np.clip(np.arange(w) + r + 1, 0, w)
    total = c[y1][:, x1] - c[y0][:, x1] - c[y1][:, x0] + c[y0][:, x0]
    return (total / ((y1 - y0)[:, None] * (x1 - x0)[None, :])).astype(np.float32)


def guided_smooth(ab: np.ndarray, guide: np.ndarray, r: int, eps: float) -> np.ndarray:
    """Edge-aware smoothing of the colour field (He et al.'s guided filter, guided by lightness):
    within each window the colour becomes the best linear function of L, so a patch of stray hue
    inside an evenly lit region (a night sky, a table top) flattens out while the colour still
    changes where the lightness does (an object's edge). `guide`: L / 100 at ab's grid;
    `eps`: how large a change of lightness counts as an edge (a variance, in (L / 100)^2)."""
    mean_i = box_mean(guide, r)
    var_i = box_mean(guide * guide, r) - mean_i**2
    out = np.empty_like(ab)
    for c in range(ab.shape[-1]):
        p = ab[..., c]
        mean_p = box_mean(p, r)
        a = (box_mean(guide * p, r) - mean_i * mean_p) / (var_i + eps)
        b = mean_p - a * mean_i
        out[..., c] = box_mean(a, r) * guide + box_mean(b, r)
    return out


def confidence(p: np.ndarray) -> np.ndarray:
    """How sure the network is at each position: 1 - entropy / log(Q) of its distribution
    (0 = every colour equally likely, 1 = one colour for certain)."""
    h = -(p * np.log(np.maximum(p, 1e-12))).sum(axis=-1)
    return 1.0 - h / np.log(p.shape[-1])


def chroma_gain(p1: np.ndarray, decode: dict[str, float]) -> np.ndarray:
    """The factor (0..1) each position's chroma is scaled by: the confidence, smoothed over
    `blur` positions, mapped linearly from `floor` (grey) to `full` (whole colour)."""
    if decode.get("full", 0.0) <= decode.get("floor", 0.0):  # muting off
        return np.ones(p1.shape[:-1], np.float32)
    c = blur(confidence(p1), decode.get("blur", 0.0))
    return np.clip((c - decode["floor"]) / (decode["full"] - decode["floor"]), 0.0, 1.0)


def decode_ab(logits: np.ndarray, temperature: float, decode: dict[str, float] | None = None,
              gain: np.ndarray | None = None, guide: np.ndarray | None = None) -> np.ndarray:
    """Annealed mean (Zhang et al. 2016), softmax(logits / T) . bin centres, muted where unsure.

    T = 1 is the plain mean; smaller T moves toward each position's most likely colour (bolder where
    that is a colour, greyer where the network is unsure and its most likely colour is a grey).
    `decode`: the muting settings (default: the model card's; {} turns muting off): `floor`,
    `full` and `blur` of the confidence (chroma_gain), `cast`, the share of the photo's mean
    colour kept (1 = all of it), `smooth`, the width of a Gaussian blur of the colour itself,
    `prior`, the power of the decode-time rebalancing (0 = none), and `chroma`, a plain factor on
    the colour (1 = none; tried bolder, it doubled the photos worse than grey: README).
    `gain`: the gain head's factor at each position (training/train_colorize_gain.py), applied
    before the cast and the smoothing when the decode's `use_gain` is on. `guided` (a radius in
    positions, 0 = off) and `guided_eps`: the edge-aware smoothing (guided_smooth) with `guide`,
    the photo's lightness / 100 at the logits' grid. `bold`, `bold_ref` and `bold_max`: a factor for the
    whole photo from its own mean chroma (boldness), applied with `chroma`.
    """
    _, card = load_model()
    pre = card["preprocessing"]
    centres = np.asarray(pre["ab_centres"], np.float32)
    decode = pre.get("decode", {}) if decode is None else decode
    z = logits
    if decode.get("prior", 0.0) > 0:
        # Rebalancing at decode time: divide by the training photos' colour frequencies to the power
        # `prior`, so a saturated colour the network half-believes is not outvoted by the common greys.
        z = logits - decode["prior"] * np.log(np.maximum(np.asarray(pre["ab_prior"], np.float32), 1e-6))
    ab = softmax(z, temperature) @ centres
    if decode.get("full", 0.0) > decode.get("floor", 0.0):  # muting on: it needs the T = 1 distribution too
        ab *= chroma_gain(softmax(logits), decode)[..., None]
    if gain is not None and decode.get("use_gain", 0.0):  # learned: how far to trust the colour here
        ab *= blur(gain, decode.get("blur", 0.0))[..., None]
    ab -= (1.0 - decode.get("cast", 1.0)) * ab.reshape(-1, 2).mean(axis=0)
    if decode.get("smooth", 0.0) > 0:  # small patches of a stray hue merge into their surroundings
        ab = np.stack([blur(ab[..., i], decode["smooth"]) for i in range(2)], axis=-1)
    if decode.get("guided", 0) and guide is not None:
        ab = guided_smooth(ab, guide, int(decode["guided"]), decode.get("guided_eps", 1e-3))
    return (ab * decode.get("chroma", 1.0) * boldness(ab, decode)).astype(np.float32)


def boldness(ab: np.ndarray, decode: dict[str, float]) -> float:
    """The photo's own colour factor: (its mean chroma / `bold_ref`) ** `bold` (0 = off), at most `bold_max`.

    How strongly the network colours a photo as a whole says how sure it is of it: a photo it paints
    boldly (fruit, a meal, a lawn) gets more colour, one it barely tints (a shirt or a car whose colour
    could be anything) gets less, so a timid guess does not become a confident wrong one."""
    if not decode.get("bold", 0.0):
        return 1.0
    mean_chroma = float(np.hypot(ab[..., 0], ab[..., 1]).mean())
    return min((mean_chroma / decode.get("bold_ref", BOLD_REF)) ** decode["bold"], decode.get("bold_max", BOLD_MAX))


def with_boost(decode: dict[str, float], boost: float) -> dict[str, float]:
    """`decode` with its `prior` (decode-time rebalancing: the vividness control) set to `boost`."""
    return {**decode, "prior": float(boost)}


def to_rgb(result: Colorized, temperature: float | None = None, decode: dict[str, float] | None = None) -> np.ndarray:
    """Decode at `temperature` (default: the model card's) and recombine with the full-size L."""
    _, card = load_model()
    t = card["preprocessing"]["default_temperature"] if temperature is None else temperature
    h, w = result.L.shape
    gh, gw = result.logits.shape[:2]
    guide = np.asarray(Image.fromarray(result.L / 100.0, mode="F").resize((gw, gh), Image.BOX))
    ab = decode_ab(result.logits, t, decode, result.gain, guide)
    planes = [Image.fromarray(ab[..., i], mode="F") for i in range(2)]
    sy = ab.shape[0] / h  # ab rows per output row
    out = np.empty((h, w, 3), np.float32)
    for r in range(0, h, STRIP):
        # Bilinear enlargement of just this band (PIL's box keeps it identical to a whole-image resize).
        rows = min(STRIP, h - r)
        box = (0.0, r * sy, float(ab.shape[1]), (r + rows) * sy)
        ab_band = np.stack([np.asarray(pl.resize((w, rows), Image.BILINEAR, box=box)) for pl in planes], axis=-1)
        out[r : r + rows] = lab_to_rgb(fit_gamut(np.concatenate([result.L[r : r + rows, :, None], ab_band], axis=-1)))
    return out


def bounded(rgb: np.ndarray, pixels: int) -> np.ndarray:
    """`rgb` shrunk (area-averaged) to at most `pixels`: a 24-megapixel photo costs a page little."""
    h, w = rgb.shape[:2]
    if h * w <= pixels:
        return rgb
    scale = (pixels / (h * w)) ** 0.5
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.stack([np.asarray(Image.fromarray(rgb[..., c], mode="F").resize(size, Image.BOX)) for c in range(3)], axis=-1)


def full_size_png(rgb: np.ndarray, logits: np.ndarray, temperature: float, decode: dict[str, float] | None = None,
                  gain: np.ndarray | None = None) -> bytes:
    """PNG of the colours the network gave (`logits`, from any smaller copy) on the full-size
    lightness of `rgb`: the page's download, with no second network run and bounded memory."""
    from demos.media import to_png_bytes

    L, was_colour = lightness(rgb)
    return to_png_bytes(to_rgb(Colorized(L=L, logits=logits, was_colour=was_colour, gain=gain), temperature, decode))


def colorize_image(rgb: np.ndarray, temperature: float | None = None, forward: Callable | None = None,
                   boost: float | None = None) -> np.ndarray:
    """A colour version of `rgb` (float (H, W, 3) in [0, 1]; colour input is turned grey first).
    `boost`: the vividness (decode-time rebalancing power; default: the model card's)."""
    decode = None if boost is None else with_boost(load_model()[1]["preprocessing"].get("decode", {}), boost)
    return to_rgb(run_network(rgb, forward=forward), temperature, decode)
