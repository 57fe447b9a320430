"""Drawing the talking face: a cartoon (the default) or the user's photo, one frame per mouth
shape, then an MP4 (H.264 + AAC) with the audio.

Only 9 mouth shapes exist, so each face is drawn once per shape (and once more with the eyes
closed, for blinks); a video is a sequence of those frames. Every frame carries a visible
"SYNTHETIC" mark, in the user's language.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from demos.i18n import N_, _
from demos.lipsync.visemes import GEOMETRY, SHAPES
from demos.media import MediaError

MARK = N_("SYNTHETIC - made by a demo")
SIZE = 480  # cartoon frame size; multiples of 16 keep H.264 happy


def _font(size: int):
    """DejaVu Sans Bold, which matplotlib (a dependency) always ships."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
    return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)


def add_mark(img: Image.Image) -> Image.Image:
    """The small visible mark that the video is synthetic (top left, where player controls never cover it)."""
    d = ImageDraw.Draw(img, "RGBA")
    font = _font(max(11, img.width // 40))
    mark = _(MARK)
    box = d.textbbox((0, 0), mark, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    x, y = 10, 10
    d.rectangle((x - 5, y - 4, x + w + 5, y + h + 6), fill=(0, 0, 0, 150))
    d.text((x, y - box[1]), mark, fill=(255, 255, 255, 230), font=font)
    return img


class NoFaceError(MediaError):
    """The photo has no face the renderer can find."""


# ---- cartoon --------------------------------------------------------------------------------
def _mouth(d: ImageDraw.ImageDraw, cx: float, cy: float, scale: float, shape: str) -> None:
    """Draw one mouth shape centred at (cx, cy); `scale` is the mouth's full width in pixels."""
    opening, width, rnd = GEOMETRY[shape]
    w = scale * (0.45 + 0.55 * width)
    h = scale * 0.55 * opening
    lip = (150, 40, 50)
    if opening < 0.05 or shape == "A":  # closed: a line (pressed lips for A)
        t = max(3, scale * (0.07 if shape == "A" else 0.04))
        d.rounded_rectangle((cx - w / 2, cy - t / 2, cx + w / 2, cy + t / 2), radius=t / 2, fill=lip)
        return
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    if rnd > 0.7:
        d.ellipse(box, fill=(60, 15, 20), outline=lip, width=max(4, int(scale * 0.09)))
        return
    d.rounded_rectangle(box, radius=min(w, h) / 2 * (0.6 + 0.4 * rnd), fill=(60, 15, 20), outline=lip, width=max(3, int(scale * 0.06)))
    inner_l, inner_r = cx - w / 2 + scale * 0.08, cx + w / 2 - scale * 0.08
    if shape in ("B", "C", "D", "G", "H"):  # upper teeth
        d.rectangle((inner_l, cy - h / 2 + scale * 0.05, inner_r, cy - h / 2 + scale * 0.05 + max(3, h * (0.5 if shape in ("B", "G") else 0.22))), fill=(245, 245, 240))
    if shape in ("C", "D"):  # tongue low
        d.ellipse((cx - w * 0.25, cy + h * 0.1, cx + w * 0.25, cy + h / 2 - scale * 0.03), fill=(200, 80, 90))
    if shape == "H":  # tongue up behind the teeth
        d.ellipse((cx - w * 0.2, cy - h * 0.15, cx + w * 0.2, cy + h * 0.3), fill=(210, 90, 100))
    if shape == "G":  # lower lip tucked under the upper teeth
        d.rectangle((cx - w / 2 + 2, cy, cx + w / 2 - 2, cy + h / 2 + 2), fill=lip)


def cartoon_frame(shape: str, blink: bool = False, size: int = SIZE) -> Image.Image:
    """A friendly drawn face (not a real person) with the given mouth shape, antialiased."""
    s = 2  # draw at twice the size, then shrink: smooth edges
    n = size * s
    img = Image.new("RGB", (n, n), (225, 238, 250))
    d = ImageDraw.Draw(img)
    cx, cy, r = n / 2, n * 0.52, n * 0.36
    d.ellipse((cx - r * 1.02, cy - r * 1.05, cx + r * 1.02, cy - r * 0.1), fill=(90, 60, 40))  # hair
    d.ellipse((cx - r * 1.06, cy - r * 0.1, cx - r * 0.86, cy + r * 0.25), fill=(240, 190, 150))  # ears
    d.ellipse((cx + r * 0.86, cy - r * 0.1, cx + r * 1.06, cy + r * 0.25), fill=(240, 190, 150))
    d.ellipse((cx - r * 0.92, cy - r * 0.8, cx + r * 0.92, cy + r * 0.95), fill=(250, 205, 165))  # face
    for ex in (cx - r * 0.36, cx + r * 0.36):
        ey = cy - r * 0.12
        if blink:
            d.line((ex - r * 0.14, ey, ex + r * 0.14, ey), fill=(50, 40, 40), width=int(r * 0.04))
        else:
            d.ellipse((ex - r * 0.15, ey - r * 0.11, ex + r * 0.15, ey + r * 0.11), fill=(255, 255, 255))
            d.ellipse((ex - r * 0.07, ey - r * 0.07, ex + r * 0.07, ey + r * 0.07), fill=(60, 90, 140))
            d.ellipse((ex - r * 0.03, ey - r * 0.03, ex + r * 0.03, ey + r * 0.03), fill=(20, 20, 30))
        d.arc((ex - r * 0.18, ey - r * 0.32, ex + r * 0.18, ey - r * 0.12), 200, 340, fill=(90, 60, 40), width=int(r * 0.035))
    d.polygon([(cx, cy), (cx - r * 0.09, cy + r * 0.22), (cx + r * 0.07, cy + r * 0.24)], fill=(235, 175, 140))  # nose
    d.ellipse((cx - r * 0.62, cy + r * 0.18, cx - r * 0.4, cy + r * 0.32), fill=(250, 180, 170))  # cheeks
    d.ellipse((cx + r * 0.4, cy + r * 0.18, cx + r * 0.62, cy + r * 0.32), fill=(250, 180, 170))
    _mouth(d, cx, cy + r * 0.52, r * 0.75, shape)
    return add_mark(img.resize((size, size), Image.LANCZOS))


# ---- photo ----------------------------------------------------------------------------------
def find_face(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The largest frontal face (x, y, w, h) found by OpenCV's Haar cascade, or a NoFaceError."""
    import cv2

    grey = cv2.cvtColor((rgb * 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    cascade = cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml"))
    faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=8, minSize=(max(40, min(grey.shape) // 8),) * 2)
    if len(faces) == 0:
        raise NoFaceError(_("No face was found in this photo (it needs a clear, front-facing face). Try another photo, or use the cartoon face."))
    return tuple(int(v) for v in max(faces, key=lambda f: f[2] * f[3]))


def _fit(rgb: np.ndarray, max_side: int = 640) -> np.ndarray:
    """Shrink to at most max_side and crop to even multiples of 16 (H.264's macroblocks)."""
    h, w = rgb.shape[:2]
    s = min(1.0, max_side / max(h, w))
    img = Image.fromarray((rgb * 255).astype(np.uint8))
    if s < 1:
        img = img.resize((round(w * s), round(h * s)), Image.LANCZOS)
    a = np.asarray(img)
    return a[: a.shape[0] // 16 * 16, : a.shape[1] // 16 * 16]


def photo_frames(rgb: np.ndarray) -> dict[str, Image.Image]:
    """The photo with each mouth shape: the jaw and lower lip moved down by a smooth warp,
    the mouth narrowed for rounded shapes, a dark inner mouth (with teeth) drawn in the gap,
    all blended with soft masks so no box shows."""
    import cv2

    x, y, w, h = find_face(rgb)
    # Frame the head: crop around the face, so the mouth is big enough to see move.
    H0, W0 = rgb.shape[:2]
    left, right = max(0, int(x + w / 2 - 1.15 * w)), min(W0, int(x + w / 2 + 1.15 * w))
    top, bottom = max(0, int(y - 0.65 * h)), min(H0, int(y + 1.85 * h))
    crop = rgb[top:bottom, left:right]
    scale = 560 / crop.shape[0]
    crop = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((round(crop.shape[1] * scale), 560), Image.LANCZOS))
    base = _fit(crop.astype(np.float32) / 255)
    x, y, w, h = (x - left) * scale, (y - top) * scale, w * scale, h * scale
    H, W = base.shape[:2]
    cx = x + w / 2
    # The line between the lips: the darkest row of a central strip near where Haar boxes put
    # the mouth (0.74-0.88 of the box height), smoothed a little against single dark pixels.
    r0, r1 = int(y + 0.74 * h), int(y + 0.88 * h)
    strip = base[r0:r1, int(cx - 0.12 * w) : int(cx + 0.12 * w)].astype(np.float32).mean(axis=(1, 2))
    cy = r0 + float(np.argmin(np.convolve(strip, np.ones(3) / 3, mode="same")[1:-1]) + 1) if len(strip) > 4 else y + 0.8 * h
    mw = 0.21 * w  # half the mouth's width
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    gx = np.exp(-(((xx - cx) / (0.42 * w)) ** 2))  # the jaw moves most in the middle
    below = np.clip((yy - cy) / (0.02 * h) + 0.5, 0, 1)  # 0 above the mouth line, 1 below
    fade = np.clip((y + 1.18 * h - yy) / (0.3 * h), 0, 1)  # back to still under the chin
    above = np.exp(-(((yy - cy) / (0.05 * h)) ** 2)) * (yy < cy)
    frames = {}
    for shape in SHAPES:
        opening, width, rnd = GEOMETRY[shape]
        drop = opening * 0.11 * h
        squeeze = (0.5 - min(width, 0.5)) * 0.9 + 0.35 * rnd  # 0 = as is, higher = narrower (rounded)
        dy = drop * gx * below * fade - 0.18 * drop * gx * above
        lip_zone = np.exp(-(((yy - cy - drop / 2) / (0.09 * h + drop)) ** 2)) * np.exp(-(((xx - cx) / (1.4 * mw)) ** 2))
        dx = squeeze * (xx - cx) * lip_zone * 0.6
        out = cv2.remap(base, xx + dx, yy - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if drop > 1.5:
            img = Image.fromarray(out)
            mask = Image.new("L", img.size, 0)
            md = ImageDraw.Draw(mask)
            half = mw * (1 - 0.55 * squeeze) * 0.9
            top, bottom = cy - 0.18 * drop, cy + 0.82 * drop
            md.ellipse((cx - half, top, cx + half, bottom), fill=255)
            mask = mask.filter(ImageFilter.GaussianBlur(max(1.5, drop * 0.12)))
            inner = Image.new("RGB", img.size, (45, 12, 16))
            idraw = ImageDraw.Draw(inner)
            if shape in ("B", "C", "D", "G", "H"):
                idraw.rectangle((cx - half * 0.8, top, cx + half * 0.8, top + max(2, drop * 0.22)), fill=(225, 222, 215))
            img = Image.composite(inner, img, mask)
            out = np.asarray(img)
        frames[shape] = add_mark(Image.fromarray(out))
    return frames


# ---- video ----------------------------------------------------------------------------------
def blink_frames(n: int, fps: float, seed: int = 0) -> np.ndarray:
    """Which frames have the eyes closed: a 0.12 s blink every 2.5-5 s, for a bit of life."""
    rng = np.random.default_rng(seed)
    out, t = np.zeros(n, bool), rng.uniform(1.0, 3.0)
    while t * fps < n:
        out[int(t * fps) : int((t + 0.12) * fps) + 1] = True
        t += rng.uniform(2.5, 5.0)
    return out


def write_mp4(frames: list[Image.Image] | Callable[[int], Image.Image], n: int, fps: float, wav: bytes, out: Path,
              progress: Callable[[float], None] | None = None) -> None:
    """Encode n frames (a list, or a function of the index) with the audio as H.264 + AAC MP4."""
    import imageio_ffmpeg

    get = frames.__getitem__ if isinstance(frames, list) else frames
    first = get(0)
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "audio.wav"
        audio.write_bytes(wav)
        writer = imageio_ffmpeg.write_frames(
            str(out), first.size, fps=fps, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=16, quality=None,
            bitrate=None, audio_path=str(audio), audio_codec="aac",
            output_params=["-preset", "veryfast", "-crf", "23", "-movflags", "+faststart", "-shortest"], ffmpeg_log_level="error",
        )
        writer.send(None)
        cache: dict[int, bytes] = {}
        for i in range(n):
            img = get(i)
            key = id(img)
            if key not in cache:
                cache[key] = np.ascontiguousarray(np.asarray(img.convert("RGB"))).tobytes()
            writer.send(cache[key])
            if progress and i % 10 == 0:
                progress(i / n)
        writer.close()
    if progress:
        progress(1.0)


def probe_duration(path: Path) -> tuple[float, bool]:
    """(duration in seconds, has an audio stream) of a video, read by ffmpeg."""
    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(path)], capture_output=True, text=True)
    dur, audio = 0.0, False
    for line in r.stderr.splitlines():
        if "Duration:" in line:
            hms = line.split("Duration:")[1].split(",")[0].strip().split(":")
            dur = float(hms[0]) * 3600 + float(hms[1]) * 60 + float(hms[2])
        if "Stream" in line and "Audio:" in line:
            audio = True
    return dur, audio
