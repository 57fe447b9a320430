"""The Neuron explorer's pipeline: one neuron, and a small trained network computed by core/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core import activations, weights
from core.layers import Dense
from core.network import Network

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "weights"
WEIGHTS = WEIGHTS_DIR / "neuron_xor"
CHOICES = ("sigmoid", "relu", "tanh")


def neuron(x: list[float], w: list[float], b: float, activation: str) -> tuple[float, float]:
    """One neuron: z = sum_i w_i x_i + b, then a = f(z). Returns (z, a)."""
    layer = Dense("neuron", np.array(w, np.float32)[:, None], np.array([b], np.float32), activation)
    z = layer.weighted_sum(np.array([x], np.float32))
    return float(z[0, 0]), float(activations.get(activation)(z.copy())[0, 0])


@lru_cache(maxsize=1)
def xor_network() -> Network:
    """The 2-3-1 network trained on XOR by training/train_xor.py."""
    return weights.load(WEIGHTS)[0]


@dataclass
class LayerStep:
    """One layer of forward propagation: its input, weights, weighted sums and activations."""

    name: str
    activation: str
    inputs: np.ndarray  # (n_in,)
    kernel: np.ndarray  # (n_in, n_out)
    bias: np.ndarray  # (n_out,)
    z: np.ndarray  # (n_out,)
    a: np.ndarray  # (n_out,)


def with_hidden_activation(net: Network, activation: str) -> Network:
    """The same weights with another activation on the hidden layer (output layer unchanged)."""
    hidden, out = net.layers
    swapped = Dense(hidden.name, hidden.params["kernel"], hidden.params["bias"], activation)
    return Network([swapped, out], net.input_name)


def forward_steps(net: Network, x1: float, x2: float) -> list[LayerStep]:
    """Forward propagation of one input, layer by layer, every number kept for display."""
    x = np.array([[x1, x2]], np.float32)
    _, acts = net.forward(x, trace=True)
    steps, prev = [], x
    for layer in net.layers:
        assert isinstance(layer, Dense)
        z = layer.weighted_sum(prev)
        steps.append(LayerStep(layer.name, layer.activation, prev[0], layer.params["kernel"], layer.params["bias"], z[0], acts[layer.name][0]))
        prev = acts[layer.name]
    return steps


def output_surface(net: Network, n: int = 41) -> np.ndarray:
    """The network's output over an n x n grid of (x1, x2) in [0, 1]^2, as one batch."""
    g = np.linspace(0, 1, n, dtype=np.float32)
    x1, x2 = np.meshgrid(g, g)
    return net.forward(np.stack([x1.ravel(), x2.ravel()], 1)).reshape(n, n)
