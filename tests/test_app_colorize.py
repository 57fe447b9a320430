"""Page tests (AppTest) for Colorize: samples, uploads, bad uploads, the slider, look inside."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from demos.colorize.samples import sample_bytes
from tests.badfiles import BAD_IMAGES
from tests.conftest import open_page


@pytest.fixture
def at() -> AppTest:
    return open_page("colorize/page.py")


def test_sample_is_colorized_with_download(at):
    assert len(at.get("image")) == 2  # what the network sees, and the result
    intro = " ".join(m.value for m in at.markdown)
    learned = re.search(r"from about ([\d,]+) photos", intro)
    assert learned and int(learned.group(1).replace(",", "")) > 1000, "the model card's photo count is missing"
    assert not at.error
    assert at.get("download_button")
    at.slider(key="col_t").set_value(0.2).run()
    assert not at.exception
    at.slider(key="col_boost").set_value(0.4).run()
    assert not at.exception and len(at.get("image")) == 2
    at.toggle(key="col_inside").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "ab_logits" in list(table["layer"]) and "output shape" in table.columns


def test_a_grey_result_says_why_and_vividness_brings_colour(at):
    """The motorbike comes out almost grey as shipped (colourfulness 1.0): the page says the network
    is unsure and points to vividness, which brings colour out (9.5 at 0.5); a coloured result says nothing."""
    assert not at.info  # the Cameraman: a blue sky over a dry lawn
    at.selectbox(key="col_sample").set_value("Motorbike").run()
    assert not at.exception and len(at.info) == 1 and "vividness" in at.info[0].value
    at.slider(key="col_boost").set_value(0.5).run()
    assert not at.exception and not at.info


def test_upload_and_bad_uploads(at):
    at.radio(key="col_source").set_value("your file").run()
    at.file_uploader(key="col_upload").upload("cat.png", sample_bytes("Cat"), "image/png").run()
    assert not at.exception and not at.error
    assert len(at.get("image")) == 3 and at.get("download_button")  # + the original colours
    for name, (data, pattern) in BAD_IMAGES.items():
        at.file_uploader(key="col_upload").upload(name, data, "image/jpeg").run()
        assert not at.exception, name
        assert at.error, f"{name}: no error shown"
        assert any(w in at.error[0].value for w in pattern.split("|")), at.error[0].value
    # ... and the page keeps working afterwards
    at.file_uploader(key="col_upload").upload("cat.png", sample_bytes("Cat"), "image/png").run()
    assert not at.error and at.get("download_button")
