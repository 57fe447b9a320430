"""Keras model -> our weights format (weights/<name>.npz + .json), BatchNorm folded.

Handles Sequential and single-input, single-output Functional models made of the layer types
`core/` knows. A BatchNormalization right after a linear Dense/Conv is folded into that layer's
kernel and bias; elsewhere it becomes a per-channel scale-and-shift layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core import layers as L
from core import weights
from core.network import Network

NO_OPS = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "InputLayer"}


def _history_names(obj: Any) -> list[str]:
    """Names of the layers whose outputs a Keras 3 config 'inbound_nodes' entry refers to."""
    if isinstance(obj, dict):
        if "keras_history" in obj.get("config", {}):
            return [obj["config"]["keras_history"][0]]
        return [n for v in obj.values() for n in _history_names(v)]
    if isinstance(obj, list | tuple):
        return [n for v in obj for n in _history_names(v)]
    return []


def _graph(model) -> tuple[str, list[tuple[Any, list[str]]]]:
    """(input name, [(keras layer, input names)]) in topological order."""
    cfg = model.get_config()
    if "layers" in cfg and all("inbound_nodes" in c for c in cfg["layers"]):  # Functional
        inputs = [c["config"]["name"] for c in cfg["layers"] if c["class_name"] == "InputLayer"]
        if len(inputs) != 1 or len(model.outputs) != 1:
            raise ValueError("only single-input, single-output models can be exported")
        by_name = {layer.name: layer for layer in model.layers}
        order = []
        for c in cfg["layers"]:
            if c["class_name"] == "InputLayer":
                continue
            if len(c["inbound_nodes"]) != 1:
                raise ValueError(f"layer {c['name']} is used more than once; shared layers are not supported")
            order.append((by_name[c["name"]], _history_names(c["inbound_nodes"][0])))
        return inputs[0], order
    order, prev = [], "input"  # Sequential: a chain
    for layer in model.layers:
        order.append((layer, [prev]))
        prev = layer.name
    return "input", order


def _act(layer) -> str:
    act = layer.get_config().get("activation", "linear")
    return act if isinstance(act, str) else act.get("config", {}).get("name", "linear")


def _convert(layer, inputs: list[str]) -> L.Layer:
    """One Keras layer as a core layer (weights copied as float32)."""
    kind, cfg = type(layer).__name__, layer.get_config()
    w = [np.asarray(v, np.float32) for v in layer.get_weights()]
    bias = w[1] if len(w) > 1 else None
    if kind == "Dense":
        return L.Dense(layer.name, w[0], bias, _act(layer), inputs)
    if kind == "Conv2D":
        if cfg.get("groups", 1) != 1:
            raise ValueError(f"{layer.name}: grouped convolution is not supported")
        return L.Conv2D(layer.name, w[0], bias, cfg["strides"], cfg["dilation_rate"], cfg["padding"], _act(layer), inputs)
    if kind == "DepthwiseConv2D":
        if cfg.get("depth_multiplier", 1) != 1 or tuple(cfg["dilation_rate"]) != (1, 1):
            raise ValueError(f"{layer.name}: only depth multiplier 1 without dilation is supported")
        return L.DepthwiseConv2D(layer.name, w[0], bias, cfg["strides"], cfg["padding"], _act(layer), inputs)
    if kind == "Conv1D":
        return L.Conv1D(layer.name, w[0], bias, cfg["strides"][0], cfg["dilation_rate"][0], cfg["padding"], _act(layer), inputs)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return L.Pool2D(layer.name, kind[:3].lower(), cfg["pool_size"], cfg["strides"], cfg["padding"], inputs)
    if kind in ("MaxPooling1D", "AveragePooling1D"):
        return L.Pool1D(layer.name, kind[:3].lower(), cfg["pool_size"][0], cfg["strides"][0], cfg["padding"], inputs)
    if kind in ("GlobalAveragePooling2D", "GlobalAveragePooling1D"):
        return L.GlobalAveragePool(layer.name, cfg.get("keepdims", False), inputs)
    if kind in ("UpSampling2D", "UpSampling1D"):
        if cfg.get("interpolation", "nearest") != "nearest":
            raise ValueError(f"{layer.name}: only nearest upsampling is supported")
        size = cfg["size"]
        return L.UpSampling(layer.name, [size] if isinstance(size, int) else size, inputs)
    if kind == "Activation":
        return L.Activation(layer.name, _act(layer), inputs)
    if kind == "ReLU" and cfg.get("max_value") == 6 and not cfg.get("negative_slope") and not cfg.get("threshold"):
        return L.Activation(layer.name, "relu6", inputs)
    if kind == "ReLU" and not cfg.get("max_value") and not cfg.get("negative_slope") and not cfg.get("threshold"):
        return L.Activation(layer.name, "relu", inputs)
    if kind == "Softmax":
        return L.Activation(layer.name, "softmax", inputs)
    if kind == "BatchNormalization":
        gamma, beta, mean, var = (w if cfg["scale"] and cfg["center"] else _bn_full(layer, w))
        scale = gamma / np.sqrt(var + cfg["epsilon"])
        return L.BatchNorm(layer.name, scale.astype(np.float32), (beta - mean * scale).astype(np.float32), inputs)
    if kind == "LayerNormalization":
        axis = cfg["axis"] if isinstance(cfg["axis"], int) else cfg["axis"][0]
        if axis not in (-1, len(layer.input.shape) - 1) or not (cfg["scale"] and cfg["center"]):
            raise ValueError(f"{layer.name}: only LayerNormalization over the last axis, with scale and centre, is supported")
        return L.LayerNorm(layer.name, w[0], w[1], cfg["epsilon"], inputs)
    if kind == "Add":
        return L.Add(layer.name, inputs)
    if kind == "Concatenate":
        return L.Concatenate(layer.name, cfg["axis"], inputs)
    if kind == "Flatten":
        return L.Flatten(layer.name, inputs)
    raise ValueError(f"layer {layer.name} ({kind}) has no counterpart in core/")


def _bn_full(layer, w: list[np.ndarray]) -> list[np.ndarray]:
    """BatchNormalization weights with gamma/beta filled in where the layer has none."""
    cfg, it = layer.get_config(), iter(w)
    gamma = next(it) if cfg["scale"] else None
    beta = next(it) if cfg["center"] else None
    mean, var = next(it), next(it)
    return [np.ones_like(mean) if gamma is None else gamma, np.zeros_like(mean) if beta is None else beta, mean, var]


def to_network(model) -> Network:
    """The Keras model as a core Network, BatchNorm folded where it can be."""
    input_name, order = _graph(model)
    rename: dict[str, str] = {}  # skipped or folded layer -> the layer that now stands for it
    readers: dict[str, int] = {}
    for _, ins in order:
        for n in ins:
            readers[n] = readers.get(n, 0) + 1
    out: list[L.Layer] = []
    for layer, ins in order:
        ins = [rename.get(n, n) for n in ins]
        kind = type(layer).__name__
        if kind in NO_OPS:
            rename[layer.name] = ins[0]
            continue
        new = _convert(layer, ins)
        prev = next((p for p in out if p.name == ins[0]), None)
        if (
            isinstance(new, L.BatchNorm)
            and isinstance(prev, L.Dense | L.Conv2D | L.DepthwiseConv2D | L.Conv1D)
            and prev.activation == "linear"
            and readers.get(ins[0], 0) == 1
            and layer.get_config()["axis"] in (-1, len(layer.input.shape) - 1)
        ):
            # Fold: (x*W + b)*s + t = x*(W*s) + (b*s + t)
            s, t = new.params["scale"], new.params["shift"]
            ks = s[:, None] if isinstance(prev, L.DepthwiseConv2D) else s  # depthwise kernels: (kh, kw, C, 1)
            prev.params["kernel"] = (prev.params["kernel"] * ks).astype(np.float32)
            prev.params["bias"] = (prev.params.get("bias", 0) * s + t).astype(np.float32)
            rename[layer.name] = prev.name
            continue
        out.append(new)
    shape = list(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    return Network(out, input_name, shape)


def export(model, stem: str | Path, card: dict[str, Any] | None = None, dtype: str = "float32") -> dict[str, Any]:
    """Convert and write `stem.npz` + `stem.json`; returns the card."""
    return weights.save(to_network(model), stem, card, dtype)


def load_into_keras(model, stem: str | Path, skip_prefix: str | None = None) -> None:
    """Copy exported weights back into a Keras model of the same architecture (no folded BN),
    so training can restart from the committed weights. Layers named `skip_prefix`... are left
    as they are (the colorizer's ImageNet encoder: its BatchNorm was folded at export)."""
    net, _ = weights.load(stem)
    by_name = {layer.name: layer for layer in net.layers}
    for layer in model.layers:
        if skip_prefix and layer.name.startswith(skip_prefix):
            continue
        if layer.name in by_name and layer.get_weights():
            p = by_name[layer.name].params
            if "gamma" in p:
                layer.set_weights([p["gamma"], p["beta"]])
            else:
                layer.set_weights([p["kernel"], p["bias"]] if "bias" in p else [p["kernel"]])


def keras_of(net: Network):
    """The core network as a Keras model with the very same (folded) weights: what benchmarks
    compare core against. Covers the image layers the colorizers use."""
    import keras
    from keras import layers

    t = {net.input_name: keras.Input(tuple(net.input_shape or (None, None, 1)), name=net.input_name)}
    for ly in net.layers:
        c, p, xs = ly.config, ly.params, [t[n] for n in ly.inputs]
        act = c.get("activation", "linear")
        if ly.kind == "Conv2D":
            k = layers.Conv2D(p["kernel"].shape[-1], p["kernel"].shape[:2], strides=c["strides"], dilation_rate=c["dilation"],
                              padding=c["padding"], activation=act, use_bias="bias" in p, name=ly.name)
        elif ly.kind == "DepthwiseConv2D":
            k = layers.DepthwiseConv2D(p["kernel"].shape[:2], strides=c["strides"], padding=c["padding"], activation=act,
                                       use_bias="bias" in p, name=ly.name)
        elif ly.kind == "Activation":
            k = layers.Activation(act, name=ly.name)
        elif ly.kind == "Add":
            k = layers.Add(name=ly.name)
        elif ly.kind == "Concatenate":
            k = layers.Concatenate(axis=c["axis"], name=ly.name)
        elif ly.kind == "UpSampling":
            k = layers.UpSampling2D(c["size"], name=ly.name)
        elif ly.kind == "GlobalAveragePool":
            k = layers.GlobalAveragePooling2D(keepdims=c["keepdims"], name=ly.name)
        else:
            raise ValueError(f"layer {ly.name} ({ly.kind}) has no Keras counterpart here")
        t[ly.name] = k(xs if len(xs) > 1 else xs[0])
        if p:
            k.set_weights([p["kernel"], p["bias"]] if "bias" in p else [p["kernel"]])
    return keras.Model(t[net.input_name], t[net.layers[-1].name])
