"""The corpus of awkward inputs (tests/badfiles.py) through the readers, the command line and the
pages: each case works, or gets a clear message; never a traceback, a hang or a huge allocation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from demos.audio import RATE, is_silent, read_audio
from demos.media import IMAGE_TYPES, MediaError, read_image
from tests.badfiles import AUDIO, IMAGES, Case, colour_pattern, wav
from tests.conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in |Error:|Exception")  # what a leaked exception looks like
PATTERN = colour_pattern() / 255.0  # what the image cases that work contain (96 x 64)


def test_the_corpus_is_big_varied_and_small():
    cases = [*IMAGES.values(), *AUDIO.values()]
    assert len(cases) >= 50 and len({c.data for c in cases}) >= 50  # 50 different files at least (a few are renamed copies)
    for kind in (IMAGES, AUDIO):
        assert sum(c.works for c in kind.values()) >= 10 and sum(not c.works for c in kind.values()) >= 15
    assert {n.rsplit(".", 1)[1] for n in IMAGES} >= {"jpg", "png", "webp", "bmp", "tiff", "gif", "heic"}
    assert {n.rsplit(".", 1)[1] for n in AUDIO} >= {"wav", "flac", "ogg", "opus", "mp3", "m4a", "webm"}
    assert sum(len(c.data) for c in cases) < 10e6


# ---------------------------------------------------------------- the readers

IMAGE_CONTENT = {  # what some of the images that work must decode to
    "iphone.heic": lambda a: np.abs(a - PATTERN).mean() < 0.03,
    "iphone-photo.jpg": lambda a: np.abs(a - PATTERN).mean() < 0.03,
    "cmyk.jpg": lambda a: np.abs(a - PATTERN).mean() < 0.03,
    "cmyk.tiff": lambda a: np.abs(a - PATTERN).mean() < 0.01,
    "lab.tiff": lambda a: np.abs(a - PATTERN).mean() < 0.02,
    "rgb16.png": lambda a: np.abs(a - PATTERN).mean() < 0.01,
    "grey16.png": lambda a: np.abs(a[..., 1] - PATTERN[..., 0]).max() < 0.01,
    "float.tiff": lambda a: np.abs(a[..., 2] - PATTERN[..., 0]).max() < 0.01,
    "animated.gif": lambda a: a[..., 0].mean() > 0.7 and a[..., 1].mean() < 0.2,  # the first frame, red
    "animated.png": lambda a: a[..., 0].mean() > 0.7 and a[..., 1].mean() < 0.2,
    "animated.webp": lambda a: a[..., 0].mean() > 0.7 and a[..., 1].mean() < 0.2,
    "two-pages.tiff": lambda a: np.abs(a - PATTERN).mean() < 0.01,  # the first page, not the red one
    "panorama.png": lambda a: a.shape == (16, 20000, 3),
    "ribbon.png": lambda a: a.shape == (20000, 16, 3),
}


@pytest.mark.parametrize("name", list(IMAGES))
def test_image(name):
    case = IMAGES[name]
    if not case.works:
        with pytest.raises(MediaError, match=case.expect):
            read_image(case.data, name)
        return
    rgb = read_image(case.data, name)
    assert rgb.dtype == np.float32 and rgb.ndim == 3 and rgb.shape[2] == 3 and 0 <= rgb.min() and rgb.max() <= 1
    assert IMAGE_CONTENT.get(name, lambda a: a.shape == (64, 96, 3) or a.shape == (48, 64, 3))(rgb), name


@pytest.mark.parametrize("name", list(AUDIO))
def test_audio(name):
    case = AUDIO[name]
    if not case.works:
        with pytest.raises(MediaError, match=case.expect):
            read_audio(case.data, name)
        return
    x = read_audio(case.data, name)
    assert x.dtype == np.float32 and x.ndim == 1 and len(x) >= 0.25 * RATE and np.abs(x).max() <= 1 and not is_silent(x)
    if name.startswith(("192khz", "8-channels", "4gb", "wav-named", "ten-hours", "half.mp3", "half.wav")):  # the 220 Hz tone at 16 kHz
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        assert abs(np.fft.rfftfreq(len(x), 1 / RATE)[spec.argmax()] - 220) < 5
        assert abs(len(x) - RATE) < 0.05 * RATE  # one second: what is there, nothing made up (a cut MP3's header claims 2 s)


def test_refusals_are_quick_and_small():
    """Every refused file, read in a fresh process: a few seconds each at most, and a peak memory that
    shows no lying header was believed (a 144-megapixel bomb alone would take 1.7 GB as float RGB)."""
    script = """
import json, resource, sys, time
from demos.audio import read_audio
from demos.media import MediaError, read_image
from tests.badfiles import AUDIO, IMAGES
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
slowest = 0.0
for cases, read in ((IMAGES, read_image), (AUDIO, read_audio)):
    for c in cases.values():
        if not c.works:
            t = time.perf_counter()
            try:
                read(c.data, c.name)
            except MediaError:
                pass
            slowest = max(slowest, time.perf_counter() - t)
print(json.dumps({"slowest_s": slowest, "base_mb": base / 1024, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads(r.stdout.splitlines()[-1])
    assert m["slowest_s"] < 5 and m["peak_mb"] - m["base_mb"] < 250, m


def test_decoding_is_bounded(monkeypatch):
    """A file whose header does not say its length is read only up to the limit, by soundfile (a
    streamed FLAC) and by ffmpeg (-t); ffmpeg also has a time limit and a cap on what it writes."""
    import soundfile as sf

    from demos import audio
    from tests.badfiles import flac_claiming, long_m4a

    blocks = []
    real_read = sf.SoundFile.read
    monkeypatch.setattr(sf.SoundFile, "read", lambda self, *a, **kw: blocks.append(1) or real_read(self, *a, **kw))
    monkeypatch.setattr(audio, "BLOCK", 1600)
    with pytest.raises(MediaError, match="longer than 0 minutes"):
        read_audio(flac_claiming(0, real=5.0), "streamed.flac", max_seconds=1.0)
    assert len(blocks) <= 21  # 2 s read of the 5 s, 0.1 s at a time
    monkeypatch.undo()

    m4a = long_m4a(122.0)
    with pytest.raises(MediaError, match="longer than 2 minutes"):  # decoding stops at 121 s
        read_audio(m4a, "a.m4a", max_seconds=120.0)
    calls = []
    real = audio.subprocess.run
    monkeypatch.setattr(audio.subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)) or real(cmd, **kw))
    with pytest.raises(MediaError, match="took too long"):
        audio._ffmpeg_decode(m4a, "a.m4a", 600.0, timeout=0.001)
    cmd, kw = calls[-1]
    assert cmd[cmd.index("-t") + 1] == "601.000" and int(cmd[cmd.index("-fs") + 1]) < 40e6 and kw["timeout"] == 0.001


def test_messages_in_spanish(spanish):
    """Every refusal is said in Spanish, with no English left in it (the file name aside)."""
    from tests.test_app_spanish import ENGLISH

    for case in [*IMAGES.values(), *AUDIO.values()]:
        if not case.works:
            read = read_image if case.name in IMAGES else read_audio
            with pytest.raises(MediaError) as e:
                read(case.data, case.name)
            text = str(e.value).replace(case.name, "")
            assert not ENGLISH.search(text), (case.name, text)


# ---------------------------------------------------------------- the command line


def write(cases: dict[str, Case], folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for case in cases.values():
        (folder / case.name).write_bytes(case.data)
        paths.append(folder / case.name)
    return paths


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """`python -m demos ARGS` in this process (an exception would fail the test): (status, stdout, stderr)."""
    from demos.__main__ import main

    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_colorizes_the_images_that_work_and_explains_the_rest(tmp_path, capsys):
    paths = write(IMAGES, tmp_path / "in")
    status, out, err = cli(capsys, "colorize", *map(str, paths), "--out", str(tmp_path / "out"))
    assert status == 1 and not TRACEBACK.search(err + out), err[-3000:]
    lines = {p.name: next(line for line in err.splitlines() if f"] {p}" in line) for p in paths}
    for name, case in IMAGES.items():
        if case.works:
            assert (tmp_path / "out" / f"{Path(name).stem}.png").exists() and "->" in lines[name], lines[name]
        else:
            assert "skipped" in lines[name] and re.search(case.expect, lines[name]), lines[name]


def test_cli_transcribes_the_audio_that_works_and_explains_the_rest(tmp_path, capsys):
    paths = write(AUDIO, tmp_path / "in")
    status, out, err = cli(capsys, "transcribe", *map(str, paths), "--mode", "greedy")
    assert status == 1 and not TRACEBACK.search(err), err[-3000:]
    transcribed = {line.split("\t")[0] for line in out.splitlines() if "\t" in line}
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    for name, case in AUDIO.items():
        if case.works:
            assert name in transcribed, name
        else:
            line = next((e for e in errors if name in e), None)
            assert line and re.search(case.expect, line), (name, line)
    assert len(errors) == sum(not c.works for c in AUDIO.values())


def test_cli_lipsync_explains_every_bad_audio_and_photo(tmp_path, capsys):
    """Every refused audio, then every image as the face."""
    good = tmp_path / "good.wav"
    good.write_bytes(wav(1.0))
    out = str(tmp_path / "out.mp4")
    for case in AUDIO.values():
        if not case.works:
            (tmp_path / case.name).write_bytes(case.data)
            status, _out, err = cli(capsys, "lipsync", str(tmp_path / case.name), "--out", out)
            assert status == 1
            assert re.search(case.expect, err), (case.name, err)
    for case in IMAGES.values():
        (tmp_path / case.name).write_bytes(case.data)
        status, _out, err = cli(capsys, "lipsync", str(good), "--face", str(tmp_path / case.name), "--out", out)
        assert status == 1
        assert re.search(case.expect or "No face", err), (case.name, err)  # the patterns have no face to find
    assert not Path(out).exists()


# ---------------------------------------------------------------- the pages


def page_texts(node) -> list[str]:
    """Every text under `node` (values, labels, captions), to look for leaked tracebacks."""
    out = [v for v in (getattr(node, "value", None), getattr(node, "label", None)) if isinstance(v, str)]
    for child in (getattr(node, "children", None) or {}).values():
        out += page_texts(child)
    return out


def assert_clear(at, case: Case) -> None:
    """The page shows the case's message (or no error when it works), and nothing like a traceback."""
    assert not at.exception, (case.name, at.exception)
    assert not [t for t in page_texts(at._tree) if TRACEBACK.search(t)], case.name
    if case.works:
        assert not at.error, (case.name, at.error[0].value)
    else:
        assert at.error and re.search(case.expect, at.error[0].value), (case.name, [e.value for e in at.error])


def test_colorize_page_with_every_image():
    at = open_page("colorize/page.py")
    at.radio(key="col_source").set_value("your file").run()
    uploader = at.file_uploader(key="col_upload")
    assert set(IMAGE_TYPES) >= {n.rsplit(".", 1)[1] for n in IMAGES} and set(uploader.allowed_type) >= {"." + t for t in IMAGE_TYPES}
    for name, case in IMAGES.items():
        at.file_uploader(key="col_upload").upload(name, case.data, "image/*").run()
        assert_clear(at, case)
        if case.works:
            assert len(at.get("image")) >= 2 and at.get("download_button"), name
    at.file_uploader(key="col_upload").upload("again.png", IMAGES["palette.png"].data, "image/png").run()
    assert not at.error and at.get("download_button")  # and the page keeps working


# Audio that works costs the speech page about 2 s each (transcript, plots): a sample of them, one per
# container and oddity, goes through it; all of them go through the command line above.
SPEECH_PAGE_WORKS = ("192khz.flac", "half.webm", "phone-video.m4a")


def test_speech_page_with_every_bad_audio():
    at = open_page("stt/page.py")
    at.radio(key="stt_source").set_value("your file").run()
    at.radio(key="stt_mode").set_value("Greedy (no dictionary, no language model)").run()
    from demos.audio import AUDIO_TYPES

    assert set(at.file_uploader(key="stt_upload").allowed_type) >= {"." + t for t in AUDIO_TYPES}
    for name, case in AUDIO.items():
        if case.works and name not in SPEECH_PAGE_WORKS:
            continue
        at.file_uploader(key="stt_upload").upload(name, case.data, "audio/*").run()
        assert_clear(at, case)
        if case.works:
            assert any(m.value.startswith("### ") for m in at.markdown) or at.warning, name
    good = (ROOT / "demos" / "samples" / "digits_kal.ogg").read_bytes()
    at.file_uploader(key="stt_upload").upload("digits.ogg", good, "audio/ogg").run()
    assert not at.error and any(m.value.startswith("### ") for m in at.markdown)


def test_talking_face_page_with_bad_audio_and_photos():
    """Every refused audio, one that works (a video: slower), a sample of photos as the face."""
    at = open_page("lipsync/page.py")
    at.radio(key="ls_source").set_value("your file").run()
    for name in [n for n, c in AUDIO.items() if not c.works] + ["192khz.wav"]:
        at.file_uploader(key="ls_upload").upload(name, AUDIO[name].data, "audio/*").run()
        assert_clear(at, AUDIO[name])
        assert len(at.get("video")) == (1 if AUDIO[name].works else 0), name
    at.radio(key="ls_face").set_value("a photo").run()
    for name in ("empty.heic", "huge.jpg", "truncated.png", "real-bomb.png", "poster.png", "iphone.heic", "panorama.png"):
        at.file_uploader(key="ls_face_upload").upload(name, IMAGES[name].data, "image/*").run()
        case = IMAGES[name]
        assert_clear(at, case if not case.works else Case(name, case.make, "No face"))
    at.radio(key="ls_face").set_value("cartoon").run()
    assert not at.error and len(at.get("video")) == 1  # still served
