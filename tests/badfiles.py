"""Bad inputs, made on the fly: every demo must answer them with a clear message."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid, tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def jpeg(size=(160, 120), seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


def tiny_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), (10, 20, 30)).save(buf, format="PNG")
    return buf.getvalue()


BAD_IMAGES = {
    "empty.jpg": (b"", "empty"),
    "notes.jpg": (b"these are my holiday notes, not a photo\n" * 5, "not an image"),
    "truncated.jpg": (jpeg((400, 300))[:1500], "damaged or truncated"),
    "bomb.png": (png_bomb(), "too large|decompression bomb|megapixels"),
    "tiny.png": (tiny_png(), "only 1 x 1 pixels"),
}


def wav(seconds: float = 1.0, rate: int = 16000, subtype: str = "PCM_16", channels: int = 1, kind: str = "tone") -> bytes:
    """A WAV file: a 220 Hz tone with a syllable-like envelope, noise, or silence."""
    import soundfile as sf

    n = int(seconds * rate)
    t = np.arange(n) / rate
    if kind == "tone":
        x = 0.5 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    elif kind == "noise":
        x = np.random.default_rng(0).uniform(-0.5, 0.5, n)
    else:
        x = np.zeros(n)
    x = np.repeat(x[:, None], channels, axis=1) if channels > 1 else x
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format="WAV", subtype=subtype)
    return buf.getvalue()


def encoded(fmt: str, seconds: float = 1.0) -> bytes:
    """The tone in another container (mp3, m4a, webm, ogg), made by the ffmpeg imageio-ffmpeg carries."""
    import subprocess
    import tempfile

    import imageio_ffmpeg

    codec = {"mp3": "libmp3lame", "m4a": "aac", "webm": "libopus", "ogg": "libopus"}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = f"{tmp}/a.wav", f"{tmp}/a.{fmt}"
        open(src, "wb").write(wav(seconds, 48000))
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", src, "-c:a", codec, out], check=True)
        return open(out, "rb").read()


BAD_AUDIO = {
    "empty.wav": (b"", "empty"),
    "short.wav": (wav(0.1), "only 0.10 s long"),
    "picture.wav": (tiny_png(), "not audio"),
    "truncated.wav": (wav(1.0)[:30], "not audio|damaged"),
    "long.wav": (wav(601, 8000, "PCM_U8", kind="silence"), "minutes long"),
}
