"""Command line: `python -m demos --help`. Each demo adds its own subcommand.

Speaks the language of the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as gettext reads
them) or of `--lang es|en`, given anywhere on the line."""

from __future__ import annotations

import argparse
import sys

from demos import i18n
from demos.i18n import _


def language_option(argv: list[str]) -> str | None:
    """The value of --lang in argv, read before the parser (whose help is written in that language) exists."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(argv)
    return known.lang


def build_parser() -> argparse.ArgumentParser:
    from demos.colorize import cli as colorize_cli
    from demos.lipsync import cli as lipsync_cli
    from demos.neuron import cli as neuron_cli
    from demos.stt import cli as stt_cli

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=list(i18n.LANGUAGES), default=argparse.SUPPRESS,
                        help=_("language of messages: es (Spanish) or en (English); default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG"))
    parser = argparse.ArgumentParser(prog="python -m demos", parents=[common], description=_("See deep learning work: the demos from the command line."))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), required=True, title=_("commands"))
    for module in (neuron_cli, colorize_cli, lipsync_cli, stt_cli):
        module.register(sub, [common])
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    i18n.install_argparse()
    i18n.set_language(i18n.normalize(language_option(argv)))
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
