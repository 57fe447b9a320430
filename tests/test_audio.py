"""Audio input shared by the talking-face and speech demos: formats, rates, depths, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from demos.audio import RATE, is_silent, read_audio
from demos.features import log_mel
from tests.badfiles import encoded, wav


@pytest.mark.parametrize("rate,subtype,channels", [(16000, "PCM_16", 1), (8000, "PCM_U8", 1), (44100, "PCM_24", 1),
                                                   (48000, "PCM_16", 2), (22050, "FLOAT", 1), (8000, "PCM_16", 1)])
def test_wav_depths_rates_channels(rate, subtype, channels):
    x = read_audio(wav(1.5, rate, subtype, channels), "a.wav")
    assert x.dtype == np.float32 and abs(len(x) - 1.5 * RATE) <= RATE * 0.01
    # The 220 Hz tone survives resampling: the spectrum peaks there.
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    assert abs(np.fft.rfftfreq(len(x), 1 / RATE)[spec.argmax()] - 220) < 5


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "webm", "ogg"])
def test_compressed_formats(fmt):
    x = read_audio(encoded(fmt, 1.0), f"a.{fmt}")
    assert abs(len(x) / RATE - 1.0) < 0.1 and np.abs(x).max() > 0.1


# Bad audio, all kinds of it: tests/test_badfiles.py.


def test_silence_and_noise():
    assert is_silent(read_audio(wav(2, kind="silence"), "s.wav"))
    assert not is_silent(read_audio(wav(2, kind="noise"), "n.wav"))


def test_log_mel_shape_and_rate():
    x = read_audio(wav(2.0), "a.wav")
    f = log_mel(x, 40)
    assert f.shape == (201, 40) and np.isfinite(f).all()


@pytest.mark.parametrize("n_mels", [40, 64])
def test_log_mel_matches_librosa(n_mels):
    """Our NumPy mel spectrogram is librosa's: same window (our symmetric Hann, given to librosa),
    hop, centring with zero padding, FFT size, HTK mel filters without area normalisation, power 2."""
    librosa = pytest.importorskip("librosa")
    from demos.features import HOP, N_FFT, WIN, mel_power

    x = read_audio(wav(1.3, 44100, kind="tone"), "a.wav") + 0.01 * np.random.default_rng(1).standard_normal(int(1.3 * RATE)).astype(np.float32)
    ref = librosa.feature.melspectrogram(y=x, sr=RATE, n_fft=N_FFT, hop_length=HOP, win_length=WIN, window=np.hanning(WIN),
                                         center=True, pad_mode="constant", power=2.0, n_mels=n_mels, fmin=50.0, fmax=8000.0,
                                         htk=True, norm=None).T
    ours = mel_power(x, n_mels)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(np.log(ours + 1e-6), np.log(ref + 1e-6), atol=1e-3)
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-6 * ref.max())


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resampling_is_soxr_and_does_not_alias(rate):
    """A 3 kHz tone survives; a 9 kHz one (above the new 8 kHz Nyquist) vanishes instead of folding to 7 kHz."""
    soxr = pytest.importorskip("soxr")
    from demos.audio import resample

    t = np.arange(rate) / rate
    x = (0.5 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    if rate > 18000:
        x += (0.5 * np.sin(2 * np.pi * 9000 * t)).astype(np.float32)  # above the new Nyquist
    y = resample(x, rate)
    np.testing.assert_array_equal(y, soxr.resample(x, rate, RATE, quality="VHQ"))
    spec = np.abs(np.fft.rfft(y[1000:-1000] * np.hanning(len(y) - 2000)))
    freqs = np.fft.rfftfreq(len(y) - 2000, 1 / RATE)
    assert abs(freqs[spec.argmax()] - 3000) < 5
    alias = spec[(freqs > 6500) & (freqs < 7500)].max() / spec.max()
    assert alias < 1e-3, alias
