"""Training data for the colorizer: natural photos from ../shared/data/images as random Lab crops.

The two validation splits, `bsds500/test` and `styletransfer/`, are never loaded here. A monitor
set for picking checkpoints and decode settings is held out of training: 30 images of
`bsds500/val` and every 25th photo of the second batch (varied, user-like photos).
Sources and licences of every folder: ../shared/data/images/SOURCES.md and PROVENANCE2.tsv.
Extra photos from ../../extra/images (when present; training/colorize_sources.py lists their
sources and rebuilds that folder) all go to training: they come from a few narrow sources (clothing,
pets, cars, ImageNet classes, VOC-style everyday photos, pedestrian streets), so the monitor stays
the 82 varied photos above.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from demos.colorize.color import ab_grid, rgb_to_lab

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "images"
EXTRA = Path(__file__).resolve().parents[2] / "extra" / "images"  # built by training/colorize_sources.py
EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}
LONG_SIDE = 288  # images are kept at about the scale the app runs them (longer side 256)
CROP = 128
OUT_STRIDE = 4  # the network predicts ab at 1/4 resolution
EXTRA_SHARE = 0.5  # of the crops drawn: the narrow extra sources never outweigh the varied photos


VALIDATION = ("bsds500/test/", "styletransfer/")  # never trained on, never used to choose
SECOND_BATCH = ("imagenet_det/", "imagenet_sample_more/", "camvid/", "dreambooth/", "urban100/", "stargan_v2/")


def image_paths(data: Path = DATA, extra: Path | None = EXTRA) -> tuple[list[Path], list[Path]]:
    """(train, monitor) image paths; the validation splits are excluded from both.

    Photos under `extra` (when given and present) are added to training."""
    paths = sorted(p for p in data.rglob("*") if p.suffix.lower() in EXTS)
    paths = [p for p in paths if not any(v in p.relative_to(data).as_posix() for v in VALIDATION)]
    second = [p for p in paths if p.relative_to(data).as_posix().startswith(SECOND_BATCH)]
    added = sorted(p for p in extra.rglob("*") if p.suffix.lower() in EXTS) if extra and extra.is_dir() else []
    monitor = [p for p in paths if "bsds500/val" in p.as_posix()][:30] + second[::25]
    held = set(monitor)
    train = [p for p in paths + added if p not in held]
    return train, monitor


def load_rgb(path: Path, long_side: int = LONG_SIDE) -> np.ndarray:
    """An image as uint8 RGB, shrunk so its longer side is at most `long_side`."""
    img = Image.open(path).convert("RGB")
    scale = long_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.BICUBIC)
    return np.asarray(img)


def random_crop(rng: np.random.Generator, rgb: np.ndarray, size: int = CROP) -> np.ndarray:
    """A random rescale (0.5-1.0x), crop, horizontal flip and exposure change, as float RGB in [0, 1].

    The exposure change scales linear RGB by one factor, which keeps every pixel's hue and
    saturation: a darker or brighter photo of the same scene has the same colours."""
    h, w = rgb.shape[:2]
    scale = rng.uniform(max(0.5, size / min(h, w)), max(1.0, size / min(h, w)))
    img = Image.fromarray(rgb)
    if abs(scale - 1) > 1e-3:
        img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BILINEAR)
    arr = np.asarray(img)
    y = rng.integers(0, arr.shape[0] - size + 1)
    x = rng.integers(0, arr.shape[1] - size + 1)
    crop = arr[y : y + size, x : x + size]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    crop = crop.astype(np.float32) / 255.0
    if rng.random() < 0.5:
        # sRGB is about linear ** (1/2.2): a linear gain g is a gain of g ** (1/2.2) here.
        crop = np.clip(crop * rng.uniform(0.7, 1.3) ** (1 / 2.2), 0.0, 1.0)
    return crop


def lab_pair(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L input normalised to [-1, 1], ab target average-pooled to 1/4 resolution)."""
    lab = rgb_to_lab(rgb)
    x = (lab[..., :1] - 50.0) / 50.0
    h, w = lab.shape[0] // OUT_STRIDE, lab.shape[1] // OUT_STRIDE
    ab = lab[..., 1:].reshape(h, OUT_STRIDE, w, OUT_STRIDE, 2).mean(axis=(1, 3))
    return x, ab


def bins_and_weights(images: list[np.ndarray], lam: float, sigma: float = 5.0,
                     grid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ab bins seen in the data, their smoothed prior, and rebalancing weights.

    w = 1 / ((1 - lam) * prior + lam / Q), scaled so the prior-weighted mean of w is 1
    (Zhang et al. 2016). lam = 1 means no rebalancing. `grid`: fixed bins (a trained model's);
    by default the full grid, trimmed to the bins the data uses.
    """
    fixed = grid is not None
    grid = ab_grid() if grid is None else grid
    counts = np.zeros(len(grid))
    for rgb in images:
        _, ab = lab_pair(rgb[: rgb.shape[0] // 4 * 4, : rgb.shape[1] // 4 * 4].astype(np.float32) / 255.0)
        d2 = ((ab.reshape(-1, 1, 2) - grid[None]) ** 2).sum(-1)
        counts += np.bincount(d2.argmin(1), minlength=len(grid))
    keep = np.ones(len(grid), bool) if fixed else counts > 0
    centres, counts = grid[keep], counts[keep] + fixed  # a fixed bin the data never uses still gets a little mass
    prior = counts / counts.sum()
    # Smooth the prior with a Gaussian over ab distance, as Zhang et al. do.
    d2 = ((centres[:, None] - centres[None]) ** 2).sum(-1)
    kernel = np.exp(-d2 / (2 * sigma**2))
    prior = kernel @ prior / kernel.sum(1)
    prior /= prior.sum()
    weights = 1.0 / ((1 - lam) * prior + lam / len(centres))
    weights /= (prior * weights).sum()
    return centres.astype(np.float32), prior.astype(np.float32), weights.astype(np.float32)


def sampling_weights(paths: list[Path], extra: Path = EXTRA, extra_share: float = EXTRA_SHARE) -> np.ndarray:
    """Probability of drawing each photo: the extra photos together get `extra_share` of the draws."""
    is_extra = np.array([extra in p.parents for p in paths])
    if not is_extra.any() or is_extra.all():
        return np.full(len(paths), 1 / len(paths))
    return np.where(is_extra, extra_share / is_extra.sum(), (1 - extra_share) / (~is_extra).sum())


def batches(rng: np.random.Generator, images: list[np.ndarray], batch: int, p: np.ndarray | None = None, crop: int = CROP):
    """An endless stream of (L, ab) batches of random crops; `p`: each image's draw probability."""
    while True:
        pairs = [lab_pair(random_crop(rng, images[i], crop)) for i in rng.choice(len(images), batch, p=p)]
        yield np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
