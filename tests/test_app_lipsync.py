"""Page tests (AppTest) for the talking face: sample, upload, photo, bad inputs, look inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from demos.colorize.samples import sample_bytes
from tests.badfiles import BAD_AUDIO, wav
from tests.conftest import open_page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def at() -> AppTest:
    return open_page("lipsync/page.py")


def test_sample_gives_video_and_downloads(at):
    assert not at.error
    assert len(at.get("video")) == 1
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("MP4" in x for x in labels) and any("TSV" in x for x in labels) and any("JSON" in x for x in labels)
    at.select_slider(key="ls_fps").set_value(30).run()
    assert not at.exception and len(at.get("video")) == 1


def test_upload_audio_and_bad_audio(at):
    at.radio(key="ls_source").set_value("your file").run()
    at.file_uploader(key="ls_upload").upload("hello.ogg", (ROOT / "demos" / "samples" / "hello_slt.ogg").read_bytes(), "audio/ogg").run()
    assert not at.exception and not at.error and len(at.get("video")) == 1
    for name, (data, pattern) in {**BAD_AUDIO, "silence.wav": (wav(2.0, kind="silence"), "silent")}.items():
        at.file_uploader(key="ls_upload").upload(name, data, "audio/wav").run()
        assert not at.exception, name
        assert at.error and any(p in at.error[0].value for p in pattern.split("|")), (name, at.error)


def test_photo_face_and_no_face(at):
    at.radio(key="ls_face").set_value("a photo").run()
    assert any("right to use" in c.value for c in at.caption)
    at.file_uploader(key="ls_face_upload").upload("cat.png", sample_bytes("Cat"), "image/png").run()
    assert at.error and "No face" in at.error[0].value
    assert any("cartoon" in i.value for i in at.info)
    at.file_uploader(key="ls_face_upload").upload("face.png", sample_bytes("Astronaut"), "image/png").run()
    assert not at.error and len(at.get("video")) == 1


def test_look_inside(at):
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["layer"])[-1] == "shape"
