"""In a real browser: upload a clip to the talking face; the video loads and has a duration."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
HELLO = Path(__file__).resolve().parents[1] / "demos" / "samples" / "hello_slt.ogg"


def test_upload_audio_plays_video(page, app_url):
    page.goto(f"{app_url}/talking-face")
    page.get_by_text("your file").first.click()
    page.locator('input[type="file"]').first.set_input_files(str(HELLO))
    video = page.locator("video")
    video.wait_for(timeout=90_000)
    page.wait_for_function("() => { const v = document.querySelector('video'); return v && v.readyState >= 1 && v.duration > 0; }", timeout=60_000)
    duration = page.evaluate("() => document.querySelector('video').duration")
    assert 7.5 < duration < 8.7  # the clip is 8.1 s
    page.get_by_text("Download the video (MP4)").wait_for(timeout=30_000)
