"""Languages: every message has a Spanish translation (catalog coverage), placeholders survive
translation, the language comes from where gettext says, numbers are written as each language
writes them, and the command line speaks Spanish or English."""

from __future__ import annotations

import argparse
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from demos import i18n

ROOT = Path(__file__).resolve().parents[1]
ES = i18n.LOCALE_DIR / "es" / "LC_MESSAGES"
UPDATE = "see README.es.md (pybabel extract ... && pybabel update ...), then translate"


def source_messages() -> dict[str | tuple[str, ...], str]:
    """Every message the code marks for translation (what Babel extracts, as in babel.cfg): msgid -> where."""
    found = {}
    for folder in ("core", "demos"):
        for filename, lineno, message, _comments, _context in extract_from_dir(ROOT / folder, [("**.py", "python")]):
            found.setdefault(message, f"{folder}/{filename}:{lineno}")
    return found


def catalog(domain: str):
    with (ES / f"{domain}.po").open("rb") as f:
        return read_po(f, locale="es", domain=domain)


def untranslated(cat, ids) -> list:
    """The msgids of `ids` with no usable Spanish: missing, fuzzy, an empty form, or too few plural forms."""
    bad = []
    for msgid in ids:
        entry = cat.get(msgid)
        forms = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry is None or entry.fuzzy or not forms or not all(forms) or (isinstance(msgid, tuple) and len(forms) != cat.num_plurals):
            bad.append(msgid)
    return bad


def test_every_message_has_a_spanish_translation():
    cat, found = catalog("messages"), source_messages()
    missing = untranslated(cat, found)
    assert not missing, f"{len(missing)} messages have no Spanish translation ({UPDATE}):\n" + "\n".join(
        f"  {m!r}  ({found[m]})" for m in missing)


def test_catalog_has_no_stale_messages():
    """A translation whose English is gone from the code is a sign the catalog was not updated."""
    found = source_messages()
    stale = [m.id for m in catalog("messages") if m.id and m.id not in found]
    assert not stale, f"in messages.po but no longer in the code ({UPDATE}): {stale}"


def brace_fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders():
    """A translation may reorder the named placeholders, never rename them or add one; it may leave
    out only a library's own English detail ({reason})."""
    for m in catalog("messages"):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        for form in m.string if isinstance(m.string, tuple) else (m.string,):
            assert brace_fields(ids[-1]) - {"reason"} <= brace_fields(form) <= brace_fields(ids[-1]), (m.id, form)
    for m in catalog("argparse"):
        if m.id:
            pattern = re.compile(r"%(?:\(\w+\))?[sr]")
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            for form in m.string if isinstance(m.string, tuple) else (m.string,):
                assert sorted(pattern.findall(form)) == sorted(pattern.findall(ids[-1])), (m.id, form)


def test_argparse_messages_are_translated():
    """The running Python's argparse messages (usage, options, errors) all have Spanish."""
    ids = {message for _line, message, _comments, _context in extract_from_file("python", argparse.__file__)}
    missing = untranslated(catalog("argparse"), ids)
    assert not missing, f"add these to {ES / 'argparse.po'}: {missing}"


@pytest.mark.parametrize("env,lang", [
    ({"LANG": "es_ES.UTF-8"}, "es"), ({"LANG": "C"}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"), ({"LC_MESSAGES": "es_MX.UTF-8", "LANG": "C"}, "es"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "es_ES.UTF-8"}, "en"), ({"LANGUAGE": "es:en", "LANG": "C"}, "es"),
    ({"LANGUAGE": "fr:es", "LANG": "en_US"}, "es"),
])
def test_language_from_the_environment(env, lang):
    assert i18n.from_environ(env) == lang


@pytest.mark.parametrize("tag,lang", [("es-ES", "es"), ("es_AR.UTF-8", "es"), ("EN", "en"), ("de-DE", None), ("", None), (None, None)])
def test_language_tags(tag, lang):
    assert i18n.normalize(tag) == lang


def test_numbers_as_each_language_writes_them(spanish):
    assert (i18n.num(1234.5), i18n.num(-0.5, 3), i18n.num(0.25, 4, sign=True), i18n.count(812345)) == ("1.234,50", "-0,500", "+0,2500", "812.345")
    assert i18n.pct(0.792) == "79,2\xa0%" and i18n.tex(-0.5) == "-0{,}50"
    i18n.set_language("en")
    assert (i18n.num(1234.5), i18n.pct(0.792), i18n.tex(-0.5)) == ("1,234.50", "79.2%", "-0.50")


def test_messages_and_errors_in_spanish(spanish):
    from core.weights import N_, WeightsError
    from demos.media import MediaError, read_image

    assert i18n._("Neuron explorer") == "Explorador de neuronas"
    assert i18n.ngettext("An audio clip (up to {n} minute)", "An audio clip (up to {n} minutes)", 2).format(n=2) == "Un clip de audio (hasta 2 minutos)"
    error = WeightsError(N_("weights file {path} is missing"), path="x.npz")
    assert str(error) == "weights file x.npz is missing" and i18n.translate(error) == "falta el archivo de pesos x.npz"
    later = i18n.Msg(i18n.N_("the language model could not be loaded ({reason}); showing greedy decoding"), reason="disk full")
    assert i18n.translate(later).startswith("no se pudo cargar el modelo de lenguaje (disk full)")
    with pytest.raises(MediaError, match="el archivo está vacío"):
        read_image(b"", "foto.jpg")


def cli(*args: str, lang: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "LANG": lang, "HOME": str(Path.home())}
    return subprocess.run([sys.executable, "-m", "demos", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def test_cli_speaks_spanish_with_a_spanish_locale():
    r = cli("--help", lang="es_ES.UTF-8")
    assert r.returncode == 0 and r.stdout.startswith("uso: python -m demos") and "opciones:" in r.stdout and "órdenes" in r.stdout
    assert "usage" not in r.stdout and "show this help" not in r.stdout
    r = cli("neuron", "--x1", "1", "--x2", "0", "--w1", "2", "--w2", "1", "--b", "-1", lang="es_ES.UTF-8")
    assert r.returncode == 0 and "= 1,0000" in r.stdout and "a = sigmoide(z) = 0,7311" in r.stdout
    assert "propagación hacia adelante" in r.stdout and "salida[0]" in r.stdout
    r = cli("neuron", "--activation", "swish", lang="es_ES.UTF-8")
    assert r.returncode == 2 and "opción no válida" in r.stderr and "Traceback" not in r.stderr
    r = cli("colorize", "--out", "/tmp", "no-such-photo.jpg", lang="es_ES.UTF-8")
    assert r.returncode == 1 and "no se puede leer el archivo" in r.stderr and "0 de 1 foto coloreada" in r.stdout


def test_cli_english_with_c_locale_and_lang_option():
    r = cli("--help", lang="C")
    assert r.returncode == 0 and r.stdout.startswith("usage: python -m demos") and "show this help message" in r.stdout
    r = cli("--lang", "es", "neuron", lang="C")
    assert "propagación hacia adelante" in r.stdout
    r = cli("neuron", "--lang", "en", lang="es_ES.UTF-8")
    assert "forward propagation" in r.stdout and "= 1.0000" in r.stdout
