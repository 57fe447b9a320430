"""Make the README's pictures from the shipped models and the sample media (nothing else):
docs/colorize_samples.jpg (grey in, colour out, original) and docs/talking_face_strip.jpg.

    .venv/bin/python bench/readme_images.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demos.audio import read_audio  # noqa: E402
from demos.colorize.pipeline import colorize_image  # noqa: E402
from demos.colorize.samples import SAMPLES, sample_path  # noqa: E402
from demos.lipsync.pipeline import mouth_track, render_video  # noqa: E402
from demos.lipsync.render import _font  # noqa: E402
from demos.lipsync.visemes import SHAPES  # noqa: E402
from demos.media import read_image  # noqa: E402

DOCS = ROOT / "docs"


def label(img: Image.Image, text: str) -> Image.Image:
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, img.width, 22), fill=(255, 255, 255))
    d.text((6, 3), text, fill=(0, 0, 0), font=_font(14))
    return img


def colorize_grid(h: int = 200) -> None:
    rows = []
    for name in SAMPLES:
        rgb = read_image(sample_path(name))
        out = colorize_image(rgb)
        grey = np.repeat(rgb.mean(axis=2, keepdims=True), 3, axis=2)
        w = round(rgb.shape[1] * h / rgb.shape[0])
        tiles = [Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8)).resize((w, h), Image.LANCZOS) for a in (grey, out, rgb)]
        row = Image.new("RGB", (3 * w + 8, h), "white")
        for i, t in enumerate(tiles):
            row.paste(t, (i * (w + 4), 0))
        rows.append(row)
    width = max(r.width for r in rows)
    grid = Image.new("RGB", (width, sum(r.height + 4 for r in rows) + 24), "white")
    label(grid, "input (grey)  |  colorized by the shipped model  |  the original photo")
    y = 24
    for r in rows:
        grid.paste(r, (0, y))
        y += r.height + 4
    grid.save(DOCS / "colorize_samples.jpg", quality=88)


def talking_strip(n: int = 10) -> None:
    import imageio_ffmpeg

    x = read_audio(ROOT / "demos" / "samples" / "hello_slt.ogg")
    track = mouth_track(x)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "v.mp4"
        render_video(x, track, out)
        gen = imageio_ffmpeg.read_frames(str(out))
        meta = next(gen)
        w, h = meta["size"]
        frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in gen]
    picks = np.linspace(int(0.7 * 25), int(3.0 * 25), n).astype(int)
    strip = Image.new("RGB", (n * 160, 184), "white")
    for i, k in enumerate(picks):
        strip.paste(Image.fromarray(frames[k]).resize((160, 160), Image.LANCZOS), (i * 160, 24))
        ImageDraw.Draw(strip).text((i * 160 + 6, 4), f"{k / 25:.2f}s {SHAPES[track.shapes[k]]}", fill=(0, 0, 0), font=_font(13))
    strip.save(DOCS / "talking_face_strip.jpg", quality=88)


if __name__ == "__main__":
    DOCS.mkdir(exist_ok=True)
    colorize_grid()
    talking_strip()
    print(f"wrote {DOCS / 'colorize_samples.jpg'} and {DOCS / 'talking_face_strip.jpg'}")
