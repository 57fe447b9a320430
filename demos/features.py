"""Log-mel features in NumPy: 16 kHz audio -> (frames, bands) at 100 frames per second.

Frame t is centred on t * 10 ms (25 ms Hann window), which matches PocketSphinx's frame times.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

RATE = 16_000
HOP = 160  # 10 ms
WIN = 400  # 25 ms
N_FFT = 512


@lru_cache(maxsize=4)
def mel_filterbank(n_mels: int, fmin: float = 50.0, fmax: float = 8000.0) -> np.ndarray:
    """Triangular filters on the HTK mel scale: (N_FFT // 2 + 1, n_mels)."""
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    edges = hz(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    bins = np.fft.rfftfreq(N_FFT, 1 / RATE)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    fb = np.maximum(0, np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)))
    return fb.T.astype(np.float32)


def mel_power(x: np.ndarray, n_mels: int = 40) -> np.ndarray:
    """(frames, n_mels) mel power spectrogram: frame t is a 25 ms Hann window centred on t * 10 ms
    (zero padding at both ends), |FFT_512|^2 through the HTK filterbank; librosa's melspectrogram
    with the same settings gives the same numbers (tests/test_audio.py)."""
    x = np.pad(np.asarray(x, np.float32), (WIN // 2, WIN // 2))
    frames = sliding_window_view(x, WIN)[::HOP] * np.hanning(WIN).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
    return power @ mel_filterbank(n_mels)


def log_mel(x: np.ndarray, n_mels: int = 40) -> np.ndarray:
    """(frames, n_mels) log-mel energies, one frame per 10 ms, mean-normalised per band."""
    feats = np.log(mel_power(x, n_mels) + 1e-6)
    # Per-band mean over the clip removes the microphone's colouring; a floor keeps silence sane.
    feats = np.maximum(feats, feats.max() - 16.0)
    return ((feats - feats.mean(axis=0)) / 4.0).astype(np.float32)
