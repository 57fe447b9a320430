"""The GPU training script's data helpers (training/train_stt_accel.py): batches of fixed shapes,
each clip once per epoch, warps that keep CTC feasible; and the CPU script's model growth. No training here."""

from __future__ import annotations

import numpy as np

from training import train_stt_accel as acc
from training.train_stt import encode, feasible


def clips(n: int, rng: np.random.Generator) -> list:
    texts = ["one two three", "hello there", "a", "the quick brown fox jumps"]
    return [(rng.normal(size=(int(rng.integers(60, 2000)), 64)).astype(np.float16), texts[i % 4], "test") for i in range(n)]


def test_plan_epoch_uses_every_clip_once_in_buckets_that_fit():
    rng = np.random.default_rng(0)
    items = clips(300, rng)
    plan = acc.plan_epoch(rng, items)
    seen = sorted(i for _, idx, _ in plan for i in idx)
    assert seen == list(range(300))
    for bucket, idx, _ in plan:
        assert bucket in acc.BUCKETS and len(idx) <= acc.BATCH_FRAMES // bucket
        assert all(len(items[i][0]) * 1.1 <= bucket for i in idx)


def test_make_batch_has_one_shape_per_bucket_and_true_lengths():
    rng = np.random.default_rng(1)
    acc._ITEMS = clips(40, rng)
    plan = acc.plan_epoch(rng, acc._ITEMS)
    for bucket, idx, seed in plan:
        x, y, xl, yl = acc.make_batch((bucket, idx, seed))
        rows = acc.BATCH_FRAMES // bucket
        assert x.shape == (rows, bucket, 64) and x.dtype == np.float16
        assert y.shape == (rows, bucket // 3) and xl.shape == yl.shape == (rows,)
        for k, i in enumerate(idx):
            label = encode(acc._ITEMS[i][1])
            assert yl[k] == len(label) and (y[k, : yl[k]] == label).all()
            assert abs(xl[k] * 3 - len(acc._ITEMS[i][0])) <= 0.1 * len(acc._ITEMS[i][0]) + 3  # the tempo warp
        assert (yl[len(idx) :] == 0).all()  # padding rows carry no label and no weight


def test_warp_changes_tempo_and_bands_but_keeps_ctc_feasible():
    rng = np.random.default_rng(2)
    f = rng.normal(size=(36, 64)).astype(np.float32)  # "hello world" needs 34 frames: slower is fine, faster is not
    for _ in range(50):
        w = acc.warp(f, "hello world", rng)
        assert w.shape[1] == 64 and np.isfinite(w).all()
        assert feasible(len(w), "hello world")
    ramp = np.tile(np.arange(64, dtype=np.float32), (200, 1))
    warped = acc.warp(ramp, "a", np.random.default_rng(3))
    assert 180 <= len(warped) <= 220 and not np.allclose(warped[0], ramp[0])  # the mel axis is stretched


def test_kokoro_clips_become_padded_training_items(tmp_path, monkeypatch):
    """Kokoro wav files on disk become 'tts_file' jobs: read, padded with silence, featurised."""
    import soundfile as sf

    from training import stt_corpus, stt_kokoro

    monkeypatch.setattr(stt_kokoro, "OUT", tmp_path)
    assert stt_corpus.jobs_for("kokoro", 0, 0) == []  # nothing synthesised yet: nothing added
    (tmp_path / "texts.tsv").write_text("k00000\tHello, world.\tHello world\taf_heart\t1.00\n"
                                        "k00001\tNot spoken yet.\tnot spoken yet\tam_adam\t0.90\n")
    (tmp_path / "wav").mkdir()
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype(np.float32)
    sf.write(tmp_path / "wav" / "k00000.wav", tone, 16000)
    jobs = stt_corpus.jobs_for("kokoro", 0, 0)
    assert [(j["kind"], j["text"], j["source"]) for j in jobs] == [("tts_file", "hello world", "tts_kokoro")]
    feats, text, source, path = stt_corpus.make_item(jobs[0] | {"augment": False})
    assert text == "hello world" and source == "tts_kokoro" and feats.shape[1] == stt_corpus.N_MELS
    assert path == ""  # only real recordings carry their path (for their forced alignment)
    assert len(feats) > len(stt_corpus.features(tone))  # silence around the speech, as real recordings have
    twice = stt_corpus.jobs_for("kokoro", 0, 0, kokoro_copies=2)  # a second copy, always augmented anew
    assert len(twice) == 2 and twice[1]["augment"] and twice[0]["seed"] != twice[1]["seed"]
    assert twice[0]["path"] == twice[1]["path"]


def test_synth_apart_split_has_only_the_synthetic_clips(monkeypatch):
    """--synth-apart: the 'synth' split holds the synthetic clips and the real ones stay in 'train'."""
    from training import stt_corpus

    monkeypatch.setattr(stt_corpus, "real_clips", lambda split, **kw: [("a.wav", "Hello there", "vctk")])
    monkeypatch.setattr(stt_corpus, "synthetic_texts", lambda n, rng: [("One, two.", "one two")] * n)
    synth = stt_corpus.jobs_for("synth", 3, 2)
    assert len(synth) == 3 and all(j["kind"] == "synth" and j["text"] == "one two" for j in synth)
    real = stt_corpus.jobs_for("train", 0, 2)
    assert [(j["kind"], j["augment"]) for j in real] in ([("real", False), ("real", True)], [("real", True), ("real", False)])


def test_grown_speech_model_starts_as_the_model_it_grew_from(tmp_path):
    """train_stt --blocks: blocks added after the committed ones start as identities, so the deeper
    model's first output is the old model's; our engine runs the grown graph as Keras does."""
    from core import weights
    from training.export import export, load_into_keras
    from training.train_stt import build_model

    base, grown = build_model(channels=16, blocks=2), build_model(channels=16, blocks=3, grown_from=2)
    x = np.random.default_rng(0).normal(size=(1, 60, 64)).astype(np.float32)
    export(base, tmp_path / "base", {"name": "t"})
    load_into_keras(grown, tmp_path / "base")
    assert np.allclose(grown(x).numpy(), base(x).numpy(), atol=1e-5)
    norm = grown.get_layer("b2_norm2")  # as if trained a little: the new block now changes the output
    norm.set_weights([np.full_like(w, 0.5) for w in norm.get_weights()])
    assert not np.allclose(grown(x).numpy(), base(x).numpy(), atol=1e-3)
    export(grown, tmp_path / "grown", {"name": "t"})
    net, _ = weights.load(tmp_path / "grown")
    assert np.allclose(net.forward(x), grown(x).numpy(), atol=1e-4)


def test_phone_head_exports_as_one_layer_and_loads_back(tmp_path):
    """A two-headed model (letters, phones) is exported as one network whose last layer holds both
    heads, letters first; core/ computes what Keras does, and training restarts from it exactly."""
    from core import weights
    from demos.stt.phones import PHONES
    from training.export import export, load_into_keras
    from training.train_stt import ALPHABET, build_model, joint, split_joint

    two = build_model(channels=16, blocks=1, phones=True)
    x = np.random.default_rng(0).normal(size=(1, 60, 64)).astype(np.float32)
    chars, phones = (y.numpy() for y in two(x))
    export(joint(two), tmp_path / "both", {"name": "t"})
    net, _ = weights.load(tmp_path / "both")
    out = net.forward(x)
    assert out.shape[-1] == len(ALPHABET) + len(PHONES)
    assert np.allclose(out[..., : len(ALPHABET)], chars, atol=1e-4) and np.allclose(out[..., len(ALPHABET) :], phones, atol=1e-4)
    again = build_model(channels=16, blocks=1, phones=True)
    load_into_keras(again, tmp_path / "both")
    split_joint(again, tmp_path / "both")
    assert all(np.allclose(a.numpy(), b.numpy(), atol=1e-5) for a, b in zip(again(x), two(x), strict=True))


def test_phone_targets_skip_clips_with_unknown_words():
    from training.train_stt import phone_labels

    data = [(np.zeros((300, 64)), "hello world", "x"), (np.zeros((300, 64)), "hello qzxvwq", "x"), (np.zeros((6, 64)), "hello world", "x")]
    y, lengths, weight = phone_labels(data, [0, 1, 2])
    assert weight.tolist() == [1, 0, 0]  # an unknown word; too many phones for 2 output frames
    assert lengths[0] == 9 and y[0, :9].tolist() == [17, 4, 22, 26, 1, 37, 13, 22, 10]  # hh ah l ow | w er l d


def test_soup_mixes_the_letters_and_keeps_the_only_phone_head(tmp_path):
    from training.soup import soup

    rng = np.random.default_rng(0)
    head = {"head/kernel": rng.normal(size=(1, 4, 3))}
    letters = head | {"chars/kernel": rng.normal(size=(1, 3, 5)), "chars/bias": rng.normal(size=5)}
    both = {k: v + 1 for k, v in head.items()} | {"chars_phones/kernel": rng.normal(size=(1, 3, 8)), "chars_phones/bias": rng.normal(size=8)}
    np.savez(tmp_path / "letters.npz", **letters)
    np.savez(tmp_path / "both.npz", **both)
    mixed = soup([(tmp_path / "letters.npz", 0.5), (tmp_path / "both.npz", 0.5)])
    assert set(mixed) == set(both)
    assert np.allclose(mixed["head/kernel"], head["head/kernel"] + 0.5)
    assert np.allclose(mixed["chars_phones/kernel"][..., :5], (letters["chars/kernel"] + both["chars_phones/kernel"][..., :5]) / 2)
    assert np.allclose(mixed["chars_phones/kernel"][..., 5:], both["chars_phones/kernel"][..., 5:])
    assert np.allclose(mixed["chars_phones/bias"][5:], both["chars_phones/bias"][5:])


def test_frame_targets_follow_the_alignment_at_each_output_frame():
    """train_stt --frame-aux: a PocketSphinx alignment (phone, start, frames at 100/s) becomes one class
    per output frame (every 3rd input frame, at its centre); silence is class 0, unaligned frames -1."""
    from training.train_stt import FRAME_CLASSES, frame_labels, frame_targets, with_frame_targets

    al = [["SIL", 0, 6], ["HH", 6, 3], ["AH", 9, 6], ["+NSN+", 15, 3]]  # 18 of 20 input frames aligned
    t = frame_targets(al, 20)
    hh, ah = FRAME_CLASSES.index("hh"), FRAME_CLASSES.index("ah")
    assert t.tolist() == [0, 0, hh, ah, ah, 0, -1]  # input frames 1, 4, 7, 10, 13, 16, 19
    data = with_frame_targets([(np.zeros((20, 64)), "ha", "x", "a.wav"), (np.zeros((9, 64)), "ha", "tts", ""),
                               (np.zeros((9, 64)), "ha", "x", "unaligned.wav")], {"a.wav": {"phones": al}})
    assert data[0][3].tolist() == t.tolist() and data[1][3] is None and data[2][3] is None
    y = frame_labels(data, [0, 1], 21)
    assert y.shape == (2, 7) and y[0].tolist() == t.tolist() and (y[1] == -1).all()


def test_frame_head_is_left_out_of_the_export(tmp_path):
    """The frame head helps training only: the exported network is the letters + phones one, and a
    run with a frame head starts from committed weights that lack it."""
    from core import weights
    from training.export import export, load_into_keras
    from training.train_stt import ALPHABET, build_model, joint, split_joint

    three = build_model(channels=16, blocks=1, frames=True)
    assert [o.shape[-1] for o in three.outputs] == [29, 41, 40]
    x = np.random.default_rng(0).normal(size=(1, 60, 64)).astype(np.float32)
    chars, phones, _ = (y.numpy() for y in three(x))
    export(joint(three), tmp_path / "m", {"name": "t"})
    out = weights.load(tmp_path / "m")[0].forward(x)
    assert np.allclose(out[..., : len(ALPHABET)], chars, atol=1e-4) and np.allclose(out[..., len(ALPHABET) :], phones, atol=1e-4)
    again = build_model(channels=16, blocks=1, frames=True)
    load_into_keras(again, tmp_path / "m")
    split_joint(again, tmp_path / "m")
    assert np.allclose(again(x)[0].numpy(), chars, atol=1e-5)
