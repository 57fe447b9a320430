"""Unit tests of core/ on its own: activations, shapes, the trace, and the weights format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core import activations, weights
from core.layers import Conv2D, Dense
from core.network import Network

WEIGHTS = Path(__file__).resolve().parents[1] / "weights"


def test_activations_by_hand():
    z = np.array([-2.0, 0.0, 3.0], np.float32)
    assert activations.relu(z.copy()).tolist() == [0.0, 0.0, 3.0]
    np.testing.assert_allclose(activations.sigmoid(z.copy()), 1 / (1 + np.exp(-z)), rtol=1e-6)
    np.testing.assert_allclose(activations.tanh(z.copy()), np.tanh(z), rtol=1e-6)
    s = activations.softmax(z.copy())
    assert s.sum() == pytest.approx(1.0) and s.argmax() == 2
    assert activations.sigmoid(np.array([-1000.0, 1000.0], np.float32)).tolist() == [0.0, 1.0]  # no overflow
    with pytest.raises(ValueError, match="unknown activation"):
        activations.get("swish")


def test_dense_is_a_weighted_sum():
    layer = Dense("d", np.array([[2.0], [-1.0]], np.float32), np.array([0.5], np.float32), "linear")
    assert layer(np.array([[3.0, 4.0]], np.float32))[0, 0] == pytest.approx(2 * 3 - 4 + 0.5)


def test_conv2d_by_hand():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    k = np.ones((3, 3, 1, 1), np.float32)
    out = Conv2D("c", k, padding="valid")(x)
    assert out.shape == (1, 2, 2, 1)
    assert out[0, 0, 0, 0] == x[0, :3, :3].sum()
    assert Conv2D("c", k, padding="same", strides=(2, 2))(x).shape == (1, 2, 2, 1)
    with pytest.raises(ValueError, match="input channels"):
        Conv2D("c", np.ones((3, 3, 2, 1), np.float32))(x)


def test_trace_returns_every_layer_in_order():
    net = Network([Dense("a", np.eye(2, dtype=np.float32), activation="relu"), Dense("b", np.ones((2, 1), np.float32))])
    out, acts = net.forward(np.array([[1.0, -1.0]], np.float32), trace=True)
    assert list(acts) == ["input", "a", "b"]
    assert acts["a"].tolist() == [[1.0, 0.0]] and out.tolist() == [[1.0]]
    assert [r["output shape"] for r in net.summary(np.zeros((1, 2), np.float32))] == ["(2,)", "(1,)"]


def test_network_rejects_unknown_inputs():
    with pytest.raises(ValueError, match="come later or do not exist"):
        Network([Dense("a", np.eye(2, dtype=np.float32), inputs=["nowhere"])])


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    for ext in (".npz", ".json"):
        shutil.copy(WEIGHTS / f"neuron_xor{ext}", tmp_path / f"neuron_xor{ext}")
    return tmp_path / "neuron_xor"


def test_weights_round_trip_float16(tmp_path: Path, copied: Path):
    net, card = weights.load(copied)
    weights.save(net, tmp_path / "half", card, dtype="float16")
    half, _ = weights.load(tmp_path / "half")
    x = np.random.default_rng(0).uniform(size=(5, 2)).astype(np.float32)
    np.testing.assert_allclose(half.forward(x), net.forward(x), atol=2e-3)
    assert half.forward(x).dtype == np.float32


def test_missing_files_are_named(copied: Path):
    copied.with_suffix(".npz").unlink()
    with pytest.raises(weights.WeightsError, match=r"neuron_xor\.npz is missing"):
        weights.load(copied)
    copied.with_suffix(".json").unlink()
    with pytest.raises(weights.WeightsError, match=r"neuron_xor\.json is missing"):
        weights.load(copied)


def test_truncated_npz_is_caught(copied: Path):
    npz = copied.with_suffix(".npz")
    npz.write_bytes(npz.read_bytes()[:100])
    with pytest.raises(weights.WeightsError, match="sha256 differs"):
        weights.load(copied)


def test_altered_npz_is_caught(copied: Path):
    npz = copied.with_suffix(".npz")
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(weights.WeightsError, match="sha256 differs"):
        weights.load(copied)


def test_bad_card_is_caught(copied: Path):
    copied.with_suffix(".json").write_text("{not json")
    with pytest.raises(weights.WeightsError, match="not valid JSON"):
        weights.load(copied)
    copied.with_suffix(".json").write_text(json.dumps({"architecture": {}}))
    with pytest.raises(weights.WeightsError, match="lacks"):
        weights.load(copied)
