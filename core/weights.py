"""The weights format: `<name>.npz` (arrays only) + `<name>.json` (the model card).

The card holds the architecture (the layer specs), preprocessing constants, what the model was
trained on, its measured metrics, and the sha256 of the .npz, checked at load so a truncated or
altered file is caught with a clear message instead of a wrong answer.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from core.layers import LAYER_TYPES
from core.network import Network


def N_(message: str) -> str:
    """Marks a message for translation (Babel extracts it); the app translates it when shown."""
    return message


class WeightsError(Exception):
    """A weights file is missing, damaged or does not match its model card.

    str() is the English message; `template` and `fields` let the app show it in the user's language."""

    def __init__(self, template: str, **fields: Any) -> None:
        super().__init__(template.format(**fields) if fields else template)
        self.template, self.fields = template, fields


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save(network: Network, stem: str | Path, card: dict[str, Any] | None = None, dtype: str = "float32") -> dict[str, Any]:
    """Write `stem.npz` and `stem.json`. dtype="float16" halves the file (compute stays float32)."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"{layer.name}/{k}": v.astype(dtype) for layer in network.layers for k, v in layer.params.items()}
    npz = stem.with_suffix(".npz")
    np.savez_compressed(npz, **arrays)
    card = dict(card or {})
    card.update(architecture=network.spec(), parameters=network.n_params(), storage_dtype=dtype, npz_sha256=_sha256(npz))
    stem.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return card


def read_card(stem: str | Path) -> dict[str, Any]:
    """The model card `stem.json`, or a WeightsError naming the file."""
    path = Path(stem).with_suffix(".json")
    if not path.is_file():
        raise WeightsError(N_("model card {path} is missing"), path=path)
    try:
        card = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise WeightsError(N_("model card {path} is not valid JSON ({reason})"), path=path, reason=e) from None
    if not isinstance(card, dict) or "architecture" not in card or "npz_sha256" not in card:
        raise WeightsError(N_("model card {path} lacks 'architecture' or 'npz_sha256'"), path=path)
    return card


def load(stem: str | Path) -> tuple[Network, dict[str, Any]]:
    """(network, card) from `stem.npz` + `stem.json`, after checking the npz's sha256."""
    stem = Path(stem)
    card = read_card(stem)
    npz = stem.with_suffix(".npz")
    if not npz.is_file():
        raise WeightsError(N_("weights file {path} is missing"), path=npz)
    if _sha256(npz) != card["npz_sha256"]:
        raise WeightsError(N_("weights file {path} does not match its model card (sha256 differs): it is damaged or from another model"), path=npz)
    try:
        with np.load(npz, allow_pickle=False) as f:
            arrays = {k: f[k].astype(np.float32) for k in f.files}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise WeightsError(N_("weights file {path} cannot be read ({reason})"), path=npz, reason=e) from None
    arch = card["architecture"]
    layers = []
    for spec in arch["layers"]:
        spec = dict(spec)
        kind, name = spec.pop("type"), spec["name"]
        if kind not in LAYER_TYPES:
            raise WeightsError(N_("model card {path}: unknown layer type {kind}"), path=stem.with_suffix(".json"), kind=repr(kind))
        params = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.split("/", 1)[0] == name}
        try:
            layers.append(LAYER_TYPES[kind](**spec, **params))
        except TypeError as e:
            raise WeightsError(N_("{path}: layer {name} does not match its spec ({reason})"), path=npz, name=repr(name), reason=e) from None
    return Network(layers, arch.get("input", "input"), arch.get("input_shape")), card
