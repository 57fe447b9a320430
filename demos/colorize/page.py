"""Colorize: a black-and-white photo in, a plausible colour photo out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos.colorize.pipeline import Colorized, load_model, run_network, to_rgb
from demos.colorize.samples import SAMPLES, sample_bytes
from demos.media import IMAGE_TYPES, MediaError, read_image, to_png_bytes

SHOWN_LAYERS = ("enc2", "enc4", "mid3", "dec1")


@st.cache_data(max_entries=8, show_spinner=False)
def colorize_cached(data: bytes, name: str, trace: bool = False) -> Colorized:
    """Decode and run the network once per distinct file (the temperature slider reuses it)."""
    return run_network(read_image(data, name), trace=trace)


def activation_grid(act: np.ndarray, n: int = 8) -> list[np.ndarray]:
    """The n most active channels of one layer, each scaled to 0..1 for display."""
    a = act[0]
    idx = np.argsort(a.reshape(-1, a.shape[-1]).std(axis=0))[::-1][:n]
    out = []
    for i in idx:
        ch = a[..., i]
        lo, hi = float(ch.min()), float(ch.max())
        out.append((ch - lo) / (hi - lo) if hi > lo else np.zeros_like(ch))
    return out


def choose_photo() -> tuple[bytes, str] | None:
    source = st.radio("Photo from", ("a sample", "your file", "the camera"), horizontal=True, key="col_source")
    if source == "a sample":
        name = st.selectbox("Sample photo", list(SAMPLES), key="col_sample")
        return sample_bytes(name), name
    if source == "your file":
        up = st.file_uploader("A photo (black-and-white or colour: colour is turned grey first, so you can compare)", type=IMAGE_TYPES, key="col_upload")
        return (up.getvalue(), up.name) if up else None
    shot = st.camera_input("Take a photo", key="col_camera")
    return (shot.getvalue(), "camera.jpg") if shot else None


def page() -> None:
    st.title("Colorize")
    st.markdown(
        "The network sees only the **lightness** of your photo (L in CIE Lab) and predicts, at every spot, a "
        "**probability for each of a few hundred colours** (a and b). We then mix those colours, keep your photo's "
        "own lightness for every detail, and get a colour photo. It learned what colours things usually are "
        "from about 1,240 photos."
    )
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(f"The colorizer's weights could not be loaded: {e}")
        return
    chosen = choose_photo()
    if chosen is None:
        st.info("Choose a sample, upload a photo or take one with the camera.")
        return
    data, name = chosen
    try:
        with st.spinner("Colorizing..."):
            result = colorize_cached(data, name)
    except MediaError as e:
        st.error(str(e))
        return

    t_default = float(card["preprocessing"]["default_temperature"])
    t = st.slider("Vividness: the decoding temperature T (lower = bolder colour, 1 = safest, most muted)", 0.1, 1.0, t_default, 0.02, key="col_t")
    rgb = to_rgb(result, t)
    grey = np.repeat((result.L / 100.0)[..., None], 3, axis=2)
    cols = st.columns(3 if result.was_colour else 2)
    cols[0].image(grey, caption="What the network sees (lightness only)", clamp=True, width="stretch")
    cols[1].image(rgb, caption=f"Colorized (T = {t:.2f})", clamp=True, width="stretch")
    if result.was_colour:
        cols[2].image(read_image(data, name), caption="Your original colours, for comparison", clamp=True, width="stretch")
    st.download_button("Download the colorized photo (PNG)", to_png_bytes(rgb), file_name=f"{Path(name).stem}_colorized.png", mime="image/png", key="col_download")

    with st.expander("Look inside the network"):
        if st.toggle("Show the layers and activations for this photo", key="col_inside"):
            traced = colorize_cached(data, name, trace=True)
            rows = [{"layer": layer.name, "type": layer.kind, "output shape": str(tuple(traced.trace[layer.name].shape[1:])),
                     "parameters": layer.n_params(), "activation": layer.config.get("activation", "")} for layer in net.layers]
            st.dataframe(rows, hide_index=True, width="stretch")
            st.caption(f"{net.n_params():,} parameters in all. Each Conv2D is a weighted sum over a 3x3 (or 1x1) window of "
                       "every input channel, plus a bias, through ReLU. Below: the 8 most varied channels of a few layers for your photo.")
            for lname in SHOWN_LAYERS:
                st.markdown(f"**{lname}** {tuple(traced.trace[lname].shape[1:])}")
                st.image(activation_grid(traced.trace[lname]), width=110, clamp=True)
    with st.expander("How well does it work? (the model card)"):
        m = card.get("metrics", {})
        if m:
            st.markdown(
                f"On {m['validation']}, at T = {m['temperature']}: PSNR **{m['ours']['psnr_db']} dB** vs "
                f"{m['grey_baseline']['psnr_db']} dB for plain grey; colourfulness **{m['ours']['colourfulness']}** vs "
                f"{m['ground_truth']['colourfulness']} in the real photos ({m['colourfulness_ratio']:.2f}x)."
            )
        st.json({k: card.get(k) for k in ("training", "metrics", "parameters")}, expanded=False)


page()
