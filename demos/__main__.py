"""Command line: `python -m demos --help`. Each demo adds its own subcommand."""

from __future__ import annotations

import argparse
import sys

from demos.colorize import cli as colorize_cli
from demos.lipsync import cli as lipsync_cli
from demos.neuron import cli as neuron_cli
from demos.stt import cli as stt_cli

COMMANDS = [neuron_cli, colorize_cli, lipsync_cli, stt_cli]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos", description="See deep learning work: the demos from the command line.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
