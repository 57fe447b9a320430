"""Every page in Spanish (AppTest): no English interface sentence, Spanish bad-input messages, and
switching language keeps what the user did."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from demos import i18n
from demos.colorize.samples import sample_bytes
from tests.badfiles import BAD_AUDIO, BAD_IMAGES
from tests.conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
# Short English words that no Spanish sentence uses: one of them in an interface text means English leaked through.
ENGLISH = re.compile(r"\b(the|and|with|your|this|is|are|of|to|from|for|you|it|not|by|was|an|on|in|no words|upload|take photo)\b", re.I)
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "exception")


@pytest.fixture(autouse=True)
def process_language():
    """AppTest formats option labels in this process: the process speaks the page's language."""
    i18n.set_language("es")
    yield
    i18n.set_language(None)


def switch(at: AppTest, lang: str) -> None:
    """Choose `lang` in the sidebar (the process speaks the old language for this run, the new one after)."""
    at.radio(key="lang").set_value(lang).run()
    i18n.set_language(lang)


def interface_texts(node, skip: set[str] = frozenset()) -> list[str]:
    """Every text of the interface under `node`: titles, paragraphs, labels, options, captions,
    table headings (a transcript's words, which are English speech, are content: leave them in `skip`)."""
    out: list[str] = []
    kind = getattr(node, "type", None)
    if kind in TEXT_KINDS and node.value not in skip:
        out.append(node.value)
    label = getattr(node, "label", None)
    if isinstance(label, str):
        out.append(label)
    if kind in ("radio", "selectbox", "select_slider"):
        out += list(node.options)
    if kind == "image":
        out += [c for c in node.captions if c]
    if kind == "dataframe":
        out += [str(c) for c in node.value.columns]
    for child in (getattr(node, "children", None) or {}).values():
        out += interface_texts(child, skip)
    return out


def english_sentences() -> list[str]:
    """The English of every message of three words or more that Spanish says differently (up to its first placeholder)."""
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        cat = read_po(f)
    out = []
    for m in cat:
        for text in (m.id if isinstance(m.id, tuple) else (m.id,)):
            head = re.split(r"\{\w+\}", text)[0].strip()
            if len(head.split()) >= 3 and m.string and text not in (m.string if isinstance(m.string, tuple) else (m.string,)):
                out.append(head)
    return out


def assert_spanish(at: AppTest, skip: set[str] = frozenset()) -> None:
    assert not at.exception, at.exception
    texts = interface_texts(at._tree, skip)
    assert texts
    leaks = [t for t in texts if ENGLISH.search(t)]
    assert not leaks, f"English in the Spanish page: {leaks}"
    whole = "\n".join(texts)
    sentences = [s for s in english_sentences() if s in whole]
    assert not sentences, f"untranslated messages shown: {sentences}"


def test_home_in_spanish_from_the_browser_language():
    at = AppTest.from_file(str(ROOT / "demos" / "app.py"), default_timeout=60)
    at.context["locale"] = "es-ES"
    at.run()
    assert at.title[0].value == "Mira cómo funciona el aprendizaje profundo"
    assert at.query_params["lang"] == "es" and at.radio(key="lang").value == "es"
    assert "Explorador de neuronas" in [link.label for link in at.get("page_link")]
    assert_spanish(at)


def test_neuron_explorer_in_spanish_uses_the_course_words():
    at = open_page("neuron/page.py", lang="es")
    assert at.title[0].value == "Explorador de neuronas"
    words = " ".join(interface_texts(at._tree)).lower()
    for term in ("neurona", "dendritas", "soma", "axón", "peso", "sesgo", "suma ponderada", "función de activación",
                 "sigmoide", "propagación hacia adelante", "capa oculta"):
        assert term in words, term
    assert next(m.value for m in at.metric if m.label == "salida de la neurona a") == "0,731"
    at.radio(key="hidden_act").set_value("linear (no activation)").run()
    assert_spanish(at)


def test_switching_language_keeps_the_page_state():
    i18n.set_language("en")
    at = open_page("neuron/page.py")
    at.select_slider(key="w1").set_value(3.0)
    at.radio(key="hidden_act").set_value("linear (no activation)")
    at.radio(key="act").set_value("relu").run()
    metric = lambda label: next(m.value for m in at.metric if m.label == label)  # noqa: E731
    assert metric("neuron output a") == "2.500"  # relu(3 * 1 - 0.5)
    switch(at, "es")
    assert metric("salida de la neurona a") == "2,500" and at.radio(key="act").value == "relu"
    assert at.query_params["lang"] == "es" and at.select_slider(key="w1").value == 3.0
    assert at.radio(key="hidden_act").value == "linear (no activation)"  # shown as "lineal (sin activación)"
    switch(at, "en")
    assert metric("neuron output a") == "2.500" and at.select_slider(key="w1").value == 3.0 and at.radio(key="act").value == "relu"
    assert at.radio(key="hidden_act").value == "linear (no activation)"


def test_colorize_in_spanish_with_bad_uploads():
    at = open_page("colorize/page.py", lang="es")
    at.slider(key="col_t").set_value(0.2).run()
    at.toggle(key="col_inside").set_value(True).run()
    assert any(c == "Coloreada (T = 0,20)" for img in at.get("image") for c in img.captions)
    assert_spanish(at)
    at.radio(key="col_source").set_value("your file").run()
    spanish = {"empty.jpg": "vacío", "notes.jpg": "no es una imagen", "truncated.jpg": "dañado o incompleto",
               "bomb.png": "megapíxeles", "tiny.png": "solo 1 x 1 píxeles"}
    for name, (data, _pattern) in BAD_IMAGES.items():
        at.file_uploader(key="col_upload").upload(name, data, "image/jpeg").run()
        assert at.error and spanish[name] in at.error[0].value, (name, at.error)
        assert_spanish(at)
    at.file_uploader(key="col_upload").upload("gato.png", sample_bytes("Cat"), "image/png").run()
    at.slider(key="col_t").set_value(0.2).run()
    assert not at.error and len(at.get("image")) == 3
    switch(at, "en")  # the upload and the slider stay
    assert not at.error and len(at.get("image")) == 3 and at.slider(key="col_t").value == 0.2
    assert at.radio(key="col_source").value == "your file"


def test_talking_face_in_spanish():
    at = open_page("lipsync/page.py", lang="es")
    assert at.title[0].value == "Cara que habla" and len(at.get("video")) == 1
    assert_spanish(at)
    at.radio(key="ls_face").set_value("a photo").run()
    at.file_uploader(key="ls_face_upload").upload("gato.png", sample_bytes("Cat"), "image/png").run()
    assert at.error and "No se encontró ninguna cara" in at.error[0].value
    assert any("caricatura" in i.value for i in at.info)
    assert_spanish(at)


def test_speech_to_text_in_spanish_with_bad_uploads():
    at = open_page("stt/page.py", lang="es")
    assert at.title[0].value == "Voz a texto"
    transcript = next(m.value for m in at.markdown if m.value.startswith("### "))
    at.toggle(key="stt_compare").set_value(True).run()
    words = {transcript} | {m.value for m in at.markdown if m.value.startswith("> ")}
    assert_spanish(at, skip=words)
    assert list(at.dataframe[0].value.columns) == ["palabra", "inicio (s)", "final (s)"]
    results = dict(at.session_state["stt_results"])
    at.radio(key="stt_mode").set_value("Digits only (zero to nine)").run()
    switch(at, "en")  # the choices and the transcript are kept, not made again
    assert at.radio(key="stt_mode").value == "Digits only (zero to nine)"
    assert len(at.session_state["stt_results"]) == len(results) + 1
    switch(at, "es")
    at.radio(key="stt_source").set_value("your file").run()
    spanish = {"empty.wav": "vacío", "short.wav": "dura solo 0,10 s", "picture.wav": "no es un audio", "truncated.wav": "no es un audio",
               "long.wav": "minutos; el límite es de 10 minutos"}
    for name, (data, _pattern) in BAD_AUDIO.items():
        at.file_uploader(key="stt_upload").upload(name, data, "audio/wav").run()
        assert at.error and spanish[name] in at.error[0].value, (name, at.error)
        assert_spanish(at)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_lang_in_the_url_wins_over_the_browser(lang):
    at = AppTest.from_file(str(ROOT / "demos" / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.context["locale"] = "es-ES" if lang == "en" else "en-US"
    at.run()
    assert at.radio(key="lang").value == lang and at.title[0].value == ("Mira cómo funciona el aprendizaje profundo" if lang == "es" else "See deep learning work")
