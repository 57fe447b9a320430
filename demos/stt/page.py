"""Speech to text: record or upload speech, read the words with their times."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from core.weights import WeightsError
from demos import language, slots
from demos.audio import read_audio
from demos.i18n import N_, _, count, num, pct, translate
from demos.media import MediaError
from demos.plots import localize
from demos.stt import decoder, lm
from demos.stt.phones import PHONES
from demos.stt.pipeline import Transcript, load_model, pocketsphinx, transcribe
from demos.widgets import choose_audio, queued, waiting_text

PS_MAX_SECONDS = 120.0
# The radio's values stay English (msgids); it shows them translated.
MODE_LABELS = {N_("English words with the language model"): "lm", N_("Digits only (zero to nine)"): "digits",
               N_("Greedy (no dictionary, no language model)"): "greedy"}


@st.cache_data(max_entries=4, show_spinner=False)
def decode_audio(data: bytes, name: str) -> np.ndarray:
    return read_audio(data, name)


def get_transcript(data: bytes, name: str, mode: str) -> Transcript:
    """Transcribe once per (clip, mode); kept in the session so reruns (downloads, expanders, switching language) are instant."""
    key = hashlib.sha1(data).hexdigest() + mode
    cache = st.session_state.setdefault("stt_results", {})
    if key not in cache:
        x = decode_audio(data, name)
        bar = st.progress(0.0, text=_("Listening..."))
        try:
            # One slot of the server's queue; the bar says how many wait ahead.
            with slots.QUEUE.slot(lambda ahead: bar.progress(0.0, text=waiting_text(ahead))):
                if mode == "lm" and not lm.ready():
                    bar.progress(0.0, text=_("Preparing the language model (once)..."))
                    try:
                        lm.build(lambda f, s: bar.progress(min(f, 1.0), text=s))
                    except (RuntimeError, OSError) as e:
                        st.warning(_("The language model could not be prepared ({reason}); greedy decoding is used instead.").format(reason=e))
                bar.progress(0.0, text=_("Listening..."))
                tr = transcribe(x, mode, lambda f, s: bar.progress(min(f, 1.0), text=s))
        finally:
            bar.empty()
        while len(cache) >= 6:  # keep memory bounded
            cache.pop(next(iter(cache)))
        cache[key] = tr
    return cache[key]


def words_table(tr: Transcript) -> list[dict]:
    return [{_("word"): w.text, _("start (s)"): num(w.start), _("end (s)"): num(w.end)} for w in tr.words]


def posteriorgram(x: np.ndarray, tr: Transcript, phones: bool = False):
    """The sound wave with the words found, over the network's letter (or phone) probabilities."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probs = np.exp(tr.phone_logp if phones else tr.logp)
    dur = len(probs) * tr.frame_s
    fig, (a0, a1) = plt.subplots(2, 1, figsize=(11, 5.2), dpi=100, sharex=True, gridspec_kw={"height_ratios": [1, 4]})
    t = np.arange(len(x)) / 16000
    step = max(1, len(x) // 8000)
    a0.plot(t[::step], x[::step], lw=0.5, color="#444")
    a0.set_yticks([])
    a0.set_ylabel(_("audio"))
    for w in tr.words:
        a0.axvspan(w.start, w.end, color="#7fb3d5", alpha=0.3, lw=0)
        a0.text((w.start + w.end) / 2, a0.get_ylim()[1], w.text, ha="center", va="bottom", fontsize=8)
    if phones:
        labels = [_("blank"), _("space"), *(p.upper() for p in PHONES[2:])]
    else:
        labels = [_("blank"), _("space"), "'", *decoder.ALPHABET[3:]]
    a1.imshow(probs.T, aspect="auto", origin="upper", cmap="magma", extent=(0, dur, len(labels) - 0.5, -0.5), vmin=0, vmax=1, interpolation="nearest")
    a1.set_yticks(range(len(labels)), labels, fontsize=6 if phones else 7)
    a1.set_xlabel(_("seconds"))
    a1.set_ylabel(_("phone") if phones else _("character"))
    fig.tight_layout()
    return localize(fig)


def show_transcript(tr: Transcript, title: str) -> None:
    st.markdown(f"**{title}**")
    st.markdown(f"> {tr.text}" if tr.words else _("_(no words)_"))
    if tr.words:
        st.dataframe(words_table(tr), hide_index=True, width="stretch", height=min(300, 36 + 35 * len(tr.words)))


def transcript_section(tr: Transcript, name: str) -> None:
    """The words, their times, and the downloads."""
    total = sum(tr.timing.values())
    st.subheader(_("Transcript"))
    st.markdown(f"### {tr.text}" if tr.words else _("_(no words)_"))
    if not tr.words:
        return
    st.caption(_("{audio} s of audio transcribed in {total} s ({rtf} x real time): network {network} s, search {search} s.").format(
        audio=num(tr.duration, 1), total=num(total), rtf=num(total / tr.duration), network=num(tr.timing.get("network", 0)),
        search=num(tr.timing.get("decode", 0))))
    st.dataframe(words_table(tr), hide_index=True, width="stretch", height=min(300, 36 + 35 * len(tr.words)))
    stem = Path(name).stem
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(_("Text (TXT)"), tr.txt(), file_name=f"{stem}.txt", mime="text/plain", key="stt_dl_txt")
    c2.download_button(_("Subtitles (SRT)"), tr.srt(), file_name=f"{stem}.srt", mime="application/x-subrip", key="stt_dl_srt")
    c3.download_button(_("Subtitles (VTT)"), tr.vtt(), file_name=f"{stem}.vtt", mime="text/vtt", key="stt_dl_vtt")
    c4.download_button(_("Words and times (JSON)"), tr.json(), file_name=f"{stem}.json", mime="application/json", key="stt_dl_json")


def compare(tr: Transcript, data: bytes, x: np.ndarray, mode: str) -> None:
    """Our transcript beside PocketSphinx's, on the same clip."""
    if tr.duration > PS_MAX_SECONDS:
        st.info(_("The comparison runs on clips up to {limit} minutes (PocketSphinx is slower); this one is {minutes} minutes.").format(
            limit=num(PS_MAX_SECONDS / 60, 0), minutes=num(tr.duration / 60, 1)))
        return
    key = "stt_ps_" + hashlib.sha1(data).hexdigest()
    if key not in st.session_state:
        with st.spinner(_("PocketSphinx is listening...")):
            st.session_state[key] = queued(lambda: pocketsphinx(x))
    ps = st.session_state[key]
    left, right = st.columns(2)
    with left:
        show_transcript(tr, _("Ours ({mode}), {seconds} s").format(mode=_(decoder.MODES[mode]), seconds=num(sum(tr.timing.values()))))
    with right:
        show_transcript(ps, _("PocketSphinx (default US-English model), {seconds} s").format(seconds=num(ps.timing["total"])))


def look_inside(net, card: dict, x: np.ndarray, tr: Transcript) -> None:
    """The character posteriorgram under the waveform, and the layer table."""
    st.pyplot(posteriorgram(x, tr), clear_figure=True)
    st.caption(_("Top: the sound wave, with the words found. Bottom: the network's output, the probability of each "
                 "character every 30 ms (bright = likely). Most frames are *blank*; each letter lights up briefly "
                 "where it is heard. The beam search reads words off this picture."))
    if tr.phone_logp is not None:
        st.pyplot(posteriorgram(x, tr, phones=True), clear_figure=True)
        st.caption(_("The network's second output: the probability of each English sound (phone, in the CMU "
                     "dictionary's ARPAbet: AA as in *father*, IY as in *see*, SH as in *she*...) every 30 ms. Sounds "
                     "are easier to learn than English spelling; the decoder reads the words both ways and weighs the two."))
    from demos.features import log_mel

    feats = log_mel(x[: 16000 * 2], card["preprocessing"]["n_mels"])[None]
    _out, acts = net.forward(feats, trace=True)
    st.dataframe([{_("layer"): layer.name, _("type"): layer.kind, _("output shape (first 2 s)"): str(tuple(acts[layer.name].shape[1:])),
                   _("parameters"): layer.n_params(), _("activation"): _(layer.config.get("activation", "")),
                   _("kernel, stride, dilation"): (f"{layer.params['kernel'].shape[0]}, {layer.config.get('strides', 1)}, "
                                                   f"{layer.config.get('dilation', 1)}") if "kernel" in layer.params else ""}
                  for layer in net.layers], hide_index=True, width="stretch")
    n_chars, n_phones = len(card["preprocessing"]["alphabet"]), len(card["preprocessing"].get("phones", []))
    last = (_("The last layer gives {n} scores per frame: {chars} for the characters and {phones} for the phones, each "
              "group turned into probabilities by its own softmax.").format(n=n_chars + n_phones, chars=n_chars, phones=n_phones)
            if n_phones else _("The last layer gives {n} scores per frame, turned into probabilities by a softmax.").format(n=n_chars))
    st.caption(_("{n} parameters. Each Conv1D output is a weighted sum over a few neighbouring frames of "
                 "every input channel, plus a bias; LayerNorm rescales each frame; ReLU keeps the positive part; "
                 "Add is a shortcut that lets a block learn a correction to its input.").format(n=count(net.n_params())) + " " + last)


def model_card(card: dict) -> None:
    """The measured word error rates, in our words; then the card as stored."""
    systems = card.get("metrics", {}).get("systems", {})
    ours, ps = systems.get("ours + LM"), systems.get("PocketSphinx")
    if ours and ps:
        sources = ", ".join(f"{k}: {pct(v)}" for k, v in ours["wer"].items())
        if "native_wer" in ours and "native_wer" in ps:
            st.markdown(_("Word error rate with the language model, on speakers it never heard in training: native English "
                          "**{native}** (PocketSphinx {ps_native}); non-native speakers and digits **{ours}** (PocketSphinx {ps}); "
                          "per source: {sources}. Lower is better.").format(
                native=pct(ours["native_wer"]), ps_native=pct(ps["native_wer"]),
                ours=pct(ours["overall_wer"]), ps=pct(ps["overall_wer"]), sources=sources))
        else:
            st.markdown(_("Word error rate with the language model, on speakers it never heard in training: **{ours}** overall "
                          "(PocketSphinx {ps}); per source: {sources}. Lower is better.").format(
                ours=pct(ours["overall_wer"]), ps=pct(ps["overall_wer"]), sources=sources))
    st.caption(_("The model card as stored (its notes are in English):"))
    st.json({k: card.get(k) for k in ("metrics", "training")}, expanded=False)


def page() -> None:
    st.title(_("Speech to text"))
    st.markdown(_(
        "A convolutional network hears the sound as a **log-mel spectrogram** (64 frequency bands, every 10 ms) and, "
        "every 30 ms, gives the probability of each character (a to z, apostrophe, space, or *blank*: nothing new) "
        "and of each English sound (**phone**). A **beam search** then finds the likeliest sequence of real English "
        "words, weighing the network's characters and sounds (a word's sounds come from a pronouncing dictionary) "
        "against a **language model** of which words follow which. The frames where each word lights up give its time."
    ))
    st.caption(_("It was trained on English speech only: speak English to it (the transcript is in English)."))
    try:
        net, card = load_model()
    except WeightsError as e:
        st.error(_("The speech model could not be loaded: {error}").format(error=translate(e)))
        return
    chosen = choose_audio("stt", 10)
    mode = MODE_LABELS[language.choice(st.radio, _("Words to look for"), list(MODE_LABELS), horizontal=True, key="stt_mode")]
    if chosen is None:
        st.info(_("Choose a sample clip, upload one, or record yourself."))
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
        st.warning(translate(tr.note))
    transcript_section(tr, name)
    if st.toggle(_("Compare with PocketSphinx (the classic engine: hidden Markov models, 2015)"), key="stt_compare"):
        compare(tr, data, x, mode)
    if tr.logp is not None:
        with st.expander(_("Look inside the network")):
            look_inside(net, card, x, tr)
    with st.expander(_("How well does it work? (the model card)")):
        model_card(card)


page()
