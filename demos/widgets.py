"""Streamlit inputs shared by the pages."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from demos import language, slots
from demos.audio import AUDIO_TYPES
from demos.i18n import N_, _, ngettext

T = TypeVar("T")
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


def waiting_text(ahead: int) -> str:
    """What a session sees while the server's slots are all taken."""
    if ahead == 0:
        n = slots.QUEUE.slots
        return ngettext("Waiting for a free slot (next in line): the server runs {n} heavy step at a time for everyone...",
                        "Waiting for a free slot (next in line): the server runs {n} heavy steps at a time for everyone...", n).format(n=n)
    return ngettext("Waiting for a free slot ({n} ahead)...", "Waiting for a free slot ({n} ahead)...", ahead).format(n=ahead)


def queued(compute: Callable[[], T], *, results: slots.SharedResults | None = None, key: Hashable | None = None) -> T:
    """compute() through the server's fair queue; while it waits, a note says how many are ahead."""
    note = st.empty()
    try:
        return slots.run(compute, lambda ahead: note.info(waiting_text(ahead), icon=":material/hourglass_top:"), results=results, key=key)
    finally:
        note.empty()
