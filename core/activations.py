"""Activation functions: what a neuron does with its weighted sum z.

Each works in place on float32 arrays where it can, because the engine owns its buffers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def linear(z: np.ndarray) -> np.ndarray:
    """a = z (no non-linearity: stacked linear layers collapse into one)."""
    return z


def relu(z: np.ndarray) -> np.ndarray:
    """a = max(0, z)."""
    return np.maximum(z, 0, out=z)


def relu6(z: np.ndarray) -> np.ndarray:
    """a = min(max(0, z), 6): ReLU capped at 6 (MobileNet and EfficientNet-Lite use it)."""
    return np.clip(z, 0, 6, out=z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """a = 1 / (1 + e^-z), squashes z into (0, 1). Written to never overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def tanh(z: np.ndarray) -> np.ndarray:
    """a = tanh(z), squashes z into (-1, 1)."""
    return np.tanh(z, out=z)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """a_i = e^z_i / sum_j e^z_j over the last axis: a probability distribution."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": linear,
    "relu": relu,
    "relu6": relu6,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
}


def get(name: str | None) -> Callable[[np.ndarray], np.ndarray]:
    """The activation called `name` (None means linear)."""
    try:
        return ACTIVATIONS[name or "linear"]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None
