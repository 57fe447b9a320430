"""Home: what the suite is, and the pages that exist."""

import streamlit as st

st.title("See deep learning work")
st.markdown(
    "An offline suite of small demos. Every network here was trained by our own Keras scripts and runs "
    "through our own small NumPy **forward-propagation engine** (`core/`), so you can open any model and "
    "look inside: its layers, their shapes, and the activations for *your* input.\n\n"
    "Nothing is sent anywhere: it all runs on this computer, without a network."
)
for page in st.session_state.get("pages", []):
    st.page_link(page["target"], label=page["label"], icon=page["icon"])
    st.caption(page["about"])
