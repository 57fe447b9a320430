"""Colorize: a black-and-white photo in, a plausible colour photo out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos import language, slots
from demos.colorize.pipeline import (
    SHOWN_PIXELS,
    Colorized,
    bounded,
    confidence,
    full_size_png,
    load_model,
    run_network,
    softmax,
    to_rgb,
    with_boost,
)
from demos.colorize.quality import colourfulness
from demos.colorize.samples import SAMPLES, sample_bytes
from demos.i18n import N_, _, count, num, pct, translate
from demos.media import IMAGE_TYPES, MediaError, read_image
from demos.widgets import queued


def shown_layers(net, n: int = 4) -> list[str]:
    """n layers spread from the input to the output, among those that end in a ReLU (or ReLU6)."""
    relu = [layer.name for layer in net.layers if layer.config.get("activation") in ("relu", "relu6")]
    return [relu[round(i * (len(relu) - 1) / (n - 1))] for i in range(n)] if len(relu) >= n else relu


FAINT = 5.0  # a result's colourfulness below which it looks grey (grey ~0, an ordinary photo ~40)
RESULTS = slots.SharedResults(8)  # shared by all sessions: a sample 30 learners pick is computed once


def colorize_shared(data: bytes, name: str, trace: bool = False) -> tuple[Colorized, np.ndarray]:
    """Decode and run the network once per distinct file (the temperature slider reuses it), in a
    slot of the server's queue. Returns the result and the photo (uint8: a quarter of the memory in
    the shared cache), both at most SHOWN_PIXELS."""
    def compute() -> tuple[Colorized, np.ndarray]:
        shown = bounded(read_image(data, name), SHOWN_PIXELS)
        return run_network(shown, trace=trace), (shown * 255 + 0.5).astype(np.uint8)

    return queued(compute, results=RESULTS, key=(hashlib.sha1(data).hexdigest(), trace))


def full_size_download(data: bytes, name: str, logits: np.ndarray, t: float, decode: dict | None,
                       gain: np.ndarray | None = None) -> bytes:
    """The PNG at the photo's own size, made when the button is clicked, in a slot of the queue
    (the browser's download simply waits for it)."""
    with slots.QUEUE.slot():
        return full_size_png(read_image(data, name), logits, t, decode, gain)


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
    source = language.choice(st.radio, _("Photo from"), (N_("a sample"), N_("your file"), N_("the camera")), horizontal=True, key="col_source")
    if source == "a sample":
        name = language.choice(st.selectbox, _("Sample photo"), list(SAMPLES), key="col_sample")
        return sample_bytes(name), name
    if source == "your file":
        up = st.file_uploader(_("A photo (black-and-white or colour: colour is turned grey first, so you can compare)"), type=IMAGE_TYPES, key="col_upload")
        return (up.getvalue(), up.name) if up else None
    shot = st.camera_input(_("Take a photo"), key="col_camera")
    return (shot.getvalue(), "camera.jpg") if shot else None


def page() -> None:
    st.title(_("Colorize"))
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(_("The colorizer's weights could not be loaded: {error}").format(error=translate(e)))
        return
    st.markdown(_(
        "The network sees only the **lightness** of your photo (L in CIE Lab) and predicts, at every spot, a "
        "**probability for each of a few hundred colours** (a and b). We then mix those colours, keep your photo's "
        "own lightness for every detail, and get a colour photo. It learned what colours things usually are "
        "from about {photos} photos."
    ).format(photos=count(card.get("training", {}).get("train_images") or 0)))
    st.markdown(_(
        "**When unsure, it says less.** A small network often guesses one tint for a whole photo (warm, green, "
        "blue): right, it wins a lot; wrong, it is a wash over everything. So less than half of that tint is kept, "
        "while the differences between regions (sky and grass) stay whole, and small stray spots of colour are "
        "smoothed into their surroundings. A photo the network colours only faintly as a whole (a sign that it is "
        "unsure) gets less colour still, and one it colours boldly gets more. A wrong colour at full strength looks worse than none."
    ))
    chosen = choose_photo()
    if chosen is None:
        st.info(_("Choose a sample, upload a photo or take one with the camera."))
        return
    data, name = chosen
    try:
        with st.spinner(_("Colorizing...")):
            result, shown = colorize_shared(data, name)
    except MediaError as e:
        st.error(str(e))
        return

    t_default = float(card["preprocessing"]["default_temperature"])
    t = st.slider(_("Decoding temperature T (lower = each spot's most likely colour; 1 = the average of all its colours)"),
                  0.1, 1.0, t_default, 0.02, key="col_t",
                  help=_("At every spot the network gives each colour a probability. At T = 1 the colours are mixed by "
                         "those probabilities; lower T gives the most likely colour more weight. Where the network is "
                         "unsure, its most likely colour is often a grey, so lower T can come out greyer there."))
    boost_default = float(card["preprocessing"].get("decode", {}).get("prior", 0.0))
    boost = st.slider(_("Vividness: boost rare colours (0 = as trained; higher = bolder, and more often wrong)"), 0.0, 0.7, boost_default, 0.05,
                      key="col_boost", help=_("Each colour's probability is divided by how common that colour was in the training "
                                              "photos, raised to this power, so a vivid colour the network half-believes is not "
                                              "outvoted by the common greys and browns."))
    muted = st.toggle(_("Say less when unsure (as shipped): keep only part of a tint over the whole photo, smooth out stray spots of colour"),
                      value=True, key="col_muted")
    decode = with_boost(card["preprocessing"].get("decode", {}) if muted else {}, boost)
    rgb = to_rgb(result, t, decode)
    grey = np.repeat((result.L / 100.0)[..., None], 3, axis=2)
    cols = st.columns(3 if result.was_colour else 2)
    cols[0].image(grey, caption=_("What the network sees (lightness only)"), clamp=True, width="stretch")
    cols[1].image(rgb, caption=_("Colorized (T = {t})").format(t=num(t)), clamp=True, width="stretch")
    if result.was_colour:
        cols[2].image(shown, caption=_("Your original colours, for comparison"), clamp=True, width="stretch")
    if colourfulness(rgb) < FAINT:
        st.info(_("The network is unsure of this photo's colours, so it says almost nothing: a wrong colour at full "
                  "strength would look worse than grey. Raise the vividness to see what it half-believes."))
    logits, gain = result.logits, result.gain
    st.download_button(_("Download the colorized photo (PNG)"), lambda: full_size_download(data, name, logits, t, decode, gain),
                       file_name=f"{Path(name).stem}_colorized.png", mime="image/png", key="col_download")

    with st.expander(_("Look inside the network")):
        if st.toggle(_("Show the layers and activations for this photo"), key="col_inside"):
            traced, _shown = colorize_shared(data, name, trace=True)
            rows = [{_("layer"): layer.name, _("type"): layer.kind, _("output shape"): str(tuple(traced.trace[layer.name].shape[1:])),
                     _("parameters"): layer.n_params(), _("activation"): _(layer.config.get("activation", ""))} for layer in net.layers]
            st.dataframe(rows, hide_index=True, width="stretch")
            if any(layer.kind == "DepthwiseConv2D" for layer in net.layers):
                st.caption(_("{n} parameters in all. The layers named enc are EfficientNet-Lite0, a network trained on 1.3 million "
                             "ImageNet photos to recognise 1,000 kinds of object; here it only sees the grey photo. Each "
                             "DepthwiseConv2D is a weighted sum over a 3x3 or 5x5 window of one channel on its own, and the 1x1 "
                             "Conv2D after it mixes the channels; each sum has a bias and goes through ReLU6 (a ReLU capped at 6). "
                             "The dec layers turn what it recognised into colours. Below: the 8 most varied channels of a few "
                             "layers for your photo.").format(n=count(net.n_params())))
            else:
                st.caption(_("{n} parameters in all. Each Conv2D is a weighted sum over a 3x3 (or 1x1) window of "
                             "every input channel, plus a bias, through ReLU. Below: the 8 most varied channels of a few layers for your photo.").format(
                    n=count(net.n_params())))
            for lname in shown_layers(net):
                st.markdown(f"**{lname}** {tuple(traced.trace[lname].shape[1:])}")
                st.image(activation_grid(traced.trace[lname]), width=110, clamp=True)
            sure = confidence(softmax(result.logits))
            st.image((sure - sure.min()) / max(float(sure.max() - sure.min()), 1e-6), width=330, clamp=True, caption=_(
                "How sure the network is, spot by spot (white: most sure, black: least): 1 minus the entropy of its "
                "colour probabilities, from {lo} to {hi} in this photo.").format(lo=num(float(sure.min())), hi=num(float(sure.max()))))
    with st.expander(_("How well does it work? (the model card)")):
        for split, m in card.get("metrics", {}).items():
            if isinstance(m, dict) and "ours" in m:
                o = m["ours"]
                st.markdown(_(
                    "On **{split}** ({photos} photos never trained on): on average **{gain} dB** of PSNR against simply "
                    "leaving the photo grey; better than grey on {better} of the photos, worse by more than 1 dB on "
                    "{worse}; colourfulness {ratio}x that of the real photos."
                ).format(split=split, photos=count(m["photos"]), gain=num(o["psnr_gain_db"], sign=True), better=pct(o["better_than_grey"], 0),
                         worse=pct(o["worse_than_grey_by_1db"], 0), ratio=num(o["colourfulness_ratio"])))
        st.caption(_("The model card as stored (its notes are in English):"))
        st.json({k: card.get(k) for k in ("training", "metrics", "parameters")}, expanded=False)


page()
