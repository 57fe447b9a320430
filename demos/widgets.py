"""Streamlit inputs shared by the pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos import language
from demos.audio import AUDIO_TYPES
from demos.i18n import N_, _, ngettext

SAMPLES = Path(__file__).resolve().parent / "samples"
SOURCES = (N_("a sample"), N_("your file"), N_("the microphone"))  # the values stay English; the labels are translated


def choose_audio(key: str, limit_minutes: int) -> tuple[bytes, str] | None:
    """Speech from a sample clip, an uploaded file or the microphone: (bytes, file name), or None
    while the user has not chosen. `key` prefixes the widget keys; the limit is shown with the uploader."""
    src = language.choice(st.radio, _("Speech from"), SOURCES, horizontal=True, key=f"{key}_source")
    if src == "a sample":
        names = sorted(p.name for p in SAMPLES.glob("*.ogg"))
        name = st.selectbox(_("Sample clip (synthetic voices, made by the project)"), names, key=f"{key}_sample")
        return (SAMPLES / name).read_bytes(), name
    if src == "your file":
        label = ngettext("An audio clip (up to {n} minute)", "An audio clip (up to {n} minutes)", limit_minutes).format(n=limit_minutes)
        up = st.file_uploader(label, type=AUDIO_TYPES, key=f"{key}_upload")
        return (up.getvalue(), up.name) if up else None
    rec = st.audio_input(_("Record yourself"), key=f"{key}_record")
    return (rec.getvalue(), "recording.wav") if rec else None
