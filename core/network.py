"""A network: layers in order, each fed by earlier ones, with forward propagation and a trace."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.layers import Layer


class Network:
    """Layers in topological order. `inputs` of a layer name earlier layers or the input;
    an empty `inputs` means "the layer just before"."""

    def __init__(self, layers: list[Layer], input_name: str = "input", input_shape: list[int | None] | None = None) -> None:
        self.input_name = input_name
        self.input_shape = input_shape  # without the batch axis; None for a free size
        self.layers = layers
        prev = input_name
        seen = {input_name}
        for layer in layers:
            layer.inputs = layer.inputs or [prev]
            missing = [n for n in layer.inputs if n not in seen]
            if missing:
                raise ValueError(f"layer {layer.name!r} reads {missing}, which come later or do not exist")
            seen.add(layer.name)
            prev = layer.name
        # Where each value is read for the last time, so forward() can drop it early.
        self._last_use = {n: i for i, layer in enumerate(layers) for n in layer.inputs}

    def forward(self, x: np.ndarray, trace: bool = False) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
        """Propagate `x` (batch first) through every layer. With trace=True, also return each
        layer's activation by name, in order (the input first)."""
        values: dict[str, np.ndarray] = {self.input_name: np.asarray(x, dtype=np.float32)}
        acts: dict[str, np.ndarray] = dict(values) if trace else {}
        for i, layer in enumerate(self.layers):
            out = layer(*(values[n] for n in layer.inputs))
            if trace:
                acts[layer.name] = out
            values[layer.name] = out
            if not trace:
                for n in layer.inputs:
                    if self._last_use.get(n) == i:
                        del values[n]
        out = values[self.layers[-1].name]
        return (out, acts) if trace else out

    __call__ = forward

    def n_params(self) -> int:
        return sum(layer.n_params() for layer in self.layers)

    def summary(self, x: np.ndarray) -> list[dict[str, Any]]:
        """One row per layer for `x`: name, type, output shape, parameters, activation."""
        _, acts = self.forward(x, trace=True)
        return [
            {
                "layer": layer.name,
                "type": layer.kind,
                "output shape": str(tuple(acts[layer.name].shape[1:])),
                "parameters": layer.n_params(),
                "activation": layer.config.get("activation", ""),
            }
            for layer in self.layers
        ]

    def spec(self) -> dict[str, Any]:
        return {"input": self.input_name, "input_shape": self.input_shape, "layers": [layer.spec() for layer in self.layers]}
