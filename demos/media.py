"""Reading what users bring: images (audio is in demos/audio.py). Every failure is a MediaError with a
message fit to show a user, in their language; nothing here lets a decoder's traceback through."""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from demos.i18n import _, count, num

MAX_BYTES = 50 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # about 7300 x 5500; guards against decompression bombs
MIN_SIDE = 16
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif", "heic", "heif"]
# The decoders Pillow may use, whatever the file's name says: others (PostScript, which runs
# Ghostscript; PSD, ICO and the rest) are refused as "not an image this app can read".
FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "BMP", "DIB", "TIFF", "GIF", "HEIF")


class MediaError(ValueError):
    """A file the demos cannot use, with a message that says why."""


@cache
def decoders() -> tuple[str, ...]:
    """The FORMATS this Pillow has, HEIC/HEIF (iPhone photos) included when pillow-heif is installed."""
    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:
        pass
    Image.init()
    return tuple(f for f in FORMATS if f in Image.ID)


def file_bytes(source: bytes | str | Path, name: str | None, what: str, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """(the bytes, a label for messages) of an upload or a file; empty or too big is a MediaError."""
    if isinstance(source, str | Path):
        name = name or Path(source).name
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise MediaError(_("{name}: cannot read the file ({reason})").format(name=name, reason=e.strerror or e)) from None
    else:
        data = source
    label = name or what
    if not data:
        raise MediaError(_("{label} is empty (0 bytes).").format(label=label))
    if len(data) > max_bytes:
        raise MediaError(_("{label} is {size} MB; the limit is {limit} MB.").format(label=label, size=num(len(data) / 2**20, 0), limit=count(max_bytes // 2**20)))
    return data, label


def read_image(source: bytes | str | Path, name: str | None = None) -> np.ndarray:
    """Decode an image file to float32 RGB in [0, 1], shape (H, W, 3).

    Handles grey, palette, RGBA/LA (composited on white), CMYK, 16-bit and float images, HEIC,
    EXIF rotation, and the first frame of animated or multi-page files. Rejects empty, non-image,
    damaged, huge (checked on the header, before decoding) and tiny files with a clear message.
    """
    data, label = file_bytes(source, name, _("the image"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes on odd metadata are not for the user
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=decoders())
            check_size(img, label)
            img.load()
            img = ImageOps.exif_transpose(img)
            check_sides(img, label)
            return to_rgb(img)  # inside the guard: a colour mode Pillow cannot convert is a message too
    except MediaError:
        raise
    except UnidentifiedImageError:
        raise MediaError(_("{label} is not an image this app can read (supported: {types}).").format(label=label, types=", ".join(IMAGE_TYPES))) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large(label) from None
    except Exception:  # any decoder's complaint (OSError, SyntaxError, ValueError, struct.error, EOFError...)
        raise MediaError(_("{label} is damaged or truncated and cannot be decoded.").format(label=label)) from None


def check_size(img: Image.Image, label: str) -> None:
    """A MediaError when the header claims more than MAX_PIXELS (nothing is decoded yet)."""
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise MediaError(_("{label} is {width} x {height} pixels; the limit is {limit} megapixels.").format(
            label=label, width=w, height=h, limit=num(MAX_PIXELS / 1e6, 0)))


def check_sides(img: Image.Image, label: str) -> None:
    """A MediaError when a side is shorter than MIN_SIDE."""
    if min(img.size) < MIN_SIDE:
        raise MediaError(_("{label} is only {width} x {height} pixels; it needs at least {minimum} on each side.").format(
            label=label, width=img.width, height=img.height, minimum=MIN_SIDE))


def too_large(label: str) -> MediaError:
    return MediaError(_("{label} claims to be far too large (a decompression bomb?); the limit is {limit} megapixels.").format(
        label=label, limit=num(MAX_PIXELS / 1e6, 0)))


def to_rgb(img: Image.Image) -> np.ndarray:
    """Any PIL mode as float32 RGB in [0, 1]."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, dtype=np.float32)
        top = 65535.0 if img.mode.startswith("I;16") or a.max() > 255 else 255.0
        if img.mode == "F" and a.max() <= 1.0:
            top = 1.0
        a = np.clip(a / top, 0, 1)
        return np.repeat(a[..., None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    rgb /= 255.0  # in place: a 24-megapixel photo is 288 MB as float32, no need for two
    return rgb


def to_png_bytes(rgb: np.ndarray, strip: int = 512) -> bytes:
    """Float RGB in [0, 1] -> PNG file bytes (converted a strip of rows at a time, to bound memory)."""
    u8 = np.empty(rgb.shape, np.uint8)
    for r in range(0, len(rgb), strip):
        u8[r : r + strip] = np.clip(rgb[r : r + strip], 0, 1) * 255 + 0.5
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, format="PNG")
    return buf.getvalue()
