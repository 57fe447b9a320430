"""A corpus of awkward inputs, made on the fly: what users really bring (phone photos, odd recorders,
partial downloads, files with the wrong name) and what a hostile file can claim.

Each Case is a file name (its extension is the type it claims to be), a function that makes its bytes
(small and quick), and what must happen: `expect=None` means the file must work; otherwise a clear
message matching the regex `expect` must be shown (a MediaError: never a traceback, never a hang,
never a huge allocation from a lying header).
"""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

# The messages, in English (Spanish ones are checked in tests/test_app_spanish.py).
EMPTY = "empty"
NOT_IMAGE = "not an image this app can read"
DAMAGED_IMAGE = "damaged or truncated"
TOO_BIG = "megapixels"
NOT_AUDIO = "not audio this app can read"
TOO_LONG = "minutes long"
LOW_RATE = "too low for speech"
BAD_SAMPLES = "invalid samples"
NO_SOUND = "no sound track"


@dataclass(frozen=True)
class Case:
    """One input: `name` as uploaded, `make()` its bytes, `expect` None (works) or a message regex."""

    name: str
    make: Callable[[], bytes]
    expect: str | None
    why: str = ""

    @property
    def data(self) -> bytes:
        return _bytes(self)

    @property
    def works(self) -> bool:
        return self.expect is None


@cache
def _bytes(case: Case) -> bytes:
    return case.make()


# ---------------------------------------------------------------- images


def colour_pattern(size: tuple[int, int] = (96, 64)) -> np.ndarray:
    """A smooth colour picture (uint8 RGB), so a decoded file can be checked for its content."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) * 127 // max(w + h - 2, 1)], axis=-1).astype(np.uint8)


def save(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def image(fmt: str, mode: str = "RGB", size: tuple[int, int] = (96, 64), **kw) -> bytes:
    """The colour pattern as a `fmt` file in PIL mode `mode`."""
    return save(Image.fromarray(colour_pattern(size)).convert(mode), fmt, **kw)


def jpeg(size=(160, 120), seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return save(Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)), "JPEG")


def tiny_png() -> bytes:
    return save(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG")


def heic(size=(96, 64), **kw) -> bytes:
    """What an iPhone saves (HEIF with HEVC), made by pillow-heif itself."""
    return save_heif(Image.fromarray(colour_pattern(size)), **kw)


def save_heif(img: Image.Image, **kw) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return save(img, "HEIF", quality=80, **kw)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_raw(width: int, height: int, depth: int, colour: int, rows: bytes, extra: bytes = b"") -> bytes:
    """A PNG written by hand: IHDR, optional chunks, one IDAT of `rows` (already filtered), IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid, tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    return png_raw(width, height, 8, 2, b"\x00" * 64)


def png_real_bomb(side: int = 12000) -> bytes:
    """A complete 1-bit side x side PNG (144 megapixels) that compresses to a few kilobytes."""
    row = b"\x00" + b"\x00" * (side // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_text_bomb() -> bytes:
    """A small, valid PNG carrying a compressed text chunk that inflates to 64 MB."""
    z = zlib.compressobj(9)
    text = b"".join(z.compress(b"\x00" * 2**20) for _ in range(64)) + z.flush()
    good = image("PNG")
    return good[:33] + _chunk(b"zTXt", b"Comment\x00\x00" + text) + good[33:]


def png16_rgb(size=(96, 64)) -> bytes:
    """16 bits per channel RGB (what scanners and raw converters write; PIL cannot write it)."""
    w, h = size
    a = colour_pattern(size).astype(">u2") * 257
    rows = b"".join(b"\x00" + a[r].tobytes() for r in range(h))
    return png_raw(w, h, 16, 2, rows)


def png16_grey() -> bytes:
    a = (colour_pattern()[..., 0].astype(np.uint16) * 257)
    return save(Image.fromarray(a), "PNG")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width x height."""
    data = bytearray(image("JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def bmp_claiming(width: int, height: int) -> bytes:
    """A BMP header for width x height (24-bit) followed by a few bytes of pixels."""
    pixels = b"\x80" * 4096
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    head = b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54)
    return head + info + pixels


def tiff_claiming(width: int, height: int) -> bytes:
    """A little-endian TIFF (8-bit grey, one strip) whose tags claim width x height."""
    strip = b"\x80" * 256
    tags = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, 8 + 2 + 12 * 9 + 4), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, len(strip))]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", *t) for t in tags) + b"\x00\x00\x00\x00"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + strip


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and image descriptor claim width x height, with one tiny block of data."""
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    desc = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return head + desc + b"\x02\x02\x44\x01\x00;"


def webp_claiming(width: int, height: int) -> bytes:
    """A WebP (VP8X extended header) whose canvas claims width x height around a small real image."""
    small = image("WEBP")
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + vp8x + small[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def animated(fmt: str) -> bytes:
    """Three frames (red, green, blue) as an animated GIF, PNG or WebP."""
    frames = [Image.new("RGB", (64, 48), c) for c in ((200, 30, 30), (30, 200, 30), (30, 30, 200))]
    return save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_transparent() -> bytes:
    img = Image.fromarray(colour_pattern()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return save(img, "PNG", transparency=0)


def multipage_tiff() -> bytes:
    pages = [Image.fromarray(colour_pattern()), Image.new("RGB", (96, 64), "red")]
    return save(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def cut(data: bytes, keep: float | int) -> bytes:
    """The first part of a file (a fraction, or a number of bytes): a partial download."""
    return data[: keep if isinstance(keep, int) else int(len(data) * keep)]


def garble(data: bytes, keep: int, seed: int = 1) -> bytes:
    """The first `keep` bytes (the header), then random bytes: a damaged disk or a bad transfer."""
    rng = np.random.default_rng(seed)
    return data[:keep] + rng.integers(0, 256, len(data) - keep, dtype=np.uint8).tobytes()


def _i(name: str, make: Callable[[], bytes], expect: str | None, why: str = "") -> Case:
    return Case(name, make, expect, why)


IMAGE_CASES: list[Case] = [
    # nothing, or not an image at all
    _i("empty.jpg", lambda: b"", EMPTY),
    _i("empty.heic", lambda: b"", EMPTY),
    _i("notes.jpg", lambda: b"these are my holiday notes, not a photo\n" * 5, NOT_IMAGE),
    _i("drawing.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="90" height="60"><rect width="90" height="60"/></svg>', NOT_IMAGE,
       "SVG is text, not pixels"),
    _i("letter.jpg", lambda: b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", NOT_IMAGE, "a PDF"),
    _i("voice.jpg", lambda: wav(0.5), NOT_IMAGE, "a WAV with a photo's name"),
    _i("poster.png", lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 90 60\nshowpage\n", NOT_IMAGE,
       "PostScript: Pillow would run Ghostscript on it; not a supported type"),
    _i("pixels.png", lambda: image("PPM"), NOT_IMAGE, "a format Pillow reads but the app does not offer"),
    # partial downloads and damaged files of every supported type
    _i("truncated.jpg", lambda: cut(jpeg((400, 300)), 1500), DAMAGED_IMAGE),
    _i("truncated.png", lambda: cut(image("PNG", size=(300, 200)), 0.5), DAMAGED_IMAGE),
    _i("truncated.webp", lambda: cut(image("WEBP", size=(300, 200)), 0.5), DAMAGED_IMAGE),
    _i("truncated.bmp", lambda: cut(image("BMP"), 0.5), DAMAGED_IMAGE),
    _i("truncated.tiff", lambda: cut(image("TIFF"), 0.5), DAMAGED_IMAGE),
    _i("truncated.gif", lambda: cut(image("GIF", size=(300, 200)), 0.5), DAMAGED_IMAGE),
    _i("truncated.heic", lambda: cut(heic(), 0.5), DAMAGED_IMAGE),
    _i("garbled.png", lambda: garble(image("PNG"), 60), DAMAGED_IMAGE),
    _i("garbled.webp", lambda: garble(image("WEBP"), 30), DAMAGED_IMAGE),
    _i("garbled.tiff", lambda: garble(image("TIFF", compression="tiff_deflate"), 8), NOT_IMAGE),
    _i("garbled.heic", lambda: garble(heic(), 40), NOT_IMAGE),
    # headers that lie, and decompression bombs
    _i("bomb.png", png_bomb, TOO_BIG, "the header claims 30000 x 30000"),
    _i("real-bomb.png", png_real_bomb, TOO_BIG, "a complete 144-megapixel image in a few kilobytes"),
    _i("text-bomb.png", png_text_bomb, DAMAGED_IMAGE, "a small photo with a comment that inflates to 64 MB: Pillow stops at 1 MB"),
    _i("huge.jpg", lambda: jpeg_claiming(60000, 60000), TOO_BIG),
    _i("huge.bmp", lambda: bmp_claiming(50000, 50000), TOO_BIG),
    _i("huge.tiff", lambda: tiff_claiming(100000, 100000), TOO_BIG),
    _i("huge.gif", lambda: gif_claiming(65535, 65535), TOO_BIG),
    _i("huge.webp", lambda: webp_claiming(16384, 16384), TOO_BIG),
    _i("tiny.png", tiny_png, "only 1 x 1 pixels"),
    # odd but real: these must work
    _i("iphone.heic", heic, None, "the iPhone's format, read with pillow-heif"),
    _i("iphone-photo.jpg", heic, None, "a HEIC renamed .jpg, as some phone transfers do"),
    _i("png-named.jpg", lambda: image("PNG"), None, "mislabelled: the content decides"),
    _i("jpeg-named.png", lambda: image("JPEG"), None),
    _i("webp-named.bmp", lambda: image("WEBP"), None),
    _i("palette.png", lambda: image("PNG", "P"), None),
    _i("palette-transparent.png", palette_transparent, None),
    _i("cmyk.jpg", lambda: image("JPEG", "CMYK"), None, "print shops' photos"),
    _i("cmyk.tiff", lambda: image("TIFF", "CMYK"), None),
    _i("lab.tiff", lambda: image("TIFF", "LAB"), None, "CIELab, from print and scanning workflows"),
    _i("grey16.png", png16_grey, None),
    _i("rgb16.png", png16_rgb, None),
    _i("grey16.tiff", lambda: save(Image.fromarray(colour_pattern()[..., 0].astype(np.uint16) * 257), "TIFF"), None),
    _i("float.tiff", lambda: save(Image.fromarray(colour_pattern()[..., 0].astype(np.float32) / 255), "TIFF"), None),
    _i("bilevel.bmp", lambda: image("BMP", "1"), None),
    _i("grey-alpha.png", lambda: image("PNG", "LA"), None),
    _i("two-pages.tiff", multipage_tiff, None, "the first page is used"),
    _i("animated.gif", lambda: animated("GIF"), None, "the first frame is used"),
    _i("animated.png", lambda: animated("PNG"), None, "the first frame is used"),
    _i("animated.webp", lambda: animated("WEBP"), None, "the first frame is used"),
    _i("panorama.png", lambda: image("PNG", "L", size=(20000, 16)), None, "an extreme aspect ratio: 20000 x 16 is small"),
    _i("ribbon.png", lambda: image("PNG", "L", size=(16, 20000)), None),
]


# ---------------------------------------------------------------- audio


def tone(seconds: float = 1.0, rate: int = 16000, channels: int = 1, kind: str = "tone") -> np.ndarray:
    """A 220 Hz tone with a syllable-like envelope, noise, or silence: float (n,) or (n, channels)."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    if kind == "tone":
        x = 0.5 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    elif kind == "noise":
        x = np.random.default_rng(0).uniform(-0.5, 0.5, n)
    else:
        x = np.zeros(n)
    return np.repeat(x[:, None], channels, axis=1) if channels > 1 else x


def sound(x: np.ndarray, rate: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    """Samples as a file that libsndfile writes (WAV, FLAC, OGG with VORBIS or OPUS, MP3)."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def wav(seconds: float = 1.0, rate: int = 16000, subtype: str = "PCM_16", channels: int = 1, kind: str = "tone") -> bytes:
    """A WAV file: a 220 Hz tone with a syllable-like envelope, noise, or silence."""
    return sound(tone(seconds, rate, channels, kind), rate, "WAV", subtype)


def encoded(fmt: str, seconds: float = 1.0, extra: tuple[str, ...] = ()) -> bytes:
    """The tone in another container (mp3, m4a, webm, ogg, mp4), made by the ffmpeg imageio-ffmpeg carries."""
    import imageio_ffmpeg

    codec = {"mp3": "libmp3lame", "m4a": "aac", "webm": "libopus", "ogg": "libopus", "mp4": "aac"}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = f"{tmp}/a.wav", f"{tmp}/a.{fmt}"
        Path(src).write_bytes(wav(seconds, 48000))
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", src, *extra, "-c:a", codec, out], check=True)
        return Path(out).read_bytes()


def long_m4a(seconds: float) -> bytes:
    """A long, small M4A (an 8 kHz tone at 16 kbit/s), quick to make with ffmpeg's own sine source."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/long.m4a"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}:sample_rate=8000",
                        "-c:a", "aac", "-b:a", "16k", out], check=True)
        return Path(out).read_bytes()


def ffmpeg_video(audio: bool) -> bytes:
    """A one-second MP4 from a phone camera, with (or without) a sound track."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/v.mp4"
        inputs = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1"]
        if audio:
            inputs += ["-f", "lavfi", "-i", "sine=frequency=220:duration=1:sample_rate=48000"]
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *inputs, "-c:v", "libx264", "-pix_fmt", "yuv420p",
                        *(["-c:a", "aac"] if audio else []), "-shortest", out], check=True)
        return Path(out).read_bytes()


def wav_patched(offset: int, fmt: str, value: int, data: bytes | None = None) -> bytes:
    """A one-second 16 kHz WAV with one header field replaced (struct format `fmt` at `offset`)."""
    b = bytearray(data if data is not None else wav(1.0))
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def wav_4gb() -> bytes:
    """The RIFF and data sizes claim 4 GB (what a recorder that stopped abruptly leaves)."""
    return wav_patched(40, "<I", 0xFFFFFFF0, wav_patched(4, "<I", 0xFFFFFFF8))


def wav_rate(rate: int) -> bytes:
    """A one-second 16 kHz WAV whose header says `rate` samples per second."""
    return wav_patched(28, "<I", rate * 2, wav_patched(24, "<I", rate))


def flac_claiming(seconds: float, real: float = 1.0) -> bytes:
    """A `real`-second FLAC whose STREAMINFO claims `seconds` of audio (16 kHz); 0 means unknown."""
    b = bytearray(sound(tone(real), 16000, "FLAC"))
    # STREAMINFO starts at byte 8: 10 bytes of block and frame sizes, then 20 bits of rate,
    # 3 of channels, 5 of depth and 36 of total samples (in bytes 18 to 25).
    bits = int.from_bytes(b[18:26], "big")
    bits = (bits & ~(2**36 - 1)) | int(seconds * 16000)
    b[18:26] = bits.to_bytes(8, "big")
    return bytes(b)


def mp3_claiming(seconds: float) -> bytes:
    """A one-second MP3 whose Xing header claims `seconds` (LAME writes one; its frame count is patched)."""
    b = bytearray(encoded("mp3"))
    xing = b.find(b"Xing")
    xing = xing if xing >= 0 else b.find(b"Info")
    frames = int(seconds * 48000 / 1152)
    struct.pack_into(">I", b, xing + 8, frames)
    return bytes(b)


def m4a_claiming(seconds: float) -> bytes:
    """A one-second M4A whose movie header (mvhd) claims `seconds`."""
    b = bytearray(encoded("m4a"))
    mvhd = b.find(b"mvhd")
    scale = struct.unpack_from(">I", b, mvhd + 16)[0]
    struct.pack_into(">I", b, mvhd + 20, int(seconds * scale))
    return bytes(b)


def float_with(bad: float, subtype: str = "FLOAT") -> bytes:
    x = tone(1.0).astype(np.float32)
    x[4000:4010] = bad
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, x, 16000, format="WAV", subtype=subtype)
    return buf.getvalue()


def id3_only() -> bytes:
    """An MP3 that is only an ID3 tag (title, artist), no audio frames."""
    frame = b"TIT2" + struct.pack(">I", 6) + b"\x00\x00" + b"\x00Song"
    return b"ID3\x03\x00\x00" + bytes([0, 0, 0, len(frame)]) + frame


def _a(name: str, make: Callable[[], bytes], expect: str | None, why: str = "") -> Case:
    return Case(name, make, expect, why)


AUDIO_CASES: list[Case] = [
    # nothing, or not audio at all
    _a("empty.wav", lambda: b"", EMPTY),
    _a("empty.m4a", lambda: b"", EMPTY),
    _a("picture.wav", tiny_png, NOT_AUDIO),
    _a("photo.mp3", lambda: image("JPEG"), NOT_AUDIO),
    _a("notes.m4a", lambda: b"meeting notes: buy milk\n" * 20, NOT_AUDIO),
    _a("playlist.m4a", lambda: b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n#EXTINF:1,\n/etc/hostname\n", NOT_AUDIO,
       "an HLS playlist: ffmpeg would fetch what it names; only audio containers are opened"),
    _a("tag-only.mp3", id3_only, NOT_AUDIO, "an ID3 tag and no sound"),
    _a("silent-video.m4a", lambda: ffmpeg_video(audio=False), NO_SOUND, "a video with no sound track"),
    # partial downloads and damaged files of every supported type
    _a("truncated.wav", lambda: cut(wav(1.0), 30), NOT_AUDIO),
    _a("truncated.flac", lambda: cut(sound(tone(1.0), 16000, "FLAC"), 60), NOT_AUDIO),
    _a("truncated.ogg", lambda: cut(sound(tone(1.0), 16000, "OGG", "VORBIS"), 100), NOT_AUDIO),
    _a("truncated.opus", lambda: cut(sound(tone(1.0), 48000, "OGG", "OPUS"), 100), NOT_AUDIO),
    _a("truncated.mp3", lambda: cut(encoded("mp3"), 300), NOT_AUDIO),
    _a("truncated.m4a", lambda: cut(encoded("m4a"), 0.5), NOT_AUDIO, "the index (moov) is at the end: nothing is playable"),
    _a("truncated.webm", lambda: cut(encoded("webm"), 200), NOT_AUDIO),
    _a("half.wav", lambda: cut(wav(2.0), 0.5), None, "a partial download plays what is there"),
    _a("half.ogg", lambda: cut(sound(tone(3.0, kind="noise"), 16000, "OGG", "VORBIS"), 0.5), None),
    _a("half.opus", lambda: cut(encoded("ogg", 2.0), 0.5), None),
    _a("half.mp3", lambda: cut(encoded("mp3", 2.0), 0.5), None),
    _a("half.webm", lambda: cut(encoded("webm", 2.0), 0.5), None),
    _a("garbled.flac", lambda: garble(sound(tone(1.0), 16000, "FLAC"), 50), NOT_AUDIO),
    _a("garbled.m4a", lambda: garble(encoded("m4a"), 40), NOT_AUDIO),
    _a("garbled.webm", lambda: garble(encoded("webm"), 40), NOT_AUDIO),
    # headers that lie
    _a("4gb.wav", wav_4gb, None, "the data chunk claims 4 GB: what a recorder that crashed leaves; the real second is read"),
    _a("ten-hours.flac", lambda: flac_claiming(36000), TOO_LONG, "STREAMINFO claims 10 hours: refused before decoding"),
    _a("ten-hours.mp3", lambda: mp3_claiming(36000), TOO_LONG, "the Xing header claims 10 hours: refused before decoding"),
    _a("ten-hours.m4a", lambda: m4a_claiming(36000), None, "mvhd claims 10 hours; the real second is read, bounded"),
    _a("streamed.flac", lambda: flac_claiming(0), None, "a streaming encoder leaves the length 0 (unknown): read, with a cap"),
    _a("streamed.wav", lambda: wav_patched(40, "<I", 0, wav_patched(4, "<I", 0)), None, "RIFF and data sizes 0: what a live recorder leaves"),
    _a("one-hertz.wav", lambda: wav_rate(1), LOW_RATE, "1 sample per second: 16000 s if believed"),
    _a("zero-rate.wav", lambda: wav_rate(0), NOT_AUDIO),
    _a("gigahertz.wav", lambda: wav_rate(2_000_000_000), "more than any recording", "16000 samples would last 8 microseconds"),
    _a("long.wav", lambda: wav(601, 8000, "PCM_U8", kind="silence"), TOO_LONG),
    # odd samples and rates
    _a("short.wav", lambda: wav(0.1), "only 0.10 s long"),
    _a("nan.wav", lambda: float_with(np.nan), BAD_SAMPLES),
    _a("inf.wav", lambda: float_with(np.inf), BAD_SAMPLES),
    _a("nan-double.wav", lambda: float_with(np.nan, "DOUBLE"), BAD_SAMPLES),
    _a("1khz.wav", lambda: wav(1.0, 1000), LOW_RATE, "a 500 Hz bandwidth cannot carry speech"),
    _a("4khz.flac", lambda: sound(tone(1.0, 4000), 4000, "FLAC"), LOW_RATE),
    _a("192khz.wav", lambda: wav(1.0, 192000, "PCM_24"), None, "studio rate: resampled"),
    _a("192khz.flac", lambda: sound(tone(1.0, 192000), 192000, "FLAC"), None),
    _a("8-channels.wav", lambda: wav(1.0, 48000, channels=8), None, "a surround or field recorder: mixed down"),
    _a("8-channels.flac", lambda: sound(tone(1.0, 16000, 8), 16000, "FLAC"), None),
    _a("loud.wav", lambda: sound(tone(1.0) * 1000, 16000, "WAV", "FLOAT"), None, "float samples far beyond 1: clipped"),
    # mislabelled: the content decides
    _a("ogg-named.wav", lambda: sound(tone(1.0), 16000, "OGG", "VORBIS"), None),
    _a("mp3-named.m4a", lambda: encoded("mp3"), None),
    _a("wav-named.mp3", lambda: wav(1.0), None),
    _a("m4a-named.webm", lambda: encoded("m4a"), None),
    _a("opus-named.ogg", lambda: sound(tone(1.0, 48000), 48000, "OGG", "OPUS"), None),
    _a("phone-video.m4a", lambda: ffmpeg_video(audio=True), None, "a video's sound track is used"),
]

IMAGES = {c.name: c for c in IMAGE_CASES}
AUDIO = {c.name: c for c in AUDIO_CASES}
assert len(IMAGES) == len(IMAGE_CASES) and len(AUDIO) == len(AUDIO_CASES), "case names must be unique"


def bad(cases: dict[str, Case], *names: str) -> dict[str, tuple[bytes, str]]:
    """{name: (bytes, expected message regex)} of the refused cases (or of `names`)."""
    return {n: (c.data, c.expect) for n, c in cases.items() if not c.works and (not names or n in names)}


# The first five of each, used by the Spanish page tests and the browser tests.
BAD_IMAGES = bad(IMAGES, "empty.jpg", "notes.jpg", "truncated.jpg", "bomb.png", "tiny.png")
BAD_AUDIO = bad(AUDIO, "empty.wav", "short.wav", "picture.wav", "truncated.wav", "long.wav")
