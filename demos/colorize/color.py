"""sRGB <-> CIE Lab (D65) in NumPy, and the quantised ab grid the colorizer predicts over.

Written out (not borrowed from scikit-image) so the whole colour path is readable;
`tests/test_colorize.py` checks it against scikit-image.
"""

from __future__ import annotations

import numpy as np

# sRGB (linear) -> XYZ, D65 white, and the D65 white point used to normalise XYZ.
_RGB_TO_XYZ = np.array(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]],
    dtype=np.float32,
)
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ).astype(np.float32)
_WHITE = np.array([0.95047, 1.0, 1.08883], dtype=np.float32)


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)


def _linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, None)
    return np.where(c > 0.0031308, 1.055 * c ** (1 / 2.4) - 0.055, 12.92 * c)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] (..., 3) -> Lab (..., 3) with L in [0, 100]."""
    xyz = _srgb_to_linear(rgb.astype(np.float32)) @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return lab


def _lab_to_linear(lab: np.ndarray) -> np.ndarray:
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 0.2068966, f**3, (f - 16 / 116) / 7.787) * _WHITE
    return xyz @ _XYZ_TO_RGB.T


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """Lab (..., 3) -> sRGB in [0, 1], clipped to the gamut."""
    return np.clip(_linear_to_srgb(_lab_to_linear(lab.astype(np.float32))), 0.0, 1.0)


def fit_gamut(lab: np.ndarray, steps: int = 8) -> np.ndarray:
    """Pull out-of-gamut colours toward grey (scale a and b) until sRGB can show them, keeping L.

    Clipping RGB instead would change the lightness, i.e. the photo's detail."""
    lab = lab.astype(np.float32).copy()
    lin = _lab_to_linear(lab)
    bad = ((lin < -1e-4) | (lin > 1 + 1e-4)).any(axis=-1)
    if not bad.any():
        return lab
    sub = lab[bad]
    lo, hi = np.zeros(len(sub), np.float32), np.ones(len(sub), np.float32)
    for _ in range(steps):  # bisection on the chroma scale, for all bad pixels at once
        mid = (lo + hi) / 2
        trial = np.concatenate([sub[:, :1], sub[:, 1:] * mid[:, None]], axis=1)
        lin = _lab_to_linear(trial)
        ok = ((lin >= -1e-4) & (lin <= 1 + 1e-4)).all(axis=-1)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    sub[:, 1:] *= lo[:, None]
    lab[bad] = sub
    return lab


def ab_grid(step: float = 10.0, limit: float = 110.0) -> np.ndarray:
    """All (a, b) centres of a square grid: shape (n*n, 2). The model card keeps the used subset."""
    axis = np.arange(-limit, limit + 1e-6, step, dtype=np.float32)
    a, b = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)
