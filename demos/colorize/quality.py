"""How good is a colorization? The figures the benchmark, the decode tuning and the tests share.

Every figure compares a result with the true colour photo, beside the grey baseline (a = b = 0):
grey alone scores well on PSNR, which is why colourfulness always stands beside it.
"""

from __future__ import annotations

import numpy as np

from demos.colorize.color import lab_to_rgb, rgb_to_lab

THRESHOLDS = np.arange(0, 151)


def quantise(rgb: np.ndarray) -> np.ndarray:
    """What a PNG would hold: 8-bit."""
    return np.round(np.clip(rgb, 0, 1) * 255) / 255


def grey_of(rgb: np.ndarray) -> np.ndarray:
    """The grey baseline: the photo's own lightness with a = b = 0, as 8-bit RGB."""
    lab = rgb_to_lab(rgb)
    return quantise(lab_to_rgb(np.concatenate([lab[..., :1], np.zeros_like(lab[..., 1:])], -1)))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of RGB images in [0, 1]."""
    return float(10 * np.log10(1.0 / max(np.mean((a - b) ** 2), 1e-12)))


def ab_auc(a: np.ndarray, b: np.ndarray) -> float:
    """Area under 'fraction of pixels with ab error <= t', t = 0..150, scaled to 0..1 (Zhang et al. 2016)."""
    err = np.linalg.norm(rgb_to_lab(a)[..., 1:] - rgb_to_lab(b)[..., 1:], axis=-1).ravel()
    return float(np.mean(np.searchsorted(np.sort(err), THRESHOLDS, side="right") / err.size))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk 2003, on 0..255 RGB: about 0 for grey, 40 for an ordinary photo."""
    r, g, b = (rgb * 255).transpose(2, 0, 1)
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def summarise(gains: np.ndarray, colour: np.ndarray, truth_colour: np.ndarray) -> dict[str, float]:
    """What a user sees over a set of photos: the mean per-photo PSNR gain over grey, the share
    of photos better than grey, the share worse than grey by more than 1 dB, colourfulness vs truth."""
    return {
        "psnr_gain_db": round(float(np.mean(gains)), 3),
        "better_than_grey": round(float(np.mean(gains > 0)), 3),
        "worse_than_grey_by_1db": round(float(np.mean(gains < -1.0)), 3),
        "colourfulness_ratio": round(float(np.mean(colour) / np.mean(truth_colour)), 3),
    }
