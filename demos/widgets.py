"""Streamlit inputs shared by the pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.audio import AUDIO_TYPES

SAMPLES = Path(__file__).resolve().parent / "samples"


def choose_audio(key: str, limit: str) -> tuple[bytes, str] | None:
    """Speech from a sample clip, an uploaded file or the microphone: (bytes, file name), or None
    while the user has not chosen. `key` prefixes the widget keys; `limit` is shown with the uploader."""
    src = st.radio("Speech from", ("a sample", "your file", "the microphone"), horizontal=True, key=f"{key}_source")
    if src == "a sample":
        names = sorted(p.name for p in SAMPLES.glob("*.ogg"))
        name = st.selectbox("Sample clip (synthetic voices, made by the project)", names, key=f"{key}_sample")
        return (SAMPLES / name).read_bytes(), name
    if src == "your file":
        up = st.file_uploader(f"An audio clip (up to {limit})", type=AUDIO_TYPES, key=f"{key}_upload")
        return (up.getvalue(), up.name) if up else None
    rec = st.audio_input("Record yourself", key=f"{key}_record")
    return (rec.getvalue(), "recording.wav") if rec else None
