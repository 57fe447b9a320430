"""Talking face: cues on the sample clips, the video, odd and bad inputs, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demos.audio import read_audio
from demos.colorize.samples import sample_path
from demos.lipsync.pipeline import mouth_track, render_video, smooth
from demos.lipsync.render import find_face, probe_duration
from demos.lipsync.visemes import SHAPES, shape_of
from demos.media import MediaError, read_image

ROOT = Path(__file__).resolve().parents[1]
HELLO = ROOT / "demos" / "samples" / "hello_slt.ogg"


def test_phone_mapping():
    assert [shape_of(p) for p in ("M", "B", "AA1", "UW", "F", "L", "SIL", "IY0")] == ["A", "A", "D", "F", "G", "H", "X", "B"]


def test_smoothing_holds_each_shape():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(9), 200).astype(np.float32)
    s = smooth(probs, 3)
    runs = np.diff(np.flatnonzero(np.r_[True, s[1:] != s[:-1], True]))
    assert runs.min() >= 3


@pytest.fixture(scope="module")
def hello():
    x = read_audio(HELLO)
    return x, mouth_track(x, fps=25)


def test_cues_rest_in_silence_and_move_in_speech(hello):
    x, track = hello
    assert len(track.shapes) == int(np.ceil(len(x) / 16000 * 25))
    lead = int(0.3 * 25)  # the clip starts with 0.4 s of silence
    assert (track.shapes[:lead] == SHAPES.index("X")).all()
    speech = track.shapes[int(0.6 * 25) : int(7.0 * 25)]
    assert len(set(speech.tolist())) >= 4, "the mouth should take several shapes while speaking"
    assert (speech != SHAPES.index("X")).mean() > 0.6


def test_cue_formats(hello):
    _, track = hello
    lines = track.tsv().strip().splitlines()
    assert lines[0].split("\t") == ["0.00", "X"] and lines[-1].endswith("\tX")
    cues = json.loads(track.json("hello.ogg"))["mouthCues"]
    assert cues[0]["start"] == 0 and all(c["value"] in SHAPES for c in cues)
    assert all(a["end"] == pytest.approx(b["start"]) for a, b in zip(cues, cues[1:], strict=False))


def mouth_motion(video: Path, box: tuple[float, float, float, float]) -> np.ndarray:
    """Mean absolute change of the mouth box between consecutive decoded frames."""
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(video))
    meta = gen.__next__()
    w, h = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3)[int(box[1] * h) : int(box[3] * h), int(box[0] * w) : int(box[2] * w)].astype(np.float32)
              for f in gen]
    return np.array([np.abs(a - b).mean() for a, b in zip(frames[1:], frames[:-1], strict=True)])


@pytest.mark.parametrize("face", [None, "Astronaut"])
def test_video_matches_audio_and_mouth_moves(hello, tmp_path, face):
    x, track = hello
    out = tmp_path / "v.mp4"
    render_video(x, track, out, face=read_image(sample_path(face)) if face else None)
    dur, has_audio = probe_duration(out)
    assert has_audio
    assert abs(dur - len(x) / 16000) <= 1 / 25 + 0.03  # within one frame (+ AAC padding)
    box = (0.3, 0.6, 0.7, 0.95) if face is None else (0.3, 0.55, 0.7, 0.85)
    motion = mouth_motion(out, box)
    assert motion[: int(0.3 * 25)].max() < 1.0, "the mouth should rest in the silent lead-in"
    assert motion[int(0.6 * 25) : int(7 * 25)].mean() > 1.0, "the mouth should move during speech"


def test_photo_without_face_offers_cartoon():
    with pytest.raises(MediaError, match="cartoon"):
        find_face(read_image(sample_path("Cat")))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "demos", "lipsync", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_cli_writes_video_and_cues(tmp_path):
    r = cli(str(HELLO), "--out", str(tmp_path / "v.mp4"), "--cues", str(tmp_path / "c.tsv"))
    assert r.returncode == 0, r.stderr
    assert probe_duration(tmp_path / "v.mp4")[0] > 7 and (tmp_path / "c.tsv").read_text().startswith("0.00\tX")


@pytest.mark.parametrize("case", ["silent", "no_face", "corrupt"])
def test_cli_bad_inputs(tmp_path, case):
    from tests.badfiles import wav

    audio = tmp_path / "a.wav"
    audio.write_bytes(wav(2.0, kind="silence") if case == "silent" else b"RIFF garbage" if case == "corrupt" else HELLO.read_bytes())
    extra = ["--face", str(sample_path("Cat"))] if case == "no_face" else []
    r = cli(str(audio), *extra, "--out", str(tmp_path / "v.mp4"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert {"silent": "silent", "no_face": "No face", "corrupt": "not audio"}[case] in r.stderr
