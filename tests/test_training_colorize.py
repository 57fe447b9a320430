"""The colorizer's training data helpers (training/colorize_data.py): validation photos never reach
training or the monitor set, extra photos go to training, and the draw shares; and the model soup. No training here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.colorize_data import batches, image_paths, sampling_weights

ROOT = Path(__file__).resolve().parents[1]


def photos(root: Path, names: list[str]) -> list[Path]:
    out = []
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (160, 140), (200, 80, 40)).save(p)
        out.append(p)
    return out


def test_validation_never_in_training_or_monitor_and_extra_goes_to_training(tmp_path):
    data, extra = tmp_path / "images", tmp_path / "extra"
    photos(data, [f"bsds500/test/{i}.jpg" for i in range(3)] + [f"styletransfer/in{i}.jpg" for i in range(3)])
    photos(data, [f"bsds500/val/{i}.jpg" for i in range(40)] + [f"bsds500/train/{i}.jpg" for i in range(10)])
    photos(data, [f"imagenet_det/{i:03d}.jpg" for i in range(50)])
    added = photos(extra, [f"food/{i}.jpg" for i in range(7)])
    train, monitor = image_paths(data, extra)
    everything = train + monitor
    assert not [p for p in everything if "bsds500/test" in p.as_posix() or "styletransfer" in p.as_posix()]
    assert not set(train) & set(monitor)
    assert len(monitor) == 30 + 2  # 30 bsds500/val photos and every 25th of the second batch
    assert set(added) <= set(train)
    assert len(train) == 10 + 10 + 48 + 7


def test_extra_photos_get_their_share_of_the_draws(tmp_path):
    extra = tmp_path / "extra"
    paths = [tmp_path / "images" / f"{i}.jpg" for i in range(30)] + [extra / "cars" / f"{i}.jpg" for i in range(270)]
    w = sampling_weights(paths, extra, 0.25)
    assert np.isclose(w.sum(), 1.0)
    assert np.isclose(w[30:].sum(), 0.25) and np.allclose(w[:30], 0.75 / 30)
    assert np.allclose(sampling_weights(paths[:30], extra, 0.25), 1 / 30)  # no extra photos: uniform


def test_batches_draw_only_photos_with_weight():
    rng = np.random.default_rng(0)
    red = np.zeros((150, 150, 3), np.uint8)
    red[..., 0] = 200
    blue = np.zeros((150, 150, 3), np.uint8)
    blue[..., 2] = 200
    x, ab = next(batches(rng, [red, blue], 16, np.array([0.0, 1.0])))
    assert x.shape == (16, 128, 128, 1) and ab.shape == (16, 32, 32, 2)
    assert (ab[..., 1] < -20).all()  # every crop is the blue photo: b strongly negative


def test_loss_matches_a_numpy_reference():
    from training.train_colorize import REG_WEIGHT, SIGMA, make_loss

    rng = np.random.default_rng(0)
    centres = rng.uniform(-80, 80, (12, 2)).astype(np.float32)
    weights = rng.uniform(0.5, 2, 12).astype(np.float32)
    ab = rng.uniform(-60, 60, (2, 4, 4, 2)).astype(np.float32)
    logits = rng.normal(size=(2, 4, 4, 12)).astype(np.float32)
    d2 = ((ab[..., None, :] - centres) ** 2).sum(-1)
    target = np.exp(-d2 / (2 * SIGMA**2))
    target /= target.sum(-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    ce = -(target * logp).sum(-1) * weights[d2.argmin(-1)]
    err = np.abs(np.exp(logp) @ centres - ab) / 10
    huber = np.where(err < 1, 0.5 * err**2, err - 0.5)
    want = ce.mean() + REG_WEIGHT * huber.mean()
    assert abs(float(make_loss(centres, weights)(ab, logits)) - want) < 1e-4 * want

    # --decode-weight adds a Huber pull of the colour the app shows (the card's decode) to the truth.
    from training.train_colorize import SHOWN_CAST, SHOWN_CHROMA, SHOWN_T

    z = logits / SHOWN_T
    shown = (np.exp(z) / np.exp(z).sum(-1, keepdims=True)) @ centres
    shown = SHOWN_CHROMA * (shown - (1 - SHOWN_CAST) * shown.mean(axis=(1, 2), keepdims=True))
    err = np.abs(shown - ab) / 10
    extra = np.where(err < 1, 0.5 * err**2, err - 0.5).mean()
    got = float(make_loss(centres, weights, decode_weight=0.7)(ab, logits))
    assert abs(got - (want + 0.7 * extra)) < 1e-4 * want
    # shown_loss="gain": per crop, the log of the shown colour's ab error over grey's.
    from training.train_colorize import GAIN_EPS

    ratio = ((err**2).mean(axis=(1, 2, 3)) + GAIN_EPS) / (((ab / 10) ** 2).mean(axis=(1, 2, 3)) + GAIN_EPS)
    got = float(make_loss(centres, weights, decode_weight=0.7, shown_loss="gain")(ab, logits))
    assert abs(got - (want + 0.7 * np.log(ratio).mean())) < 1e-4 * want
    # shown_bold: each crop's colour times (its mean chroma / BOLD_REF) ** q, capped, instead of SHOWN_CHROMA.
    from training.train_colorize import BOLD_MAX, BOLD_REF

    plain = shown / SHOWN_CHROMA
    factor = np.minimum((np.hypot(plain[..., 0], plain[..., 1]).mean(axis=(1, 2)) / BOLD_REF) ** 0.5, BOLD_MAX)
    err = np.abs(plain * factor[:, None, None, None] - ab) / 10
    extra = np.where(err < 1, 0.5 * err**2, err - 0.5).mean()
    got = float(make_loss(centres, weights, decode_weight=0.7, shown_bold=0.5)(ab, logits))
    assert abs(got - (want + 0.7 * extra)) < 1e-4 * want


def test_grown_model_starts_as_the_model_it_grew_from(tmp_path):
    """Residual blocks added to trained weights start at zero, so the grown model's first output is
    the old model's; our engine runs the grown graph as Keras does."""
    from core import weights
    from training.export import export, load_into_keras
    from training.train_colorize import build_model

    base, grown = build_model(10), build_model(10, blocks=2)
    x = np.random.default_rng(0).normal(size=(1, 32, 40, 1)).astype(np.float32)
    export(base, tmp_path / "base", {"name": "t"})
    load_into_keras(grown, tmp_path / "base")
    assert np.allclose(grown(x).numpy(), base(x).numpy(), atol=1e-5)
    res = grown.get_layer("res1b")  # as if trained a little: the block now changes the output
    res.set_weights([np.full_like(w, 0.01) for w in res.get_weights()])
    assert not np.allclose(grown(x).numpy(), base(x).numpy(), atol=1e-3)
    export(grown, tmp_path / "grown", {"name": "t"})
    net, _ = weights.load(tmp_path / "grown")
    assert np.allclose(net.forward(x), grown(x).numpy(), atol=1e-4)


def test_soup_is_the_weighted_mean_and_loads(tmp_path):
    from core import weights
    from training.soup import soup, write

    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    np.savez(a, w=np.array([1.0, 2.0], np.float32), n=np.array([4.0], np.float16))
    np.savez(b, w=np.array([5.0, 6.0], np.float32), n=np.array([8.0], np.float16))
    mixed = soup([(a, 1.0), (b, 3.0)])
    assert np.allclose(mixed["w"], [4.0, 5.0]) and mixed["n"].dtype == np.float16 and mixed["n"][0] == 7.0
    np.savez(b, w=np.array([5.0, 6.0], np.float32))
    with pytest.raises(ValueError, match="architecture"):
        soup([(a, 1.0), (b, 1.0)])
    # A grown model mixed with its start: its new block's scale is halved, its other new arrays kept.
    np.savez(b, w=np.array([5.0, 6.0], np.float32), n=np.array([8.0], np.float16), new_norm2=np.array([2.0], np.float32),
             new_conv=np.array([3.0], np.float32))
    mixed = soup([(a, 1.0), (b, 1.0)], zero_if_missing=("norm2",))
    assert list(mixed) == ["w", "n", "new_norm2", "new_conv"] and mixed["new_norm2"][0] == 1.0 and mixed["new_conv"][0] == 3.0
    # A soup of the shipped colorizer with itself is the shipped colorizer, and core loads it (sha256 checked).
    stem = ROOT / "weights" / "colorize"
    write(soup([(stem.with_suffix(".npz"), 0.5), (stem.with_suffix(".npz"), 0.5)]), stem.with_suffix(".json"), tmp_path / "same")
    net, _ = weights.load(tmp_path / "same")
    ref, _ = weights.load(stem)
    x = np.zeros((1, 32, 32, 1), np.float32)
    assert np.array_equal(net.forward(x), ref.forward(x))


def test_gain_head_is_appended_read_and_applied(tmp_path):
    """train_colorize_gain.attach adds the head as one more output channel; the pipeline splits it
    off (the colour logits stay the plain model's) and, with use_gain, scales the colour by it."""
    from demos.colorize import pipeline
    from training.train_colorize_gain import GAIN_MAX, attach, build_head

    stem = ROOT / "weights" / "colorize"
    feats = pipeline.load_model()[0].layers[-1].params["kernel"].shape[2]  # channels the logits are made from
    head = build_head(feats + 218)
    hid, gain = head.get_layer("gain_hidden"), head.get_layer("gain")
    hid.set_weights([np.zeros_like(w) for w in hid.get_weights()])
    target = 0.5  # g = GAIN_MAX * sigmoid(b) everywhere
    gain.set_weights([np.zeros_like(gain.get_weights()[0]), np.array([np.log(target / (GAIN_MAX - target))], np.float32)])
    attach(head, np.zeros(feats + 218, np.float32), np.ones(feats + 218, np.float32), stem, tmp_path / "gain", {"note": "test"})
    rgb = np.random.default_rng(0).uniform(size=(40, 56, 3)).astype(np.float32)
    try:
        pipeline.use_weights(stem)
        plain = pipeline.run_network(rgb)
        pipeline.use_weights(tmp_path / "gain")
        res = pipeline.run_network(rgb)
        assert res.gain is not None and np.allclose(res.gain, target, atol=2e-3)
        assert np.allclose(res.logits, plain.logits, atol=1e-2) and plain.gain is None
        decode = {"cast": 0.5, "smooth": 1.0}
        off = pipeline.decode_ab(res.logits, 0.35, decode, res.gain)
        on = pipeline.decode_ab(res.logits, 0.35, {**decode, "use_gain": 1.0}, res.gain)
        assert np.allclose(on, target * off, atol=0.05)
    finally:
        pipeline.use_weights(stem)


def test_decode_tuning_adds_evenly_spaced_calibration_photos(tmp_path):
    from training.tune_colorize_decode import calibration_photos

    photos(tmp_path, [f"cars/{i:03d}.jpg" for i in range(10)] + [f"food/{i:03d}.jpg" for i in range(3)])
    got = [p.relative_to(tmp_path).as_posix() for p in calibration_photos(4, tmp_path)]
    assert got == ["cars/000.jpg", "cars/002.jpg", "cars/004.jpg", "cars/006.jpg", "food/000.jpg", "food/001.jpg", "food/002.jpg"]
    assert calibration_photos(0, tmp_path / "missing") == []


def test_compare_at_matched_colour_interpolates_between_chroma_factors():
    from training.compare_colorize import at_colour

    # Two photos at three chroma factors: colour ratios 0.5, 0.7, 0.9 of the truth's (truth 40).
    s = {"truth": np.array([40.0, 40.0]), "colour": np.array([[20.0, 28.0, 36.0], [20.0, 28.0, 36.0]]),
         "gain": np.array([[2.0, 1.0, -2.0], [-0.5, -1.5, -3.0]])}  # photos below grey by 1 dB: 0, 1, 2 of 2
    worse, gain = at_colour(s, 0.6)
    assert worse == pytest.approx(0.25) and gain == pytest.approx(0.5 * (0.75 - 0.25))
    assert at_colour(s, 0.9) == pytest.approx((1.0, -2.5))
    assert at_colour(s, 0.3)[0] == 0.0  # held at the nearest end
