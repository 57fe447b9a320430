"""Sample photos that ship with an installed package (scikit-image's public-domain images)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from demos.i18n import N_

_SKIMAGE = importlib.util.find_spec("skimage")
DATA = Path(next(iter(_SKIMAGE.submodule_search_locations))) / "data" if _SKIMAGE else Path("missing")

# label -> file in skimage/data. "Cameraman" is a real black-and-white photo; the others are
# colour photos (turned grey by the pipeline, so the original can be shown beside the result).
# The labels are msgids: the page shows them translated.
SAMPLES = {
    N_("Cameraman (a real black-and-white photo)"): "camera.png",
    N_("Cat"): "chelsea.png",
    N_("Coffee cup"): "coffee.png",
    N_("Rocket on the launch pad"): "rocket.jpg",
    N_("Motorbike"): "motorcycle_left.png",
    N_("Astronaut"): "astronaut.png",
}


def sample_path(label: str) -> Path:
    return DATA / SAMPLES[label]


def sample_bytes(label: str) -> bytes:
    return sample_path(label).read_bytes()
