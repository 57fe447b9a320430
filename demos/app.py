"""The Streamlit app: `streamlit run demos/app.py`. Routes to one page per demo."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so `core` and `demos` import however streamlit is started
    sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent
PAGES = [
    {"target": HERE / "neuron" / "page.py", "url": "neuron", "label": "Neuron explorer", "icon": ":material/psychology:",
     "about": "A weighted sum plus a bias through an activation; forward propagation through a small trained network, every number shown."},
    {"target": HERE / "colorize" / "page.py", "url": "colorize", "label": "Colorize", "icon": ":material/palette:",
     "about": "A black-and-white photo in, a plausible colour photo out; look inside the network that does it."},
    {"target": HERE / "lipsync" / "page.py", "url": "talking-face", "label": "Talking face", "icon": ":material/face:",
     "about": "An audio clip in, a face whose mouth moves in sync, as a video (cartoon or your own photo)."},
    {"target": HERE / "stt" / "page.py", "url": "speech-to-text", "label": "Speech to text", "icon": ":material/record_voice_over:",
     "about": "Upload or record speech and read the words with their times; compare with PocketSphinx."},
]

st.set_page_config(page_title="See deep learning work", page_icon=":material/psychology:", layout="wide")
st.session_state["pages"] = [{**p, "target": str(p["target"].relative_to(HERE))} for p in PAGES]
nav = st.navigation([st.Page(HERE / "home.py", title="Home", icon=":material/home:", default=True)]
                    + [st.Page(p["target"], title=p["label"], icon=p["icon"], url_path=p["url"]) for p in PAGES])
nav.run()
