"""Speech to text: record or upload speech, read the words with their times."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos.audio import read_audio
from demos.media import MediaError
from demos.stt import decoder, lm
from demos.stt.pipeline import Transcript, load_model, pocketsphinx, transcribe
from demos.widgets import choose_audio

PS_MAX_SECONDS = 120.0
MODE_LABELS = {"English words + language model": "lm", "Digits only (zero to nine)": "digits", "Greedy (no dictionary, no language model)": "greedy"}


@st.cache_data(max_entries=4, show_spinner=False)
def decode_audio(data: bytes, name: str) -> np.ndarray:
    return read_audio(data, name)


def get_transcript(data: bytes, name: str, mode: str) -> Transcript:
    """Transcribe once per (clip, mode); kept in the session so reruns (downloads, expanders) are instant."""
    key = hashlib.sha1(data).hexdigest() + mode
    cache = st.session_state.setdefault("stt_results", {})
    if key not in cache:
        x = decode_audio(data, name)
        if mode == "lm" and not lm.ready():
            bar = st.progress(0.0, text="Preparing the language model (once)...")
            try:
                lm.build(lambda f, s: bar.progress(min(f, 1.0), text=s))
            except (RuntimeError, OSError) as e:
                st.warning(f"The language model could not be prepared ({e}); greedy decoding is used instead.")
            bar.empty()
        bar = st.progress(0.0, text="Listening...")
        tr = transcribe(x, mode, lambda f, s: bar.progress(min(f, 1.0), text=s))
        bar.empty()
        while len(cache) >= 6:  # keep memory bounded
            cache.pop(next(iter(cache)))
        cache[key] = tr
    return cache[key]


def words_table(tr: Transcript) -> list[dict]:
    return [{"word": w.text, "start (s)": round(w.start, 2), "end (s)": round(w.end, 2)} for w in tr.words]


def posteriorgram(x: np.ndarray, tr: Transcript):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probs = np.exp(tr.logp)
    dur = len(probs) * tr.frame_s
    fig, (a0, a1) = plt.subplots(2, 1, figsize=(11, 5.2), dpi=100, sharex=True, gridspec_kw={"height_ratios": [1, 4]})
    t = np.arange(len(x)) / 16000
    step = max(1, len(x) // 8000)
    a0.plot(t[::step], x[::step], lw=0.5, color="#444")
    a0.set_yticks([])
    a0.set_ylabel("audio")
    for w in tr.words:
        a0.axvspan(w.start, w.end, color="#7fb3d5", alpha=0.3, lw=0)
        a0.text((w.start + w.end) / 2, a0.get_ylim()[1], w.text, ha="center", va="bottom", fontsize=8)
    labels = ["blank", "space", "'", *decoder.ALPHABET[3:]]
    a1.imshow(probs.T, aspect="auto", origin="upper", cmap="magma", extent=(0, dur, len(labels) - 0.5, -0.5), vmin=0, vmax=1, interpolation="nearest")
    a1.set_yticks(range(len(labels)), labels, fontsize=7)
    a1.set_xlabel("seconds")
    a1.set_ylabel("character")
    fig.tight_layout()
    return fig


def show_transcript(tr: Transcript, title: str) -> None:
    st.markdown(f"**{title}**")
    st.markdown(f"> {tr.text}" if tr.words else "_(no words)_")
    if tr.words:
        st.dataframe(words_table(tr), hide_index=True, width="stretch", height=min(300, 36 + 35 * len(tr.words)))


def page() -> None:
    st.title("Speech to text")
    st.markdown(
        "A convolutional network hears the sound as a **log-mel spectrogram** (64 frequency bands, every 10 ms) and, "
        "every 30 ms, gives the probability of each character (a to z, apostrophe, space, or *blank*: nothing new). "
        "A **beam search** then finds the likeliest sequence of real English words, weighing the network's "
        "characters against a **language model** of which words follow which. The frames where each word's letters "
        "light up give its time."
    )
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(f"The speech model could not be loaded: {e}")
        return
    chosen = choose_audio("stt", "10 minutes")
    mode = MODE_LABELS[st.radio("Words to look for", list(MODE_LABELS), horizontal=True, key="stt_mode")]
    if chosen is None:
        st.info("Choose a sample clip, upload one, or record yourself.")
        return
    data, name = chosen
    try:
        x = decode_audio(data, name)
        tr = get_transcript(data, name, mode)
    except MediaError as e:
        st.error(str(e))
        return
    st.audio(data)
    if tr.note:
        st.warning(tr.note)
    total = sum(tr.timing.values())
    st.subheader("Transcript")
    st.markdown(f"### {tr.text}" if tr.words else "_(no words)_")
    if tr.words:
        st.caption(f"{tr.duration:.1f} s of audio transcribed in {total:.2f} s ({total / tr.duration:.2f} x real time): "
                   f"network {tr.timing.get('network', 0):.2f} s, search {tr.timing.get('decode', 0):.2f} s.")
        st.dataframe(words_table(tr), hide_index=True, width="stretch", height=min(300, 36 + 35 * len(tr.words)))
        stem = Path(name).stem
        c1, c2, c3, c4 = st.columns(4)
        c1.download_button("Text (TXT)", tr.txt(), file_name=f"{stem}.txt", mime="text/plain", key="stt_dl_txt")
        c2.download_button("Subtitles (SRT)", tr.srt(), file_name=f"{stem}.srt", mime="application/x-subrip", key="stt_dl_srt")
        c3.download_button("Subtitles (VTT)", tr.vtt(), file_name=f"{stem}.vtt", mime="text/vtt", key="stt_dl_vtt")
        c4.download_button("Words and times (JSON)", tr.json(), file_name=f"{stem}.json", mime="application/json", key="stt_dl_json")

    if st.toggle("Compare with PocketSphinx (the classic engine: hidden Markov models, 2015)", key="stt_compare"):
        if tr.duration > PS_MAX_SECONDS:
            st.info(f"The comparison runs on clips up to {PS_MAX_SECONDS / 60:.0f} minutes (PocketSphinx is slower); "
                    f"this one is {tr.duration / 60:.1f} minutes.")
        else:
            key = "stt_ps_" + hashlib.sha1(data).hexdigest()
            if key not in st.session_state:
                with st.spinner("PocketSphinx is listening..."):
                    st.session_state[key] = pocketsphinx(x)
            ps = st.session_state[key]
            left, right = st.columns(2)
            with left:
                show_transcript(tr, f"Ours ({decoder.MODES[mode]}), {sum(tr.timing.values()):.2f} s")
            with right:
                show_transcript(ps, f"PocketSphinx (default US-English model), {ps.timing['total']:.2f} s")

    if tr.logp is not None:
        with st.expander("Look inside the network"):
            st.pyplot(posteriorgram(x, tr), clear_figure=True)
            st.caption("Top: the sound wave, with the words found. Bottom: the network's output, the probability of each "
                       "character every 30 ms (bright = likely). Most frames are *blank*; each letter lights up briefly "
                       "where it is heard. The beam search reads words off this picture.")
            from demos.features import log_mel

            feats = log_mel(x[: 16000 * 2], card["preprocessing"]["n_mels"])[None]
            _, acts = net.forward(feats, trace=True)
            st.dataframe([{"layer": layer.name, "type": layer.kind, "output shape (first 2 s)": str(tuple(acts[layer.name].shape[1:])),
                           "parameters": layer.n_params(), "activation": layer.config.get("activation", ""),
                           "kernel, stride, dilation": (f"{layer.params['kernel'].shape[0]}, {layer.config.get('strides', 1)}, "
                                                        f"{layer.config.get('dilation', 1)}") if "kernel" in layer.params else ""}
                          for layer in net.layers], hide_index=True, width="stretch")
            st.caption(f"{net.n_params():,} parameters. Each Conv1D output is a weighted sum over a few neighbouring frames of "
                       "every input channel, plus a bias; LayerNorm rescales each frame; ReLU keeps the positive part; "
                       "Add is a shortcut that lets a block learn a correction to its input. The last layer gives 29 scores "
                       "per frame, turned into probabilities by a softmax.")
    with st.expander("How well does it work? (the model card)"):
        m = card.get("metrics", {})
        if m.get("overall"):
            st.markdown(m.get("summary", ""))
        st.json({k: card.get(k) for k in ("metrics", "training")}, expanded=False)


page()
