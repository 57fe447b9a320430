"""core/ against Keras: every layer type and random multi-layer models, max |error| <= 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="parity tests need the test extras (TensorFlow)")
from keras import layers  # noqa: E402

from training.export import to_network  # noqa: E402

TOL = 1e-5


def check(model, x: np.ndarray) -> None:
    want = np.asarray(model(x, training=False))
    got = to_network(model).forward(x)
    assert got.shape == want.shape
    err = np.abs(got - want).max()
    assert err <= TOL * max(1.0, np.abs(want).max()), f"max |core - keras| = {err}"


def randomize_bn(model, rng) -> None:
    """Give every BatchNormalization non-trivial statistics, so folding is really tested."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if i != 1 else rng.normal(0, 0.3, w.shape).astype("float32") for i, w in enumerate(layer.get_weights())])
            g, b, m, v = layer.get_weights()
            layer.set_weights([g, b, rng.normal(0, 0.5, m.shape).astype("float32"), rng.uniform(0.5, 2.0, v.shape).astype("float32")])
        if isinstance(layer, layers.LayerNormalization):
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if i == 0 else rng.normal(0, 0.3, w.shape).astype("float32") for i, w in enumerate(layer.get_weights())])


IMG = (1, 13, 11, 3)
SEQ = (1, 23, 5)

CASES = {
    "dense_sigmoid": ((7,), [layers.Dense(5, activation="sigmoid")]),
    "dense_tanh_softmax": ((7,), [layers.Dense(6, activation="tanh"), layers.Dense(4, activation="softmax")]),
    "conv2d_same": (IMG[1:], [layers.Conv2D(4, 3, padding="same", activation="relu")]),
    "conv2d_valid_stride2": (IMG[1:], [layers.Conv2D(4, 3, strides=2, padding="valid")]),
    "conv2d_same_stride2_even_kernel": (IMG[1:], [layers.Conv2D(4, 4, strides=2, padding="same")]),
    "conv2d_dilation2": (IMG[1:], [layers.Conv2D(4, 3, dilation_rate=2, padding="same", activation="tanh")]),
    "conv2d_1x1": (IMG[1:], [layers.Conv2D(6, 1)]),
    "conv2d_no_bias": (IMG[1:], [layers.Conv2D(4, (3, 5), use_bias=False, padding="same")]),
    "depthwise_same": (IMG[1:], [layers.DepthwiseConv2D(3, padding="same", activation="relu6")]),
    "depthwise_5x5_stride2_bn_relu6": (IMG[1:], [layers.DepthwiseConv2D(5, strides=2, padding="same", use_bias=False),
                                                 layers.BatchNormalization(), layers.ReLU(max_value=6)]),
    "depthwise_valid": (IMG[1:], [layers.DepthwiseConv2D((3, 5), padding="valid")]),
    "conv1d_same": (SEQ[1:], [layers.Conv1D(8, 5, padding="same", activation="relu")]),
    "conv1d_stride2_valid": (SEQ[1:], [layers.Conv1D(8, 3, strides=2)]),
    "conv1d_dilation_causal": (SEQ[1:], [layers.Conv1D(8, 3, dilation_rate=2, padding="causal")]),
    "maxpool2d": (IMG[1:], [layers.MaxPooling2D(2)]),
    "maxpool2d_same_3s2": (IMG[1:], [layers.MaxPooling2D(3, strides=2, padding="same")]),
    "avgpool2d_same": (IMG[1:], [layers.AveragePooling2D(3, strides=2, padding="same")]),
    "pool1d": (SEQ[1:], [layers.MaxPooling1D(2), layers.AveragePooling1D(3, padding="same")]),
    "upsampling2d": (IMG[1:], [layers.UpSampling2D((2, 3))]),
    "upsampling1d": (SEQ[1:], [layers.UpSampling1D(2)]),
    "global_avg": (IMG[1:], [layers.GlobalAveragePooling2D()]),
    "activations": ((9,), [layers.Activation("sigmoid"), layers.Activation("tanh"), layers.ReLU(), layers.Softmax()]),
    "flatten_dense": (IMG[1:], [layers.Flatten(), layers.Dense(3)]),
    "bn_folded_conv": (IMG[1:], [layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu")]),
    "bn_folded_dense": ((7,), [layers.Dense(5), layers.BatchNormalization(), layers.Activation("sigmoid")]),
    "bn_after_relu": (IMG[1:], [layers.Conv2D(4, 3, activation="relu"), layers.BatchNormalization()]),
    "bn_after_conv1d": (SEQ[1:], [layers.Conv1D(6, 3, padding="same"), layers.BatchNormalization(), layers.ReLU()]),
    "layernorm_conv1d": (SEQ[1:], [layers.Conv1D(6, 3, padding="same"), layers.LayerNormalization(), layers.ReLU()]),
    "dropout_is_skipped": ((7,), [layers.Dense(5), layers.Dropout(0.5), layers.Dense(2)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layer_parity(name: str) -> None:
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    shape, stack = CASES[name]
    model = keras.Sequential([keras.Input(shape), *stack])
    randomize_bn(model, rng)
    for batch in (1, 3):
        check(model, rng.normal(size=(batch, *shape)).astype("float32"))


def test_bn_is_folded() -> None:
    model = keras.Sequential([keras.Input(IMG[1:]), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.ReLU()])
    kinds = [layer.kind for layer in to_network(model).layers]
    assert kinds == ["Conv2D", "Activation"]


def random_image_model(rng: np.random.Generator) -> keras.Model:
    """A random functional conv model: stride 2, dilation 2, BN, a skip (add or concat), pooling."""
    inp = keras.Input((None, None, 3))
    x = layers.Conv2D(int(rng.integers(3, 9)), 3, strides=2, padding="same")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Activation(str(rng.choice(["relu", "sigmoid", "tanh"])))(x)
    y = layers.Conv2D(x.shape[-1], 3, dilation_rate=2, padding="same", activation="relu")(x)
    x = layers.Add()([x, y]) if rng.random() < 0.5 else layers.Concatenate()([x, y])
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(5, int(rng.choice([1, 3])), padding="same")(x)
    g = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Add()([x, g])
    return keras.Model(inp, layers.Softmax()(x))


@pytest.mark.parametrize("seed", range(4))
def test_random_image_models(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = random_image_model(rng)
    randomize_bn(model, rng)
    h, w = (int(v) for v in rng.integers(9, 31, 2))  # odd and even sizes
    for batch in (1, 8):
        check(model, rng.normal(size=(batch, h, w, 3)).astype("float32"))


@pytest.mark.parametrize("seed", range(3))
def test_random_audio_models(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    model = keras.Sequential([
        keras.Input((None, 13)),
        layers.Conv1D(int(rng.integers(8, 17)), 5, strides=2, padding="same"),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Conv1D(12, 3, dilation_rate=2, padding="same", activation="relu"),
        layers.Conv1D(29, 1),
        layers.Softmax(),
    ])
    randomize_bn(model, rng)
    for batch in (1, 8):
        check(model, rng.normal(size=(batch, int(rng.integers(31, 101)), 13)).astype("float32"))


@pytest.mark.parametrize("seed", range(3))
def test_random_dense_models(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    sizes = rng.integers(1, 20, 4)
    model = keras.Sequential([keras.Input((int(sizes[0]),))] + [layers.Dense(int(n), activation=str(rng.choice(["relu", "sigmoid", "tanh"]))) for n in sizes[1:]])
    for batch in (1, 8):
        check(model, rng.normal(size=(batch, int(sizes[0]))).astype("float32"))


@pytest.mark.parametrize("variant", ["lite0", "lite2"])
def test_colorizer_with_efficientnet_lite_encoder(variant: str) -> None:
    """The whole EfficientNet-Lite-encoder colorizer (training/train_colorize.py: depthwise convolutions,
    BatchNorm folded into them, ReLU6, residual adds, the U-Net decoder) through core, at random
    weights; and only the decoder is trainable."""
    from training.train_colorize import build_lite_model

    rng = np.random.default_rng(7)
    model = build_lite_model(12, variant=variant)
    randomize_bn(model, rng)
    assert {w.path.split("/")[0] for w in model.trainable_weights} == {"dec32", "global_fc", "dec16", "dec8", "dec4", "ab_logits"}
    net = to_network(model)
    assert "BatchNorm" not in {layer.kind for layer in net.layers}  # every BatchNorm folded
    x = rng.normal(size=(1, 64, 96, 1)).astype("float32")
    want = np.asarray(model(x, training=False))
    got = net.forward(x)
    assert got.shape == want.shape == (1, 16, 24, 12)
    assert np.abs(got - want).max() <= 1e-4 * max(1.0, np.abs(want).max())


def test_keras_of_rebuilds_the_exported_network() -> None:
    """training.export.keras_of (what bench/colorize_speed.py runs Keras on) computes what core computes."""
    from training.export import keras_of
    from training.train_colorize import build_lite_model

    rng = np.random.default_rng(8)
    model = build_lite_model(6)
    randomize_bn(model, rng)
    net = to_network(model)
    x = rng.normal(size=(1, 64, 64, 1)).astype("float32")
    want = net.forward(x)
    got = np.asarray(keras_of(net)(x, training=False))
    assert np.abs(got - want).max() <= 1e-4 * max(1.0, np.abs(want).max())


def test_lite_decoder_restarts_from_exported_weights(tmp_path) -> None:
    """train_colorize --encoder lite0 --init-from-weights: the committed decoder goes back into Keras
    (load_into_keras skipping the enc layers, whose BatchNorm export folded) unchanged."""
    from core import weights
    from training.export import load_into_keras
    from training.train_colorize import build_lite_model

    rng = np.random.default_rng(9)
    trained = build_lite_model(6)
    randomize_bn(trained, rng)
    weights.save(to_network(trained), tmp_path / "c")
    fresh = build_lite_model(6)
    load_into_keras(fresh, tmp_path / "c", skip_prefix="enc")
    for name in ("dec32", "global_fc", "dec16", "dec8", "dec4", "ab_logits"):
        for a, b in zip(trained.get_layer(name).get_weights(), fresh.get_layer(name).get_weights(), strict=True):
            assert np.array_equal(a, b)
    assert not np.array_equal(trained.get_layer("enc_stem").get_weights()[0], fresh.get_layer("enc_stem").get_weights()[0])


@pytest.mark.parametrize(("variant", "n", "last"), [("lite0", 16, 320), ("lite2", 21, 352)])
def test_efficientnet_lite_block_tables(variant: str, n: int, last: int) -> None:
    """The stage tables expand to the published block counts, halve the size four times after the
    stem (stride 32 in all), and end at the published width."""
    from training.efficientnet_lite import blocks

    b = blocks(variant)
    assert len(b) == n and b[-1][3] == last
    assert 2 * np.prod([s for _, _, s, _ in b]) == 32
