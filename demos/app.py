"""The Streamlit app: `streamlit run demos/app.py`. Routes to one page per demo, in the session's language."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `core` and `demos` import however streamlit is started
    sys.path.insert(0, str(ROOT))

from demos import language, slots  # noqa: E402
from demos.i18n import N_, _  # noqa: E402

HERE = Path(__file__).resolve().parent
# Labels and descriptions are msgids: translated on every run, in the session's language.
PAGES = [
    {"target": HERE / "neuron" / "page.py", "url": "neuron", "label": N_("Neuron explorer"), "icon": ":material/psychology:",
     "about": N_("The lesson itself: a neuron multiplies its inputs by weights, adds a bias and passes that weighted sum "
                 "through an activation function. Move the sliders and watch every number, then follow forward propagation "
                 "through a small trained network, layer by layer.")},
    {"target": HERE / "colorize" / "page.py", "url": "colorize", "label": N_("Colorize"), "icon": ":material/palette:",
     "about": N_("A black-and-white photo in, a plausible colour photo out. The network sees only the lightness and guesses "
                 "the colours from what it learned on real photos; look inside to see what each layer picks up.")},
    {"target": HERE / "lipsync" / "page.py", "url": "talking-face", "label": N_("Talking face"), "icon": ":material/face:",
     "about": N_("An audio clip in, a face whose mouth moves in sync out, as a video (a cartoon or your own photo). "
                 "The network hears the sound 10 ms at a time and picks a mouth shape for every video frame.")},
    {"target": HERE / "stt" / "page.py", "url": "speech-to-text", "label": N_("Speech to text"), "icon": ":material/record_voice_over:",
     "about": N_("Upload or record speech in English and read the words with their times. See the letters the network hears, "
                 "and compare it with PocketSphinx, the classic engine.")},
]

slots.one_blas_thread()  # once per process: parallelism comes from the queue's slots
slots.return_memory_promptly()
language.settle()
st.set_page_config(page_title=_("See deep learning work"), page_icon=":material/psychology:", layout="wide")
st.session_state["pages"] = [{**p, "target": str(p["target"].relative_to(HERE))} for p in PAGES]
nav = st.navigation([st.Page(HERE / "home.py", title=_("Home"), icon=":material/home:", default=True)]
                   + [st.Page(p["target"], title=_(p["label"]), icon=p["icon"], url_path=p["url"]) for p in PAGES])
language.selector()
language.streamlit_texts()
nav.run()
