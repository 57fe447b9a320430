"""The colorizer's confidence-aware decode ("when unsure, say less") and the quality figures."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from demos.colorize.pipeline import (
    BOLD_MAX,
    blur,
    boldness,
    bounded,
    chroma_gain,
    confidence,
    decode_ab,
    full_size_png,
    guided_smooth,
    load_model,
    run_network,
    softmax,
    to_rgb,
)
from demos.colorize.quality import colourfulness, grey_of, psnr, summarise

MUTE = {"floor": 0.3, "full": 0.5, "blur": 0.0, "cast": 1.0}


def logits_sure_and_unsure(q: int, h: int = 8, w: int = 16) -> np.ndarray:
    """Left half: all mass on one bin (sure); right half: every bin equally likely (unsure)."""
    z = np.zeros((h, w, q), np.float32)
    z[:, : w // 2, 7] = 30.0
    return z


def test_confidence_runs_from_flat_to_certain():
    q = 50
    flat, peaked = np.full(q, 1 / q), np.eye(q)[3]
    assert abs(confidence(flat)) < 1e-6
    assert abs(confidence(peaked) - 1.0) < 1e-6
    assert 0 < confidence(softmax(np.arange(q, dtype=np.float32) / 5)) < 1


def test_unsure_positions_stay_grey_and_sure_ones_keep_their_colour():
    _, card = load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    z = logits_sure_and_unsure(len(centres))
    muted, raw = decode_ab(z, 0.5, MUTE), decode_ab(z, 0.5, {})
    np.testing.assert_allclose(muted[:, :8], centres[7] * np.ones((8, 8, 1)), atol=1e-3)  # sure: untouched
    assert np.abs(muted[:, 8:]).max() < 1e-3  # unsure: grey
    np.testing.assert_allclose(raw[:, 8:], np.broadcast_to(centres.mean(0), (8, 8, 2)), atol=1e-3)  # unmuted: the bins' mean


def test_temperature_moves_from_the_mean_colour_to_the_most_likely_one():
    """The page's T slider: T = 1 mixes the colours by their probabilities, low T takes the most
    likely one, whether that is a colour or (where the network is unsure) a grey."""
    _, card = load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    grey_bin = int(np.argmin(np.hypot(centres[:, 0], centres[:, 1])))
    blue_bin = int(np.argmin(centres[:, 0] + centres[:, 1]))  # a deep blue, far from grey
    z = np.zeros((2, 2, len(centres)), np.float32) - 10.0
    z[..., grey_bin], z[..., blue_bin] = 1.0, 0.5  # grey a little more likely than blue
    p = softmax(z)
    mean = decode_ab(z, 1.0, {})
    np.testing.assert_allclose(mean, np.broadcast_to(p @ centres, mean.shape), atol=1e-4)
    np.testing.assert_allclose(decode_ab(z, 0.02, {}), np.broadcast_to(centres[grey_bin], mean.shape), atol=1e-3)
    chroma = [float(np.hypot(*decode_ab(z, t, {})[0, 0])) for t in (1.0, 0.5, 0.2)]
    assert chroma[0] > chroma[1] > chroma[2]  # toward the grey it half-believes: greyer as T falls
    z[..., blue_bin] = 1.5  # now blue is the most likely: bolder as T falls
    chroma = [float(np.hypot(*decode_ab(z, t, {})[0, 0])) for t in (1.0, 0.5, 0.2)]
    assert chroma[0] < chroma[1] < chroma[2]


def test_cast_damping_removes_part_of_the_mean_colour_only():
    _, card = load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    z = np.zeros((4, 8, len(centres)), np.float32)
    z[:, :4, 7] = z[:, 4:, 20] = 30.0  # two sure regions of different colours
    whole, half = decode_ab(z, 1.0, {}), decode_ab(z, 1.0, {"cast": 0.5})
    mean = whole.reshape(-1, 2).mean(0)
    np.testing.assert_allclose(half.reshape(-1, 2).mean(0), 0.5 * mean, atol=1e-3)
    np.testing.assert_allclose(half[0, 0] - half[0, 7], whole[0, 0] - whole[0, 7], atol=1e-3)  # the contrast stays


def test_chroma_factor_scales_the_colour_and_nothing_else():
    _, card = load_model()
    z = np.random.default_rng(0).normal(size=(4, 8, len(card["preprocessing"]["ab_centres"]))).astype(np.float32) * 3
    plain, bold = decode_ab(z, 0.5, {"cast": 0.5, "smooth": 1.0}), decode_ab(z, 0.5, {"cast": 0.5, "smooth": 1.0, "chroma": 1.5})
    np.testing.assert_allclose(bold, 1.5 * plain, rtol=1e-5, atol=1e-4)


def test_boldness_gives_a_boldly_coloured_photo_more_and_a_timid_one_less():
    ab = np.zeros((4, 8, 2), np.float32)
    ab[..., 0] = 16.0  # mean chroma 16, twice the reference 8
    assert boldness(ab, {}) == 1.0 and boldness(ab, {"bold": 0.0}) == 1.0  # off
    assert abs(boldness(ab, {"bold": 0.5, "bold_ref": 8.0}) - 2**0.5) < 1e-6
    assert abs(boldness(ab / 4, {"bold": 0.5, "bold_ref": 8.0}) - 2**-0.5) < 1e-6  # mean chroma 4: less colour
    assert boldness(100 * ab, {"bold": 1.0, "bold_ref": 8.0}) == BOLD_MAX
    assert boldness(100 * ab, {"bold": 1.0, "bold_ref": 8.0, "bold_max": 1.5}) == 1.5  # the card may cap it lower
    assert abs(boldness(ab * 0.625, {"bold": 1.0, "bold_ref": 8.0, "bold_max": 1.5}) - 1.25) < 1e-6  # under the cap: as before
    _, card = load_model()
    z = np.random.default_rng(1).normal(size=(4, 8, len(card["preprocessing"]["ab_centres"]))).astype(np.float32) * 3
    plain, bold = decode_ab(z, 0.5, {"cast": 0.5}), decode_ab(z, 0.5, {"cast": 0.5, "bold": 0.5, "bold_ref": 30.0})
    factor = (np.hypot(plain[..., 0], plain[..., 1]).mean() / 30.0) ** 0.5
    assert 1.0 < factor < BOLD_MAX
    np.testing.assert_allclose(bold, factor * plain, rtol=1e-5, atol=1e-4)  # one factor for the whole photo


def test_smoothing_shrinks_a_stray_patch_but_keeps_a_large_region():
    _, card = load_model()
    centres = np.asarray(card["preprocessing"]["ab_centres"], np.float32)
    z = np.zeros((40, 40, len(centres)), np.float32)
    z[:, :20, 7] = z[:, 20:, 20] = 30.0
    z[30:32, 5:7] = 0.0
    z[30:32, 5:7, 40] = 30.0  # a 2x2 stray hue inside the left region
    raw, smooth = decode_ab(z, 1.0, {}), decode_ab(z, 1.0, {"smooth": 3.0})
    left = centres[7]
    assert np.abs(smooth[31, 6] - left).max() < 0.5 * np.abs(raw[31, 6] - left).max()
    np.testing.assert_allclose(smooth[10, 2], left, atol=0.5)


def test_guided_smoothing_flattens_a_stray_hue_but_keeps_a_lightness_edge():
    """Guided by L: a large patch of stray hue in an evenly lit region fades into it (a blur that
    wide would smear every edge), while two regions of different lightness keep their own colours."""
    guide = np.full((48, 64), 0.3, np.float32)
    guide[:, 32:] = 0.8  # a dark left half, a bright right half
    ab = np.zeros((48, 64, 2), np.float32)
    ab[..., 0] = np.where(guide > 0.5, 30.0, -30.0)  # each half its own colour
    ab[10:20, 5:15, 1] = 40.0  # a 10x10 blotch inside the dark half
    out = guided_smooth(ab, guide, 8, 1e-3)
    assert abs(out[15, 10, 1]) < 0.5 * 40.0  # the blotch fades...
    assert abs(out[40, 10, 1]) < 1.0  # ...and stays where it was, roughly
    np.testing.assert_allclose(out[24, 28, 0], -30.0, atol=2.0)  # next to the edge, each side keeps its colour
    np.testing.assert_allclose(out[24, 36, 0], 30.0, atol=2.0)
    assert np.abs(guided_smooth(ab[..., :1] * 0 + 5.0, guide, 8, 1e-3) - 5.0).max() < 1e-3  # a flat field stays flat
    blurred = blur(ab[..., 0], 8.0)  # what a plain blur as wide does to the edge
    assert abs(blurred[24, 31]) < 10.0


def test_muting_off_is_a_gain_of_one():
    p = softmax(np.random.default_rng(0).normal(size=(5, 6, 30)).astype(np.float32))
    assert (chroma_gain(p, {}) == 1).all()
    g = chroma_gain(p, MUTE)
    assert ((0 <= g) & (g <= 1)).all()


def test_blur_keeps_the_mean_and_smooths():
    a = np.zeros((20, 20), np.float32)
    a[10, 10] = 1.0
    b = blur(a, 2.0)
    assert b.shape == a.shape and abs(b.sum() - 1.0) < 1e-3 and b.max() < 0.1


def test_quality_figures():
    rng = np.random.default_rng(1)
    truth = rng.uniform(size=(32, 32, 3)).astype(np.float32)
    grey = grey_of(truth)
    assert colourfulness(grey) < 1.0 < colourfulness(truth)
    assert psnr(truth, truth) > 100 and psnr(grey, truth) < 30
    s = summarise(np.array([2.0, -0.5, -1.5, 0.5]), np.array([10.0, 20.0, 30.0, 40.0]), np.full(4, 50.0))
    assert s == {"psnr_gain_db": 0.125, "better_than_grey": 0.5, "worse_than_grey_by_1db": 0.25, "colourfulness_ratio": 0.5}


def test_page_copy_is_bounded_and_download_is_full_size():
    from demos.colorize.samples import sample_path

    cat = Image.open(sample_path("Cat")).convert("RGB").resize((1600, 900), Image.BICUBIC)
    big = np.asarray(cat, np.float32) / 255
    small = bounded(big, 200_000)
    assert small.shape[0] * small.shape[1] <= 200_000 and abs(small.shape[1] / small.shape[0] - 16 / 9) < 0.02
    assert abs(small.mean() - big.mean()) < 0.01  # area averaging keeps the tone
    assert bounded(small, 200_000) is small
    res = run_network(small)
    png = Image.open(io.BytesIO(full_size_png(big, res.logits, 0.5)))
    assert png.size == (1600, 900)
    # The same colours as the page shows, at full size: compare at the page's size.
    shown = to_rgb(res, 0.5)
    full = np.asarray(png.resize((small.shape[1], small.shape[0]), Image.BOX), np.float32) / 255
    assert np.abs(full.mean(axis=(0, 1)) - shown.mean(axis=(0, 1))).max() < 0.02


def test_decode_time_rebalancing_moves_a_split_vote_toward_the_rarer_colour():
    _, card = load_model()
    pre = card["preprocessing"]
    centres, prior = np.asarray(pre["ab_centres"], np.float32), np.asarray(pre["ab_prior"], np.float32)
    grey = int(np.argmin(np.hypot(*centres.T)))
    vivid = int(np.argmin(np.where(np.hypot(*centres.T) > 40, prior, np.inf)))
    z = np.full((2, 2, len(centres)), -50.0, np.float32)
    z[..., [grey, vivid]] = 0.0  # the network cannot tell grey from a rare, vivid colour
    plain, rebalanced = decode_ab(z, 1.0, {}), decode_ab(z, 1.0, {"prior": 0.5})
    np.testing.assert_allclose(plain[0, 0], (centres[grey] + centres[vivid]) / 2, atol=1e-3)
    w = (prior[grey] / prior[vivid]) ** 0.5  # the odds the vivid colour gains
    np.testing.assert_allclose(rebalanced[0, 0], (centres[grey] + w * centres[vivid]) / (1 + w), atol=1e-2)
    assert np.hypot(*rebalanced[0, 0]) > np.hypot(*plain[0, 0])
