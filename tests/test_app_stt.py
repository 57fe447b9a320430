"""Page tests (AppTest) for speech to text: sample, modes, downloads, compare, upload, bad inputs, look inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.badfiles import BAD_AUDIO, wav
from tests.conftest import open_page
from tests.test_stt import MAX_WER, TEXT, wer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def at() -> AppTest:
    return open_page("stt/page.py")


def transcript(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### ")).removeprefix("### ")


def test_sample_gives_transcript_and_downloads(at):
    assert not at.exception and not at.error
    at.selectbox(key="stt_sample").set_value("numbers_awb.ogg").run()
    text = transcript(at)
    assert wer(text, TEXT["numbers_awb.ogg"]) <= MAX_WER["numbers_awb.ogg"], text
    labels = [b.proto.label for b in at.get("download_button")]
    assert all(any(k in x for x in labels) for k in ("TXT", "SRT", "VTT", "JSON"))
    words = at.dataframe[0].value
    assert list(words.columns) == ["word", "start (s)", "end (s)"] and len(words) >= 5


def test_modes(at):
    at.selectbox(key="stt_sample").set_value("digits_kal.ogg").run()
    at.radio(key="stt_mode").set_value("Digits only (zero to nine)").run()
    assert not at.exception and transcript(at) == "four seven one nine three eight"
    at.radio(key="stt_mode").set_value("Greedy (no dictionary, no language model)").run()
    assert not at.exception and transcript(at)


def test_compare_with_pocketsphinx(at):
    at.toggle(key="stt_compare").set_value(True).run()
    assert not at.exception
    bold = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any("Ours" in b for b in bold) and any("PocketSphinx" in b for b in bold)


def test_upload_and_bad_uploads(at):
    at.radio(key="stt_source").set_value("your file").run()
    at.file_uploader(key="stt_upload").upload("weather.ogg", (ROOT / "demos" / "samples" / "weather_rms.ogg").read_bytes(), "audio/ogg").run()
    assert not at.exception and not at.error and wer(transcript(at), TEXT["weather_rms.ogg"]) <= MAX_WER["weather_rms.ogg"]
    for name, (data, pattern) in BAD_AUDIO.items():
        at.file_uploader(key="stt_upload").upload(name, data, "audio/wav").run()
        assert not at.exception, name
        assert at.error and any(p in at.error[0].value for p in pattern.split("|")), (name, at.error)
    at.file_uploader(key="stt_upload").upload("silence.wav", wav(3.0, kind="silence"), "audio/wav").run()
    assert not at.exception and any("silent" in w.value for w in at.warning)
    # and the page still works afterwards
    at.file_uploader(key="stt_upload").upload("weather.ogg", (ROOT / "demos" / "samples" / "weather_rms.ogg").read_bytes(), "audio/ogg").run()
    assert not at.error and wer(transcript(at), TEXT["weather_rms.ogg"]) <= MAX_WER["weather_rms.ogg"]


def test_look_inside(at):
    assert not at.exception
    layers = at.dataframe[-1].value
    assert list(layers["layer"])[-1] == "chars_phones"  # the letters' and the phones' scores in one layer
    assert len(at.get("image")) == 2  # the posteriorgrams: letters, then phones
    assert any("29 for the characters and 41 for the phones" in c.value for c in at.caption)
