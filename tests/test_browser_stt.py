"""In a real browser: upload a clip to speech to text and read the transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_stt import MAX_WER, TEXT, wer

pytestmark = pytest.mark.browser
CLIP = Path(__file__).resolve().parents[1] / "demos" / "samples" / "weather_rms.ogg"


def test_upload_audio_shows_transcript(page, app_url):
    page.goto(f"{app_url}/speech-to-text")
    page.get_by_text("your file").first.click()
    page.locator('input[type="file"]').first.set_input_files(str(CLIP))
    page.get_by_text("Subtitles (SRT)").wait_for(timeout=120_000)
    text = page.locator("h3").filter(has_not_text="Transcript").first.inner_text()
    assert wer(text, TEXT[CLIP.name]) <= MAX_WER[CLIP.name], text
