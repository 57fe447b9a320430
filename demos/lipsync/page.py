"""Talking face: an audio clip in, a face whose mouth moves in sync, as a video."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos import language, slots
from demos.audio import is_silent, read_audio
from demos.i18n import N_, _, count, current, pct, translate
from demos.lipsync.pipeline import MouthTrack, load_model, mouth_track, render_video
from demos.lipsync.render import NoFaceError
from demos.lipsync.visemes import DESCRIPTION, SHAPES
from demos.media import IMAGE_TYPES, MediaError, read_image
from demos.plots import localize
from demos.widgets import choose_audio, waiting_text

MAX_SECONDS = 120.0
FACES = (N_("cartoon"), N_("a photo"))
PHOTO_SOURCES = (N_("upload"), N_("camera"))


@st.cache_data(max_entries=4, show_spinner=False)
def decode_audio(data: bytes, name: str) -> np.ndarray:
    x = read_audio(data, name, max_seconds=MAX_SECONDS)
    if is_silent(x):
        raise MediaError(_("{name} is silent: there is no speech to animate. Try a clip where someone speaks.").format(name=name))
    return x


def make_video(data: bytes, name: str, face_data: bytes | None, face_name: str, fps: float) -> tuple[bytes, MouthTrack]:
    """Render once per (audio, face, fps, language of the "synthetic" mark); kept in the session so
    reruns (downloads, expanders, switching language back) are instant."""
    face_key = b"cartoon" if face_data is None else b"photo:" + face_data
    key = hashlib.sha1(data + b"|" + face_key + f"|{fps}|{current()}".encode()).hexdigest()
    cache = st.session_state.setdefault("ls_videos", {})
    if key not in cache:
        x = decode_audio(data, name)
        face = None if face_data is None else read_image(face_data, face_name)  # an empty file gets its message
        bar = st.progress(0.0, text=_("Listening..."))
        try:
            # One slot of the server's queue for the network pass and the encoding; the bar says how many wait ahead.
            with slots.QUEUE.slot(lambda ahead: bar.progress(0.0, text=waiting_text(ahead))):
                bar.progress(0.0, text=_("Listening..."))
                track = mouth_track(x, fps=fps)
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "talking.mp4"
                    render_video(x, track, out, face=face, progress=lambda f: bar.progress(min(f, 1.0), text=_("Rendering the video...")))
                    video = out.read_bytes()
        finally:  # also when the photo has no face: no progress bar left behind
            bar.empty()
        while len(cache) >= 4:  # keep memory bounded
            cache.pop(next(iter(cache)))
        cache[key] = (video, track)
    return cache[key]


def choose_face() -> tuple[bytes | None, str]:
    """(None, "") for the cartoon; (b"", "") while no photo is given; else the photo's bytes and name."""
    face = language.choice(st.radio, _("Face"), FACES, horizontal=True, key="ls_face")
    if face == "cartoon":
        return None, ""
    st.caption(_("Making a real person seem to say something can hurt them. Only animate faces you have the right "
                 "to use (your own, or with permission). Every video carries a visible mark that it is synthetic."))
    how = language.choice(st.radio, _("Photo from"), PHOTO_SOURCES, horizontal=True, key="ls_face_src")
    if how == "upload":
        up = st.file_uploader(_("A photo with one front-facing face"), type=IMAGE_TYPES, key="ls_face_upload")
        return (up.getvalue(), up.name) if up else (b"", "")
    shot = st.camera_input(_("Take a photo"), key="ls_face_camera")
    return (shot.getvalue(), "camera.jpg") if shot else (b"", "")


def posteriorgram(x: np.ndarray, probs: np.ndarray, fps: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a0, a1) = plt.subplots(2, 1, figsize=(10, 3.6), dpi=100, sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    t = np.arange(len(x)) / 16000
    step = max(1, len(x) // 8000)
    a0.plot(t[::step], x[::step], lw=0.5, color="#444")
    a0.set_ylabel(_("audio"))
    a0.set_yticks([])
    a1.imshow(probs.T, aspect="auto", origin="upper", cmap="magma", extent=(0, len(probs) / fps, len(SHAPES) - 0.5, -0.5), vmin=0, vmax=1)
    a1.set_yticks(range(len(SHAPES)), SHAPES)
    a1.set_xlabel(_("seconds"))
    a1.set_ylabel(_("mouth shape"))
    fig.tight_layout()
    return localize(fig)


def look_inside(net, card: dict, data: bytes, name: str, track: MouthTrack, fps: float) -> None:
    """The mouth-shape probabilities under the waveform, and the layer table."""
    x = decode_audio(data, name)
    st.pyplot(posteriorgram(x, track.probs, fps), clear_figure=True)
    shapes = "; ".join(f"**{s}** {_(d)}" for s, d in DESCRIPTION.items())
    st.caption(_("Top: the sound wave. Bottom: for each video frame, the probability the network gives each mouth shape "
                 "(bright = likely). {shapes}.").format(shapes=shapes))
    from demos.features import log_mel

    feats = log_mel(x[: 16000 * 2], card["preprocessing"]["n_mels"])[None]
    _out, acts = net.forward(feats, trace=True)
    st.dataframe([{_("layer"): layer.name, _("type"): layer.kind, _("output shape (first 2 s)"): str(tuple(acts[layer.name].shape[1:])),
                   _("parameters"): layer.n_params(), _("activation"): _(layer.config.get("activation", "")),
                   _("kernel, dilation"): f"{layer.params['kernel'].shape[0]}, {layer.config.get('dilation', 1)}" if "kernel" in layer.params else ""}
                  for layer in net.layers], hide_index=True, width="stretch")
    st.caption(_("{n} parameters. Input: {bands} log-mel bands every 10 ms. "
                 "Each Conv1D output is a weighted sum over a few neighbouring frames of every input channel, plus a bias, "
                 "through ReLU; the last layer's softmax gives the 9 probabilities.").format(
        n=count(net.n_params()), bands=card["preprocessing"]["n_mels"]))


def model_card(card: dict) -> None:
    m = card.get("metrics", {})
    lags = m.get("best_lag_frames", {})
    for group, text in (("native", _("Native English speakers it never heard in training")),
                        ("non-native", _("Learners of English (Mandarin speakers) it never heard in training"))):
        ours, base = m.get(f"{group}/ours (shipped: smoothed)"), m.get(f"{group}/baseline (phone recognition)")
        if ours and base and isinstance(lags, dict):
            st.markdown(_("{who}: the right mouth shape within one frame **{ours}** of the time (exactly: {exact}), against "
                          "{base} (exactly: {base_exact}) for a Rhubarb-style baseline (PocketSphinx phone recognition); "
                          "best lag {lag} frames.").format(
                who=text, ours=pct(ours["within_1_frame"]), exact=pct(ours["exact"]), base=pct(base["within_1_frame"]),
                base_exact=pct(base["exact"]), lag=f"{lags.get(group, 0):+d}"))
    st.caption(_("The model card as stored (its notes are in English):"))
    st.json({k: card.get(k) for k in ("training", "metrics", "parameters")}, expanded=False)


def page() -> None:
    st.title(_("Talking face"))
    st.markdown(_(
        "A small network listens to the sound, 10 ms at a time (with a little of what comes next, because lips move "
        "before we hear the sound), and picks one of 9 **mouth shapes** for every video frame. The face is then drawn "
        "with that mouth, and the frames and the sound become a video."
    ))
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(_("The mouth-shape model could not be loaded: {error}").format(error=translate(e)))
        return
    chosen = choose_audio("ls", 2)
    face_data, face_name = choose_face()
    fps = float(st.select_slider(_("Frames per second"), [24, 25, 30], value=25, key="ls_fps"))
    if chosen is None:
        st.info(_("Choose a sample clip, upload one, or record yourself."))
        return
    if face_data == b"" and not face_name:
        st.info(_("Upload or take a photo of a face, or choose the cartoon."))
        return
    data, name = chosen
    try:
        video, track = make_video(data, name, face_data, face_name, fps)
    except MediaError as e:
        st.error(str(e))
        if isinstance(e, NoFaceError):
            st.info(_("Tip: choose **cartoon** above to animate the drawn face instead."))
        return
    left, _right = st.columns([3, 2])
    left.video(video, format="video/mp4")
    stem = Path(name).stem
    c1, c2, c3 = st.columns(3)
    c1.download_button(_("Download the video (MP4)"), video, file_name=f"{stem}_talking.mp4", mime="video/mp4", key="ls_dl_mp4")
    c2.download_button(_("Mouth cues (Rhubarb TSV)"), track.tsv(), file_name=f"{stem}_cues.tsv", mime="text/tab-separated-values", key="ls_dl_tsv")
    c3.download_button(_("Mouth cues (Rhubarb JSON)"), track.json(name), file_name=f"{stem}_cues.json", mime="application/json", key="ls_dl_json")
    with st.expander(_("Look inside the network")):
        look_inside(net, card, data, name, track, fps)
    with st.expander(_("How well does it work? (the model card)")):
        model_card(card)


page()
