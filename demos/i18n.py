"""The user's language, Spanish (the course's) or English: gettext message catalogs and numbers.

Messages are written in English in the code and marked `_("...")`, `ngettext(...)`, or `N_("...")`
where the text is stored now and translated when shown. Babel extracts them into
`demos/locale/messages.pot`; translations live in `demos/locale/<lang>/LC_MESSAGES/*.po`, which are
compiled in memory the first time a language is used (Babel's reader and writer, then the
standard library's `gettext`), so there is no build step and no compiled file to keep in step.
Placeholders are named (`_("{label} is empty").format(label=...)`) so a translation can reorder them.

Which language: in the app, the session's (`set_session_hook`, from demos/language.py); elsewhere
the process's, from `set_language` (the CLI's --lang) or the environment as Python's gettext reads
it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG; C or POSIX is English); English otherwise.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

LANGUAGES = {"en": "English", "es": "Español"}  # each in its own language, for the selector
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("messages", "argparse")  # ours, and the standard library's argparse (usage, errors)

_process_language: str | None = None
_session_hook: Callable[[], str | None] | None = None


def normalize(tag: str | None) -> str | None:
    """A supported language code for a locale or language tag ('es-ES', 'es_MX.UTF-8' -> 'es'), else None."""
    if not tag:
        return None
    code = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def from_environ(environ: Mapping[str, str] = os.environ) -> str:
    """The language gettext would pick: the first set of LANGUAGE (a ':' list), LC_ALL, LC_MESSAGES, LANG."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            for tag in value.split(":"):
                if tag.split(".")[0] in ("C", "POSIX"):
                    return DEFAULT
                if lang := normalize(tag):
                    return lang
            return DEFAULT
    return DEFAULT


def set_language(lang: str | None) -> None:
    """The process's language (the CLI's --lang, tests); None: from the environment again."""
    global _process_language
    _process_language = normalize(lang) if lang else None


def set_session_hook(hook: Callable[[], str | None] | None) -> None:
    """A function giving the current app session's language (None outside a session)."""
    global _session_hook
    _session_hook = hook


def current() -> str:
    """The language to speak now: the app session's, else the process's."""
    global _process_language
    if _session_hook is not None and (lang := _session_hook()):
        return lang
    if _process_language is None:
        _process_language = from_environ()
    return _process_language


@lru_cache(maxsize=8)
def catalog(lang: str, domain: str = "messages") -> gettext.NullTranslations:
    """The translations of `domain` into `lang`, compiled from its .po file (English: none needed)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(f, locale=lang, domain=domain))  # fuzzy entries are left out
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` in the current language (an empty message stays empty: gettext would give the catalog's header)."""
    return catalog(current()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, as the current language counts."""
    return catalog(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for extraction only; it is translated later, where it is shown."""
    return message


class Msg(str):
    """An English message that keeps its template and fields, so it can be shown later in any
    language (for results cached across sessions). As a str it is the English text."""

    template: str
    fields: dict[str, object]

    def __new__(cls, template: str, **fields: object) -> Msg:
        obj = super().__new__(cls, template.format(**fields) if fields else template)
        obj.template, obj.fields = template, fields
        return obj


def translate(message: str | BaseException) -> str:
    """A message in the current language: a Msg, an error that carries a template and fields (as
    core's WeightsError does), or a plain msgid; anything else as it is."""
    template = getattr(message, "template", None)
    if isinstance(template, str):
        fields = {k: translate(v) if isinstance(v, Msg) else v for k, v in getattr(message, "fields", {}).items()}
        return _(template).format(**fields)
    return _(str(message))


def install_argparse() -> None:
    """Make argparse (usage, section titles, errors) speak the current language."""
    import argparse

    argparse._ = lambda message: catalog(current(), "argparse").gettext(message)  # type: ignore[attr-defined]
    argparse.ngettext = lambda s, p, n: catalog(current(), "argparse").ngettext(s, p, n)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------ numbers
def num(x: float, digits: int = 2, sign: bool = False, group: bool = True) -> str:
    """`x` with `digits` decimals, as the current language writes it (Spanish: 1.234,50)."""
    from babel.numbers import format_decimal

    body = ("#,##0" if group else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(x, format=f"+{body};-{body}" if sign else body, locale=current())


def count(n: int) -> str:
    """A whole number with the language's thousands separator."""
    return num(n, 0)


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage (0.792 -> '79.2%' in English, '79,2 %' in Spanish)."""
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(current()).percent_formats[None].pattern
    head, zero, tail = pattern.rpartition("0")
    return format_percent(x, format=head + zero + ("." + "0" * digits if digits else "") + tail, locale=current())


def tex(x: float, digits: int = 2) -> str:
    """A number for a LaTeX formula: the language's decimal mark, without grouping (`{,}` keeps
    TeX from spacing a decimal comma like a list separator)."""
    return num(x, digits, group=False).replace(",", "{,}")
