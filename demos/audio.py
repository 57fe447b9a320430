"""Reading audio that users bring, shared by the talking-face and speech demos.

Decodes wav, flac, ogg/opus, mp3, m4a, webm (soundfile where it can, the ffmpeg that the
`imageio-ffmpeg` wheel carries otherwise), downmixes to mono and resamples to 16 kHz float32.
Every failure is a MediaError with a message fit to show a user, in their language.

Memory and time stay bounded whatever a file claims: the header's rate and duration are checked
before decoding, soundfile's samples are read, mixed down and resampled a block at a time, and
ffmpeg gets a time limit, a duration limit (`-t`) and a cap on what it writes.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np

from demos.i18n import _, count, num
from demos.media import MediaError, file_bytes

RATE = 16_000
MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 600.0
MIN_SECONDS = 0.25
MIN_RATE = 8_000  # telephone speech; below it the consonants (up to 3.4 kHz) are gone
MAX_RATE = 768_000  # four times the highest studio rate: more is a damaged header
BLOCK = 65_536  # frames read at a time
UNKNOWN_LENGTH = 2**62  # libsndfile's frame count when the header does not say (a streamed FLAC)
FFMPEG_TIMEOUT = 60.0  # seconds; decoding ten minutes of audio takes a few
AUDIO_TYPES = ["wav", "flac", "ogg", "opus", "mp3", "m4a", "webm"]
# The only containers ffmpeg may open: no pictures, playlists (which fetch other files) or the rest.
DEMUXERS = "wav,flac,ogg,mp3,mov,matroska,aac"


def resample(x: np.ndarray, rate: int, to: int = RATE) -> np.ndarray:
    """Resample mono float32 audio from `rate` to `to` Hz with soxr at very high quality.

    The one resampler of the project (app, CLI, corpus builders, benches), so training and serving
    hear the same signal; linear interpolation, which this replaced, aliased 22.05 and 44.1 kHz audio."""
    import soxr

    if rate == to:
        return x.astype(np.float32, copy=False)
    return soxr.resample(x.astype(np.float32, copy=False), rate, to, quality="VHQ")


def not_audio(label: str) -> MediaError:
    return MediaError(_("{label} is not audio this app can read, or it is damaged (supported: {types}).").format(
        label=label, types=", ".join(AUDIO_TYPES)))


def invalid_samples(label: str) -> MediaError:
    return MediaError(_("{label} contains invalid samples (NaN or infinity).").format(label=label))


def too_long(label: str, seconds: float, max_seconds: float) -> MediaError:
    return MediaError(_("{label} is {minutes} minutes long; the limit is {limit} minutes.").format(
        label=label, minutes=num(seconds / 60, 1), limit=num(max_seconds / 60, 0)))


def longer_than(label: str, max_seconds: float) -> MediaError:
    return MediaError(_("{label} is longer than {limit} minutes, the limit.").format(label=label, limit=num(max_seconds / 60, 0)))


def check_rate(label: str, rate: float) -> None:
    """A MediaError for a sampling rate too low for speech, or too high to be real."""
    if rate < MIN_RATE:
        raise MediaError(_("{label} has {rate} samples per second, too low for speech: it needs at least {minimum} "
                           "(telephone quality). Record or export it again at {good} or more.").format(
            label=label, rate=count(round(rate)), minimum=count(MIN_RATE), good=count(RATE)))
    if rate > MAX_RATE:
        raise MediaError(_("{label} claims {rate} samples per second, more than any recording: the file is damaged.").format(
            label=label, rate=count(round(rate))))


def _soundfile_decode(data: bytes, label: str, max_seconds: float) -> np.ndarray | None:
    """Mono float32 at RATE, read by libsndfile a block at a time; None when it cannot read the file."""
    import soundfile as sf
    import soxr

    try:
        f = sf.SoundFile(io.BytesIO(data))
    except Exception:  # not a format libsndfile reads (m4a, webm), or junk
        return None
    with f:
        check_rate(label, f.samplerate)
        if f.frames < UNKNOWN_LENGTH and f.frames / f.samplerate > max_seconds:  # what the header claims: refused before decoding
            raise too_long(label, f.frames / f.samplerate, max_seconds)
        stream = None if f.samplerate == RATE else soxr.ResampleStream(f.samplerate, RATE, 1, dtype="float32", quality="VHQ")
        parts, frames = [], 0
        try:
            # f.read, not f.blocks: blocks() hands back uninitialised memory when the file ends
            # before its header says (a cut MP3), read() returns only what it decoded.
            while len(block := f.read(BLOCK, dtype="float32", always_2d=True)):
                frames += len(block)
                if frames > (max_seconds + 1) * f.samplerate:  # a length the header did not say (a streamed FLAC)
                    raise longer_than(label, max_seconds)
                mono = block.mean(axis=1, dtype=np.float32)
                if not np.isfinite(mono).all():
                    raise invalid_samples(label)
                parts.append(stream.resample_chunk(mono) if stream else mono)
        except MediaError:
            raise
        except Exception:  # damaged part-way: let ffmpeg read what it can
            return None
        if stream:
            parts.append(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _ffmpeg_decode(data: bytes, label: str, max_seconds: float, timeout: float = FFMPEG_TIMEOUT) -> np.ndarray:
    """Mono float32 at RATE decoded by ffmpeg (with its soxr resampler), at most max_seconds + 1 s of it.

    The input goes through a temporary file, not a pipe: an M4A from a phone keeps its index at the
    end, which ffmpeg must seek back from."""
    import tempfile

    import imageio_ffmpeg

    limit = max_seconds + 1.0
    with tempfile.NamedTemporaryFile() as tmp:  # no extension: the content alone picks the demuxer
        tmp.write(data)
        tmp.flush()
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info",
               "-format_whitelist", DEMUXERS, "-protocol_whitelist", "file", "-i", tmp.name, "-vn", "-sn", "-dn",
               "-ac", "1", "-af", "aresample=resampler=soxr:precision=28", "-ar", str(RATE), "-t", f"{limit:.3f}",
               "-fs", str(int(limit * RATE * 4) + 4096), "-f", "f32le", "pipe:1"]
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MediaError(_("{label}: decoding took too long; is it really an audio file?").format(label=label)) from None
    log = r.stderr.decode("utf-8", "replace")
    if "does not contain any stream" in log or "matches no streams" in log:
        raise MediaError(_("{label} has no sound track.").format(label=label))
    if r.returncode != 0 or not r.stdout:
        raise not_audio(label)
    source_rate = re.search(r"Stream #0:\d+\S*: Audio: [^\n]*?, (\d+) Hz", log)
    if source_rate:
        check_rate(label, int(source_rate.group(1)))
    return np.frombuffer(r.stdout[: len(r.stdout) // 4 * 4], np.float32).copy()


def read_audio(source: bytes | str | Path, name: str | None = None, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """Decode to mono float32 at 16 kHz in [-1, 1]; clear MediaErrors for empty, non-audio,
    damaged, too short, too long, too sparsely sampled and NaN-filled input."""
    data, label = file_bytes(source, name, _("the audio"), MAX_BYTES)
    x = _soundfile_decode(data, label, max_seconds)
    if x is None or not len(x):  # libsndfile could not, or found nothing (a cut Ogg): ffmpeg tries
        x = _ffmpeg_decode(data, label, max_seconds)
    if not np.isfinite(x).all():
        raise invalid_samples(label)
    seconds = len(x) / RATE
    if seconds > max_seconds:
        raise longer_than(label, max_seconds)
    if seconds < MIN_SECONDS:
        raise MediaError(_("{label} is only {seconds} s long; it needs at least {minimum} s.").format(
            label=label, seconds=num(seconds, 2), minimum=num(MIN_SECONDS, 2)))
    return np.clip(x, -1.0, 1.0)


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
