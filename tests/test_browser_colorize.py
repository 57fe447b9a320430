"""In a real browser: upload a photo to Colorize and see the result; a bad file gets a message."""

from __future__ import annotations

import pytest

from demos.colorize.samples import sample_path
from tests.badfiles import BAD_IMAGES

pytestmark = pytest.mark.browser


def test_upload_shows_colorized_photo(page, app_url, tmp_path):
    page.goto(f"{app_url}/colorize")
    page.get_by_text("your file").click()
    page.locator('input[type="file"]').set_input_files(str(sample_path("Coffee cup")))
    page.get_by_text("Colorized (T =").wait_for(timeout=60_000)
    # Both pictures (what the network sees, and the result) are decoded and shown.
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('[data-testid=stImage] img')];"
        " return imgs.length >= 2 && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        timeout=60_000,
    )
    page.get_by_text("Download the colorized photo").wait_for(timeout=30_000)

    bad = tmp_path / "notes.jpg"
    bad.write_bytes(BAD_IMAGES["notes.jpg"][0])
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text("is not an image this app can read").wait_for(timeout=60_000)
