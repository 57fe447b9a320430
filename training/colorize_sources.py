"""Extra natural colour photos for the colorizer, kept outside the repository in ../../extra/images.

The ~2,460 photos in ../shared/data/images are too few (the colorizer overfits). This module lists
the public GitHub repositories, at fixed commits, whose photos are added, and `main()` rebuilds
the folder from them: `git clone` of each repository (or the bare copies under --mirror-root,
laid out as <root>/<owner>+<name>/repo), `git cat-file` of every file matching the source's
globs, then these rules, in this order, on each file:

* never Kodak / LIVE1: files named kodim*, folders kodak, kodak24, live1 are skipped unread;
* RGB photo: decodable, short side >= 192 px, colourful (mean per-pixel max(R,G,B) - min(R,G,B)
  of a 128x128 copy >= 8);
* 8x8 mean hash (greyscale, BILINEAR to 8x8, bit = pixel > mean): dropped within Hamming
  distance 4 of a validation photo (bsds500/test, styletransfer) and within 3 of any photo
  already in ../shared/data/images, already kept here or in the calibration set;
* at most `cap` kept per source (files are visited in a fixed shuffled order).

With --calibration N, the next N photos of each source that pass the same rules (after its
`cap` training photos, in the same visit order, so the training network never saw them) go to
<calibration-out>/<source name>/ instead, with their own PROVENANCE.tsv: the set on which the
decode's chroma gain head is fitted (training/train_colorize_gain.py).

Kept photos are shrunk to longer side 320 (Lanczos, never enlarged) and written as JPEG quality 88
without metadata to <out>/<source name>/; <out>/PROVENANCE.tsv lists each with its repository,
commit, original path and the sha256 of the original bytes. Run:
    python -m training.colorize_sources --mirror-root /work/.mirror
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import io
import random
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "shared" / "data" / "images"
OUT = ROOT / "extra" / "images"
CALIBRATION = ROOT / "extra" / "calibration"  # never trained on by the colorizer: fits the chroma gain head
VALIDATION = ("bsds500/test", "styletransfer")
LONG_SIDE, MIN_SHORT, MIN_CHROMA = 320, 192, 8.0
FORBIDDEN = re.compile(r"(^|/)(kodak|kodak24|live1)(/|$)|(^|/)kodim[^/]*$", re.IGNORECASE)
IMAGE = ("*.jpg", "*.jpeg", "*.JPG", "*.JPEG", "*.png", "*.PNG")

SOURCES: list[dict] = [
    {
        "name": "clothing",
        "repository": "alexeygrigorev/clothing-dataset",
        "commit": "7ed86a9cc56763b6acb35e41cb35184e43a5d218",
        "paths": ["images/*.jpg"],
        "licence": "CC0 1.0 (LICENSE); README: 'can be freely used for any purpose, including commercial'",
        "content": "clothes photographed by contributors at home (floors, beds, hangers, some worn)",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "cats_dogs",
        "repository": "chanakya2734/Image-classification-using-CNN",
        "commit": "bf746c6e53f1edacd97b383de350f7a495cef0e1",
        "paths": ["dataset/*/*/*.jpg", "dataset/breed_dataset/*/*/*.jpg"],
        "licence": "no licence file; README says nothing about the images (Kaggle Dogs vs. Cats, dog-breed and cat-breed sets)",
        "content": "pet cats and dogs at home, in gardens, with their owners",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "imagenette",
        "repository": "thunderInfy/imagenette",
        "commit": "b850f030ff0701c36a4adc8b928ea9483a46915b",
        "paths": ["train/*/*.JPEG", "val/*/*.JPEG"],
        "licence": "no licence file, no README (Imagenette: 10 ImageNet classes, stored here at 224x224)",
        "content": "tench, springer spaniels, cassette players, chainsaws, churches, French horns, garbage trucks, "
        "gas pumps, golf balls, parachutes, usually with people and surroundings",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "stanford_cars",
        "repository": "fmejbah/car_dataset1",
        "commit": "2ac6920297f51277ac4e24afd231c46d35077831",
        "paths": ["cars_train/*.jpg"],
        "licence": "no licence file, no README (Stanford Cars, Krause et al. 2013: web photos, terms of the "
        "Stanford site: non-commercial research)",
        "content": "cars in streets, car parks, showrooms, countryside",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "lfw",
        "repository": "umass-vis-lfw/umass-vis-lfw.github.io",
        "commit": "2a620cd8cceb10430f8c7012fe9fa5f0837759e9",
        "paths": ["images_deepfunneled/*/*.jpg"],  # images/ here are 150x150 thumbnails
        "licence": "no licence file; the LFW site (index.html) gives no licence, only a disclaimer that LFW is a "
        "research benchmark (Huang et al. 2007: news photos of public figures collected from the web)",
        "content": "faces and upper bodies of people of many ages and skin tones, 250x250, often with "
        "backgrounds and other people",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "food",
        "repository": "srohit0/food_mnist",
        "commit": "e6cdf589a9937cf7fcb53d3a86df053be452e1f5",
        "paths": ["images/*/*.jpg"],
        "licence": "license_agreement.txt: Food-101 images are from Foodspotting, not ETHZ property; 'any use "
        "beyond scientific fair use must be negociated with the respective picture owners'",
        "content": "plated dishes (10 Food-101 classes: apple pie, ribs, baklava, carpaccio, tartare, beet salad, "
        "beignets, bibimbap, bread pudding, breakfast burrito) on tables, in restaurants",
        "cap": 1500,
        "kept": 1500,
    },
    {
        "name": "houses",
        "repository": "emanhamed/Houses-dataset",
        "commit": "5e148219500558089cf5cf121b626b17fdde9b92",
        "paths": ["Houses Dataset/*.jpg"],
        "licence": "no licence file; README asks users to cite Ahmed & Moustafa 2016 (US real-estate listing photos)",
        "content": "bedrooms, bathrooms, kitchens and street-side fronts of 535 US houses",
        "cap": 1500,
        "kept": 1500,
    },
    # The two below were added on 2026-12-06; the shipped weights' last run (no class rebalancing) saw
    # them. `--only voc_scenes pedestrian_streets` builds just them.
    {
        "name": "voc_scenes",
        "repository": "BernieChen96/ImageClassification",
        "commit": "69098f42fc2c4a7cc3b753065b936380406b53d6",
        "paths": ["JPEGImages/*.jpg", "Test/Image/*.jpg"],  # not HandledImages/ or Test/specifiedArea/ (processed crops)
        "licence": "no licence file; the README is a title only (the photos look like PASCAL VOC's Flickr photos, "
        "renumbered: VOC terms, research use)",
        "content": "everyday outdoor and indoor photos: cars, buses, trains and stations, motorbikes, bicycles, aeroplanes, "
        "streets, buildings, people, cats",
        "cap": 2000,
        "kept": 1581,
    },
    {
        "name": "pedestrian_streets",
        "repository": "LS-chen/Pedestrian-behavior-detection-and-prediction",
        "commit": "26cfc4cd4ddf0de0f55cabcde39f2d9dd0571a13",
        "paths": ["JPEGImages/*.jpg"],
        "licence": "no licence file, no README",
        "content": "European pedestrian streets and squares from video (shoppers, cyclists, vans, grey paving, "
        "snow), some rooms; near-duplicate frames are dropped by the hash rule",
        "cap": 1500,
        "kept": 564,
    },
    # Looked at, not used: shivammokha94/Scenic_GAN @ 010cd44b web_images/ (landscapes scraped from
    # gettyimages.com search results: copyrighted stock previews, some watermarked);
    # Keunyoung-Jung/my_first_DL natural_images/ (6,899 photos, all under 192 px) and
    # martinwestin/flower_classification flowers/ (4,317 photos, all 128x128).
]


def mean_hash(img: Image.Image) -> int:
    """8x8 mean hash: greyscale, BILINEAR to 8x8, bit = pixel > mean."""
    a = np.asarray(img.convert("L").resize((8, 8), Image.BILINEAR), dtype=np.float64).ravel()
    return int("".join("1" if v > a.mean() else "0" for v in a), 2)


class HashSet:
    """Hashes with a nearest-Hamming-distance query."""

    def __init__(self) -> None:
        self.values: list[int] = []
        self.array = np.zeros(0, np.uint64)

    def add(self, h: int) -> None:
        self.values.append(h)

    def near(self, h: int, dist: int) -> bool:
        if len(self.values) > len(self.array):
            self.array = np.array(self.values, np.uint64)
        return bool(self.values) and int(np.bitwise_count(self.array ^ np.uint64(h)).min()) <= dist


def reference_hashes(data: Path) -> tuple[HashSet, HashSet]:
    """(validation photos, all photos) of the shared data folder."""
    val, every = HashSet(), HashSet()
    for p in sorted(data.rglob("*")):
        if p.suffix.lower() not in {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}:
            continue
        with Image.open(p) as img:
            h = mean_hash(img.convert("RGB"))
        every.add(h)
        if p.relative_to(data).as_posix().startswith(VALIDATION):
            val.add(h)
    return val, every


def add_hashes(seen: HashSet, root: Path, rows: list[str]) -> None:
    """Add the hash of each photo listed in PROVENANCE `rows` (paths relative to `root`) to `seen`."""
    for row in rows:
        with Image.open(root / row.split("\t")[0]) as img:
            seen.add(mean_hash(img))


def git_dir(repository: str, commit: str, mirror_root: Path | None, tmp: Path) -> Path:
    """A bare repository holding `commit`: the local mirror if there is one, else a fresh clone."""
    if mirror_root is not None:
        for cand in (mirror_root / repository.replace("/", "+") / "repo", mirror_root / repository.replace("/", "+")):
            if cand.exists():
                return cand
    dest = tmp / repository.replace("/", "+")
    subprocess.run(["git", "clone", "--bare", "--quiet", f"https://github.com/{repository}", str(dest)], check=True)
    return dest


def listed(gd: Path, commit: str, globs: list[str]) -> list[tuple[str, str]]:
    """(blob sha, path) of every file at `commit` matching one of `globs`, Kodak/LIVE1 left out."""
    out = subprocess.run(["git", f"--git-dir={gd}", "ls-tree", "-r", "-z", commit],
                         check=True, capture_output=True).stdout.decode()
    files = []
    for entry in filter(None, out.split("\0")):
        meta, path = entry.split("\t", 1)
        if meta.split()[1] == "blob" and any(fnmatch.fnmatchcase(path, g) for g in globs):
            if not FORBIDDEN.search(path):
                files.append((meta.split()[2], path))
    return sorted(files, key=lambda f: f[1])


def blobs(gd: Path, shas: list[str]):
    """Yield the bytes of each blob (None where the snapshot lacks it), via one `git cat-file`."""
    proc = subprocess.Popen(["git", f"--git-dir={gd}", "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin and proc.stdout
    try:
        yield from _read(proc, shas)
    finally:
        proc.kill()
        proc.wait()


def _read(proc: subprocess.Popen, shas: list[str]):
    assert proc.stdin and proc.stdout
    for sha in shas:
        proc.stdin.write(f"{sha}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if header[-1] == b"missing":
            yield None
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        yield data


def examine(raw: bytes) -> tuple[str, Image.Image | None]:
    """('ok', image shrunk to LONG_SIDE) or (reason, None)."""
    try:
        img = Image.open(io.BytesIO(raw))
        w, h = img.size
        if min(w, h) < MIN_SHORT:
            return "small", None
        img.draft("RGB", (LONG_SIDE, LONG_SIDE))
        img = img.convert("RGB")
    except Exception:
        return "unreadable", None
    small = np.asarray(img.resize((128, 128), Image.BILINEAR), dtype=np.int16)
    if (small.max(2) - small.min(2)).mean() < MIN_CHROMA:
        return "grey", None
    scale = LONG_SIDE / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    return "ok", img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror-root", type=Path, default=None, help="bare repos as <root>/<owner>+<name>/repo")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--only", nargs="*", default=None, help="source names to build (default: all)")
    ap.add_argument("--calibration", type=int, default=0, help="photos per source kept apart after the training ones")
    ap.add_argument("--calibration-out", type=Path, default=CALIBRATION)
    args = ap.parse_args()
    val, seen = reference_hashes(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    prov = args.out / "PROVENANCE.tsv"
    rebuilt = {s["name"] for s in SOURCES if args.only is None or s["name"] in args.only}
    rows = prov.read_text().splitlines()[1:] if prov.exists() else []
    rows = [r for r in rows if r.split("/")[0] not in rebuilt]
    add_hashes(seen, args.out, rows)  # photos kept earlier count as seen
    calib_prov = args.calibration_out / "PROVENANCE.tsv"
    if not args.calibration and calib_prov.exists():  # so do the calibration photos (never trained on)
        add_hashes(seen, args.calibration_out, calib_prov.read_text().splitlines()[1:])
    calib_rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for src in SOURCES:
            if args.only is not None and src["name"] not in args.only:
                continue
            gd = git_dir(src["repository"], src["commit"], args.mirror_root, Path(tmp))
            files = listed(gd, src["commit"], src["paths"])
            random.Random(0).shuffle(files)
            dest = args.out / src["name"]
            calib = args.calibration_out / src["name"]
            for d in (dest, calib) if args.calibration else (dest,):
                d.mkdir(parents=True, exist_ok=True)
                for old in d.glob("*.jpg"):
                    old.unlink()
            stats: Counter[str] = Counter()
            for (_, path), raw in zip(files, blobs(gd, [f[0] for f in files]), strict=False):
                if stats["kept"] >= src["cap"] + args.calibration:
                    break
                reason, img = ("missing", None) if raw is None else examine(raw)
                if img is not None:
                    h = mean_hash(img)
                    reason = "near_validation" if val.near(h, 4) else "duplicate" if seen.near(h, 3) else "kept"
                stats[reason] += 1
                if reason != "kept":
                    continue
                seen.add(h)
                name = re.sub(r"[^A-Za-z0-9._-]", "_", path.rsplit(".", 1)[0].replace("/", "__"))[-120:] + ".jpg"
                img.info = {}  # no EXIF or ICC profile
                if stats["kept"] > src["cap"]:  # past the training photos: the calibration set
                    img.save(calib / name, "JPEG", quality=88)
                    calib_rows.append("\t".join([f"{src['name']}/{name}", src["repository"], src["commit"], path,
                                                  hashlib.sha256(raw).hexdigest()]))
                    continue
                img.save(dest / name, "JPEG", quality=88)
                rows.append("\t".join([f"{src['name']}/{name}", src["repository"], src["commit"], path,
                                       hashlib.sha256(raw).hexdigest()]))
            print(src["name"], len(files), dict(stats), flush=True)
    header = "file\trepository\tcommit\toriginal_path\tsha256_of_original"
    prov.write_text("\n".join([header, *rows]) + "\n")
    if args.calibration:
        (args.calibration_out / "PROVENANCE.tsv").write_text("\n".join([header, *calib_rows]) + "\n")


if __name__ == "__main__":
    main()
