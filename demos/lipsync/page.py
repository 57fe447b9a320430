"""Talking face: an audio clip in, a face whose mouth moves in sync, as a video."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos.audio import is_silent, read_audio
from demos.lipsync.pipeline import MouthTrack, load_model, mouth_track, render_video
from demos.lipsync.visemes import DESCRIPTION, SHAPES
from demos.media import IMAGE_TYPES, MediaError, read_image
from demos.widgets import choose_audio

MAX_SECONDS = 120.0


@st.cache_data(max_entries=4, show_spinner=False)
def decode_audio(data: bytes, name: str) -> np.ndarray:
    x = read_audio(data, name, max_seconds=MAX_SECONDS)
    if is_silent(x):
        raise MediaError(f"{name} is silent: there is no speech to animate. Try a clip where someone speaks.")
    return x


def make_video(data: bytes, name: str, face_data: bytes | None, face_name: str, fps: float) -> tuple[bytes, MouthTrack]:
    """Render once per (audio, face, fps); kept in the session so reruns (downloads, expanders) are instant."""
    key = hashlib.sha1(data + b"|" + (face_data or b"cartoon") + f"|{fps}".encode()).hexdigest()
    cache = st.session_state.setdefault("ls_videos", {})
    if key not in cache:
        x = decode_audio(data, name)
        face = read_image(face_data, face_name) if face_data else None
        bar = st.progress(0.0, text="Listening...")
        track = mouth_track(x, fps=fps)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "talking.mp4"
            render_video(x, track, out, face=face, progress=lambda f: bar.progress(min(f, 1.0), text="Rendering the video..."))
            video = out.read_bytes()
        bar.empty()
        while len(cache) >= 3:  # keep memory bounded
            cache.pop(next(iter(cache)))
        cache[key] = (video, track)
    return cache[key]


def choose_face() -> tuple[bytes | None, str]:
    face = st.radio("Face", ("cartoon", "a photo"), horizontal=True, key="ls_face")
    if face == "cartoon":
        return None, ""
    st.caption("Making a real person seem to say something can hurt them. Only animate faces you have the right "
               "to use (your own, or with permission). Every video carries a visible mark that it is synthetic.")
    how = st.radio("Photo from", ("upload", "camera"), horizontal=True, key="ls_face_src")
    if how == "upload":
        up = st.file_uploader("A photo with one front-facing face", type=IMAGE_TYPES, key="ls_face_upload")
        return (up.getvalue(), up.name) if up else (b"", "")
    shot = st.camera_input("Take a photo", key="ls_face_camera")
    return (shot.getvalue(), "camera.jpg") if shot else (b"", "")


def posteriorgram(x: np.ndarray, probs: np.ndarray, fps: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a0, a1) = plt.subplots(2, 1, figsize=(10, 3.6), dpi=100, sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    t = np.arange(len(x)) / 16000
    step = max(1, len(x) // 8000)
    a0.plot(t[::step], x[::step], lw=0.5, color="#444")
    a0.set_ylabel("audio")
    a0.set_yticks([])
    a1.imshow(probs.T, aspect="auto", origin="upper", cmap="magma", extent=(0, len(probs) / fps, len(SHAPES) - 0.5, -0.5), vmin=0, vmax=1)
    a1.set_yticks(range(len(SHAPES)), SHAPES)
    a1.set_xlabel("seconds")
    a1.set_ylabel("mouth shape")
    fig.tight_layout()
    return fig


def page() -> None:
    st.title("Talking face")
    st.markdown(
        "A small network listens to the sound, 10 ms at a time (with a little of what comes next, because lips move "
        "before we hear the sound), and picks one of 9 **mouth shapes** for every video frame. The face is then drawn "
        "with that mouth, and the frames and the sound become a video."
    )
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(f"The mouth-shape model could not be loaded: {e}")
        return
    chosen = choose_audio("ls", "2 minutes")
    face_data, face_name = choose_face()
    fps = float(st.select_slider("Frames per second", [24, 25, 30], value=25, key="ls_fps"))
    if chosen is None:
        st.info("Choose a sample clip, upload one, or record yourself.")
        return
    if face_data == b"":
        st.info("Upload or take a photo of a face, or choose the cartoon.")
        return
    data, name = chosen
    try:
        video, track = make_video(data, name, face_data, face_name, fps)
    except MediaError as e:
        st.error(str(e))
        if "No face" in str(e):
            st.info("Tip: choose **cartoon** above to animate the drawn face instead.")
        return
    left, _ = st.columns([3, 2])
    left.video(video, format="video/mp4")
    stem = Path(name).stem
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download the video (MP4)", video, file_name=f"{stem}_talking.mp4", mime="video/mp4", key="ls_dl_mp4")
    c2.download_button("Mouth cues (Rhubarb TSV)", track.tsv(), file_name=f"{stem}_cues.tsv", mime="text/tab-separated-values", key="ls_dl_tsv")
    c3.download_button("Mouth cues (Rhubarb JSON)", track.json(name), file_name=f"{stem}_cues.json", mime="application/json", key="ls_dl_json")

    with st.expander("Look inside the network"):
        x = decode_audio(data, name)
        st.pyplot(posteriorgram(x, track.probs, fps), clear_figure=True)
        st.caption("Top: the sound wave. Bottom: for each video frame, the probability the network gives each mouth shape "
                   "(bright = likely). " + "; ".join(f"**{s}** {d}" for s, d in DESCRIPTION.items()) + ".")
        from demos.features import log_mel

        feats = log_mel(x[: 16000 * 2], card["preprocessing"]["n_mels"])[None]
        _, acts = net.forward(feats, trace=True)
        st.dataframe([{"layer": layer.name, "type": layer.kind, "output shape (first 2 s)": str(tuple(acts[layer.name].shape[1:])),
                       "parameters": layer.n_params(), "activation": layer.config.get("activation", ""),
                       "kernel, dilation": f"{layer.params['kernel'].shape[0]}, {layer.config.get('dilation', 1)}" if "kernel" in layer.params else ""}
                      for layer in net.layers], hide_index=True, width="stretch")
        st.caption(f"{net.n_params():,} parameters. Input: {card['preprocessing']['n_mels']} log-mel bands every 10 ms. "
                   "Each Conv1D output is a weighted sum over a few neighbouring frames of every input channel, plus a bias, "
                   "through ReLU; the last layer's softmax gives the 9 probabilities.")
    with st.expander("How well does it work? (the model card)"):
        m = card.get("metrics", {})
        ours, base = m.get("overall/ours (shipped: smoothed)"), m.get("overall/baseline (phone recognition)")
        if ours and base:
            st.markdown(f"On {m['validation']}: the right mouth shape within one frame **{ours['within_1_frame']:.1%}** of the time "
                        f"(exactly: {ours['exact']:.1%}), against {base['within_1_frame']:.1%} for a Rhubarb-style baseline "
                        f"(PocketSphinx phone recognition); best lag {m['best_lag_frames']:+d} frames.")
        st.json({k: card.get(k) for k in ("training", "metrics", "parameters")}, expanded=False)


page()
