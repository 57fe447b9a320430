"""Home: what the suite is, and what each demo shows."""

import streamlit as st

from demos.i18n import _

st.title(_("See deep learning work"))
st.markdown(_(
    "An offline suite of small demos. Every network here was trained by our own Keras scripts and runs "
    "through our own small NumPy **forward-propagation engine** (`core/`), so you can open any model and "
    "look inside: its layers, their shapes, and the activations for *your* input.\n\n"
    "Nothing is sent anywhere: it all runs on this computer, without a network."
))
st.subheader(_("What each demo shows"))
for page in st.session_state.get("pages", []):
    st.page_link(page["target"], label=_(page["label"]), icon=page["icon"])
    st.caption(_(page["about"]))
st.caption(_("The language can be changed at any time in the sidebar; the page keeps what you did."))
