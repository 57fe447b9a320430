"""Reading audio that users bring, shared by the talking-face and speech demos.

Decodes wav, flac, ogg/opus, mp3, m4a, webm (soundfile where it can, the ffmpeg that the
`imageio-ffmpeg` wheel carries otherwise), downmixes to mono and resamples to 16 kHz float32.
Every failure is a MediaError with a message fit to show a user, in their language.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np

from demos.i18n import _, num
from demos.media import MediaError, file_bytes

RATE = 16_000
MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 600.0
MIN_SECONDS = 0.25
AUDIO_TYPES = ["wav", "flac", "ogg", "opus", "mp3", "m4a", "webm"]


def resample(x: np.ndarray, rate: int, to: int = RATE) -> np.ndarray:
    """Resample mono float32 audio from `rate` to `to` Hz with soxr at very high quality.

    The one resampler of the project (app, CLI, corpus builders, benches), so training and serving
    hear the same signal; linear interpolation, which this replaced, aliased 22.05 and 44.1 kHz audio."""
    import soxr

    if rate == to:
        return x.astype(np.float32, copy=False)
    return soxr.resample(x.astype(np.float32, copy=False), rate, to, quality="VHQ")


def _ffmpeg_decode(data: bytes, label: str) -> np.ndarray:
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", "pipe:0", "-vn", "-ac", "1", "-af", "aresample=resampler=soxr:precision=28", "-ar", str(RATE), "-f", "f32le", "pipe:1"]
    try:
        r = subprocess.run(cmd, input=data, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise MediaError(_("{label}: decoding took too long; is it really an audio file?").format(label=label)) from None
    if r.returncode != 0 or not r.stdout:
        raise MediaError(_("{label} is not audio this app can read, or it is damaged (supported: {types}).").format(label=label, types=", ".join(AUDIO_TYPES)))
    return np.frombuffer(r.stdout, np.float32).copy()


def read_audio(source: bytes | str | Path, name: str | None = None, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """Decode to mono float32 at 16 kHz in [-1, 1]; clear MediaErrors for empty, non-audio,
    damaged, too short and too long input."""
    data, label = file_bytes(source, name, _("the audio"), MAX_BYTES)
    import soundfile as sf

    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            if f.frames / f.samplerate > max_seconds:
                raise too_long(label, f.frames / f.samplerate, max_seconds)
            x = f.read(dtype="float32", always_2d=True)
            rate = f.samplerate
        x = resample(x.mean(axis=1), rate)
    except MediaError:
        raise
    except Exception:  # soundfile cannot (mp3 on old libsndfile, m4a, webm, or junk): let ffmpeg try
        x = _ffmpeg_decode(data, label)
    if not np.all(np.isfinite(x)):
        raise MediaError(_("{label} contains invalid samples (NaN or infinity).").format(label=label))
    seconds = len(x) / RATE
    if seconds > max_seconds:
        raise too_long(label, seconds, max_seconds)
    if seconds < MIN_SECONDS:
        raise MediaError(_("{label} is only {seconds} s long; it needs at least {minimum} s.").format(
            label=label, seconds=num(seconds, 2), minimum=num(MIN_SECONDS, 2)))
    return np.clip(x, -1.0, 1.0)


def too_long(label: str, seconds: float, max_seconds: float) -> MediaError:
    return MediaError(_("{label} is {minutes} minutes long; the limit is {limit} minutes.").format(
        label=label, minutes=num(seconds / 60, 1), limit=num(max_seconds / 60, 0)))


def is_silent(x: np.ndarray, threshold_db: float = -50.0) -> bool:
    """True when no 50 ms stretch is louder than `threshold_db` dBFS (RMS)."""
    n = RATE // 20
    frames = x[: len(x) // n * n].reshape(-1, n) if len(x) >= n else x[None]
    loudest = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1).max() + 1e-20)
    return bool(20 * np.log10(loudest) < threshold_db)


def to_wav_bytes(x: np.ndarray, rate: int = RATE) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, x, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()
