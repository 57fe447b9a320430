"""The app's language, per session: `?lang=es|en` in the URL, the selector in the sidebar, or the
browser's language (`st.context.locale`); English otherwise. The choice is kept in the session while
the user moves between pages and mirrored in the URL, so a link or a reload keeps it.

Every widget on the pages has a key, and Streamlit identifies a keyed widget by its key, not its
label, so switching language relabels the widgets without resetting them (slider positions,
uploads and results stay). A radio, a selectbox or a select_slider is different: the browser keeps and sends back
the *label* of the chosen option, which the other language does not know, so `choice()` shows the
options translated and puts the chosen value back itself when the language changes
(tests/test_browser_spanish.py checks it in a real browser).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from demos import i18n
from demos.i18n import _

KEY = "lang"  # the selector's widget key, and the URL's query parameter
_URL_KEY = "_lang_in_url"  # the value this session last put in the URL
_SHOWN_KEY = "_lang_shown"  # the language of the previous run
_CHANGED_KEY = "_lang_changed"  # whether this run changed the language
_CHOSEN_KEY = "_lang_choices"  # widget key -> the value chosen, whatever the language


def session_language() -> str | None:
    """The running session's language, or None outside a Streamlit script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return i18n.normalize(st.session_state.get(KEY))


def settle() -> str:
    """At the start of every run: the session's language, from the URL, the browser or the selector."""
    i18n.set_session_hook(session_language)
    in_url = i18n.normalize(st.query_params.get(KEY))
    if KEY not in st.session_state:
        st.session_state[KEY] = in_url or i18n.normalize(st.context.locale) or i18n.DEFAULT
    elif in_url and in_url != st.session_state.get(_URL_KEY):  # the URL was changed by hand or by Back
        st.session_state[KEY] = in_url
    lang = st.session_state[KEY]
    st.session_state[_CHANGED_KEY] = st.session_state.get(_SHOWN_KEY, lang) != lang
    st.session_state[_SHOWN_KEY] = lang
    return lang


def choice(widget: Callable[..., Any], label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str] = _,
           default: Any = None, **kwargs: Any) -> Any:
    """`widget` (st.radio, st.selectbox, st.select_slider) over `options` (values that never change,
    such as English msgids or numbers), each shown as `format_func` writes it in the current
    language; the choice survives a change of language. The first value is `default` (else the
    first option): pass no index or value of your own."""
    chosen = st.session_state.setdefault(_CHOSEN_KEY, {})
    if key not in st.session_state and default is not None:
        st.session_state[key] = default
    elif st.session_state.get(_CHANGED_KEY) and chosen.get(key) in options:
        st.session_state[key] = chosen[key]  # the browser would send the label of the other language
    value = widget(label, options, format_func=format_func, key=key, **kwargs)
    chosen[key] = value
    return value


def selector() -> None:
    """The sidebar's language selector; the URL follows it."""
    langs = list(i18n.LANGUAGES)
    st.sidebar.radio(_("Language"), langs, format_func=i18n.LANGUAGES.get, key=KEY, horizontal=True)
    lang = st.session_state[KEY]
    if st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang
    st.session_state[_URL_KEY] = lang


def _css_text(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def streamlit_texts() -> None:
    """Streamlit's own few words (the uploader's button and limits, the camera's prompt and button,
    the Stop button, the keyboard's skip link) in the session's language. Streamlit has no translations of its own, so CSS
    hides its English text and shows ours in its place; where a selector stops matching in a later
    Streamlit, its English text simply shows again."""
    if i18n.current() == i18n.DEFAULT:
        return
    limit = st.get_option("server.maxUploadSize")
    rules = {
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p': _("Upload"),
        '[data-testid="stFileUploaderDropzoneInstructions"] span': _("Up to {size} MB per file").format(size=limit),
        '[data-testid="stCameraInputWebcamComponent"] p': _("This app would like to use your camera."),
        '[data-testid="stCameraInput"]:has([data-testid="stCameraInputWebcamStyledBox"]) [data-testid="stCameraInputButton"]': _("Take photo"),
        '[data-testid="stCameraInput"]:has(img) [data-testid="stCameraInputButton"]': _("Clear photo"),
        '[data-testid="stStatusWidget"] button': _("Stop"),
        '[data-testid="stSkipToContent"]': _("Skip to main content"),
    }
    css = "".join(f"{sel}{{font-size:0 !important}}{sel}::after{{content:{_css_text(text)};font-size:0.875rem}}" for sel, text in rules.items())
    css += '[data-testid="stCameraInputWebcamComponent"] p a{display:none}'
    st.html(f"<style>{css}</style>")
