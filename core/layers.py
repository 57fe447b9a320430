"""Layers of the forward-propagation engine, in Keras' layout (NHWC; kernels (kh, kw, in, out)).

A layer is a callable with a `name`, the names of its `inputs`, its `params` (arrays) and a
`config` (plain values). Convolution is one matrix product over an im2col view of the input
(NumPy stride tricks, then BLAS), so there is no Python loop over pixels or frames.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from core import activations

COLS_BUDGET = 1 << 21  # floats of im2col columns per matrix product


class Layer:
    """Base: a named step of the network that maps its inputs to one output array."""

    kind = "Layer"

    def __init__(self, name: str, inputs: list[str] | None = None, **config: Any) -> None:
        self.name = name
        self.inputs = list(inputs or [])
        self.config = config
        self.params: dict[str, np.ndarray] = {}

    @property
    def activation(self) -> str:
        return self.config.get("activation") or "linear"

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def spec(self) -> dict[str, Any]:
        """What the model card stores for this layer (params go to the .npz)."""
        return {"name": self.name, "type": self.kind, "inputs": self.inputs, **self.config}

    def __call__(self, *xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _same_padding(n: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: output ceil(n / stride); the odd pixel goes after."""
    eff = (k - 1) * dilation + 1
    total = max((math.ceil(n / stride) - 1) * stride + eff - n, 0)
    return total // 2, total - total // 2


def _windows(x: np.ndarray, k: tuple[int, int], s: tuple[int, int], d: tuple[int, int], padding: str, fill: float = 0.0) -> np.ndarray:
    """A read-only view (N, Ho, Wo, kh, kw, C) of every kernel window of NHWC `x`."""
    n, h, w, c = x.shape
    if padding == "same":
        ph, pw = _same_padding(h, k[0], s[0], d[0]), _same_padding(w, k[1], s[1], d[1])
        if any(ph + pw):
            x = np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=fill)
    elif padding == "causal":  # Conv1D only: all padding goes before, nothing sees the future
        x = np.pad(x, ((0, 0), (0, 0), ((k[1] - 1) * d[1], 0), (0, 0)))
    elif padding != "valid":
        raise ValueError(f"unknown padding {padding!r}")
    ho = (x.shape[1] - ((k[0] - 1) * d[0] + 1)) // s[0] + 1
    wo = (x.shape[2] - ((k[1] - 1) * d[1] + 1)) // s[1] + 1
    if ho <= 0 or wo <= 0:
        raise ValueError(f"input {h}x{w} is smaller than the {k[0]}x{k[1]} window")
    st = x.strides
    return as_strided(x, (n, ho, wo, k[0], k[1], c), (st[0], st[1] * s[0], st[2] * s[1], st[1] * d[0], st[2] * d[1], st[3]), writeable=False)


def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, strides=(1, 1), dilation=(1, 1), padding="valid") -> np.ndarray:
    """2-D convolution (cross-correlation, as Keras) of NHWC `x` with kernel (kh, kw, in, out)."""
    kh, kw, cin, cout = kernel.shape
    if x.shape[-1] != cin:
        raise ValueError(f"expected {cin} input channels, got {x.shape[-1]}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    k2d = kernel.reshape(kh * kw * cin, cout)
    if kh == kw == 1 and tuple(strides) == (1, 1):
        out = x.reshape(-1, cin) @ k2d
        n, ho, wo = x.shape[:3]
    else:
        win = _windows(x, (kh, kw), tuple(strides), tuple(dilation), padding)
        n, ho, wo = win.shape[:3]
        out = np.empty((n, ho, wo, cout), np.float32)
        # im2col one band of output rows at a time: each band's columns (about 8 MB) stay in
        # cache for the matrix product instead of one huge copy going through memory.
        band = max(1, COLS_BUDGET // (wo * kh * kw * cin))
        for b in range(n):
            for i in range(0, ho, band):
                cols = win[b, i : i + band].reshape(-1, kh * kw * cin)
                np.matmul(cols, k2d, out=out[b, i : i + band].reshape(-1, cout))
    if bias is not None:
        out += bias
    return out.reshape(n, ho, wo, cout)


class Dense(Layer):
    """Every output neuron: a = f(sum_i x_i w_ij + b_j). Kernel (in, out)."""

    kind = "Dense"

    def __init__(self, name, kernel, bias=None, activation="linear", inputs=None):
        super().__init__(name, inputs, activation=activation)
        self.params = {"kernel": kernel} | ({} if bias is None else {"bias": bias})

    def weighted_sum(self, x: np.ndarray) -> np.ndarray:
        """z = x W + b, before the activation (the Neuron explorer shows it)."""
        z = np.asarray(x, np.float32) @ self.params["kernel"]
        if "bias" in self.params:
            z += self.params["bias"]
        return z

    def __call__(self, x):
        return activations.get(self.activation)(self.weighted_sum(x))


class Conv2D(Layer):
    """A Dense layer slid over every position of an image: each window of kh x kw x in values
    is one weighted sum per output channel."""

    kind = "Conv2D"

    def __init__(self, name, kernel, bias=None, strides=(1, 1), dilation=(1, 1), padding="valid", activation="linear", inputs=None):
        super().__init__(name, inputs, strides=list(strides), dilation=list(dilation), padding=padding, activation=activation)
        self.params = {"kernel": kernel} | ({} if bias is None else {"bias": bias})

    def __call__(self, x):
        c = self.config
        z = conv2d(x, self.params["kernel"], self.params.get("bias"), c["strides"], c["dilation"], c["padding"])
        return activations.get(self.activation)(z)


def depthwise_conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, strides=(1, 1), padding="valid") -> np.ndarray:
    """Each channel convolved with its own kh x kw filter, kernel (kh, kw, C, 1) as Keras.
    One multiply-add of a strided view per kernel tap: kh*kw vector operations, no im2col copy."""
    kh, kw, c, m = kernel.shape
    if m != 1 or x.shape[-1] != c:
        raise ValueError(f"expected {c} input channels and a depth multiplier of 1")
    win = _windows(np.asarray(x, np.float32), (kh, kw), tuple(strides), (1, 1), padding)
    out = np.zeros(win.shape[:3] + (c,), np.float32)
    for i in range(kh):
        for j in range(kw):
            out += win[:, :, :, i, j] * kernel[i, j, :, 0]
    if bias is not None:
        out += bias
    return out


class DepthwiseConv2D(Layer):
    """A separate small filter for each channel: each output channel is a weighted sum of one
    input channel's kh x kw window (no mixing across channels; a 1x1 Conv2D does that after it)."""

    kind = "DepthwiseConv2D"

    def __init__(self, name, kernel, bias=None, strides=(1, 1), padding="valid", activation="linear", inputs=None):
        super().__init__(name, inputs, strides=list(strides), padding=padding, activation=activation)
        self.params = {"kernel": kernel} | ({} if bias is None else {"bias": bias})

    def __call__(self, x):
        c = self.config
        return activations.get(self.activation)(depthwise_conv2d(x, self.params["kernel"], self.params.get("bias"), c["strides"], c["padding"]))


class Conv1D(Layer):
    """Convolution over time: input (N, T, C), kernel (k, in, out). Runs as a 1-row Conv2D."""

    kind = "Conv1D"

    def __init__(self, name, kernel, bias=None, strides=1, dilation=1, padding="valid", activation="linear", inputs=None):
        super().__init__(name, inputs, strides=int(strides), dilation=int(dilation), padding=padding, activation=activation)
        self.params = {"kernel": kernel} | ({} if bias is None else {"bias": bias})

    def __call__(self, x):
        c = self.config
        z = conv2d(x[:, None], self.params["kernel"][None], self.params.get("bias"), (1, c["strides"]), (1, c["dilation"]), c["padding"])
        return activations.get(self.activation)(z[:, 0])


class Pool2D(Layer):
    """Max or average over each pool window (TF semantics: 'same' average ignores padding)."""

    kind = "Pool2D"

    def __init__(self, name, mode="max", pool=(2, 2), strides=None, padding="valid", inputs=None):
        super().__init__(name, inputs, mode=mode, pool=list(pool), strides=list(strides or pool), padding=padding)

    def __call__(self, x):
        c = self.config
        k, s = tuple(c["pool"]), tuple(c["strides"])
        if c["mode"] == "max":
            return _windows(np.asarray(x, np.float32), k, s, (1, 1), c["padding"], fill=-np.inf).max(axis=(3, 4))
        total = _windows(np.asarray(x, np.float32), k, s, (1, 1), c["padding"]).sum(axis=(3, 4))
        count = _windows(np.ones((1, *x.shape[1:3], 1), np.float32), k, s, (1, 1), c["padding"]).sum(axis=(3, 4))
        return total / count


class Pool1D(Pool2D):
    """Pooling over time: (N, T, C)."""

    kind = "Pool1D"

    def __init__(self, name, mode="max", pool=2, strides=None, padding="valid", inputs=None):
        Layer.__init__(self, name, inputs, mode=mode, pool=int(pool), strides=int(strides or pool), padding=padding)

    def __call__(self, x):
        c = self.config
        as2d = Pool2D(self.name, c["mode"], (1, c["pool"]), (1, c["strides"]), c["padding"])
        return as2d(x[:, None])[:, 0]


class GlobalAveragePool(Layer):
    """The mean over all positions (every axis between batch and channels)."""

    kind = "GlobalAveragePool"

    def __init__(self, name, keepdims=False, inputs=None):
        super().__init__(name, inputs, keepdims=bool(keepdims))

    def __call__(self, x):
        return np.asarray(x, np.float32).mean(axis=tuple(range(1, x.ndim - 1)), keepdims=self.config["keepdims"])


class UpSampling(Layer):
    """Nearest-neighbour upsampling: each value repeated `size` times along each spatial axis."""

    kind = "UpSampling"

    def __init__(self, name, size=(2, 2), inputs=None):
        super().__init__(name, inputs, size=list(size))

    def __call__(self, x):
        for axis, s in enumerate(self.config["size"], start=1):
            x = np.repeat(x, s, axis=axis)
        return x


class Activation(Layer):
    """f applied element-wise (or over the last axis, for softmax)."""

    kind = "Activation"

    def __init__(self, name, activation="relu", inputs=None):
        super().__init__(name, inputs, activation=activation)

    def __call__(self, x):
        return activations.get(self.activation)(np.array(x, np.float32))


class BatchNorm(Layer):
    """Inference-time batch normalisation, y = x * scale + shift per channel. Used only where it
    cannot be folded into the layer before it (a non-linearity stands between them)."""

    kind = "BatchNorm"

    def __init__(self, name, scale, shift, inputs=None):
        super().__init__(name, inputs)
        self.params = {"scale": scale, "shift": shift}

    def __call__(self, x):
        return x * self.params["scale"] + self.params["shift"]


class LayerNorm(Layer):
    """Normalise each position over its channels, then scale and shift: y = (x - mean) / sqrt(var + eps) * gamma + beta.
    Unlike BatchNorm it uses no statistics of the training batches, so it behaves the same on any input length."""

    kind = "LayerNorm"

    def __init__(self, name, gamma, beta, epsilon=1e-3, inputs=None):
        super().__init__(name, inputs, epsilon=float(epsilon))
        self.params = {"gamma": gamma, "beta": beta}

    def __call__(self, x):
        mean = x.mean(axis=-1, keepdims=True)
        var = np.square(x - mean).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.config["epsilon"]) * self.params["gamma"] + self.params["beta"]


class Add(Layer):
    """Element-wise sum of the inputs (NumPy broadcasting, e.g. a global feature at every pixel)."""

    kind = "Add"

    def __call__(self, *xs):
        out = np.array(xs[0], np.float32)
        for x in xs[1:]:
            out = out + x
        return out


class Concatenate(Layer):
    """Inputs side by side along the channel axis."""

    kind = "Concatenate"

    def __init__(self, name, axis=-1, inputs=None):
        super().__init__(name, inputs, axis=int(axis))

    def __call__(self, *xs):
        return np.concatenate(xs, axis=self.config["axis"])


class Flatten(Layer):
    """Everything but the batch axis in one vector (row-major, as Keras)."""

    kind = "Flatten"

    def __call__(self, x):
        return x.reshape(len(x), -1)


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.kind: cls
    for cls in (Dense, Conv2D, DepthwiseConv2D, Conv1D, Pool2D, Pool1D, GlobalAveragePool, UpSampling, Activation, BatchNorm, LayerNorm, Add, Concatenate, Flatten)
}
