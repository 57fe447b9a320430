"""Audio input shared by the talking-face and speech demos: formats, rates, depths, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from demos.audio import RATE, is_silent, read_audio
from demos.features import log_mel
from demos.media import MediaError
from tests.badfiles import BAD_AUDIO, encoded, wav


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


@pytest.mark.parametrize("name", list(BAD_AUDIO))
def test_bad_audio_gets_clear_messages(name):
    data, pattern = BAD_AUDIO[name]
    with pytest.raises(MediaError, match=pattern):
        read_audio(data, name)


def test_silence_and_noise():
    assert is_silent(read_audio(wav(2, kind="silence"), "s.wav"))
    assert not is_silent(read_audio(wav(2, kind="noise"), "n.wav"))


def test_log_mel_shape_and_rate():
    x = read_audio(wav(2.0), "a.wav")
    f = log_mel(x, 40)
    assert f.shape == (201, 40) and np.isfinite(f).all()
