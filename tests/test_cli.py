"""The command line, run as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "demos", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_help_lists_subcommands():
    r = run("--help")
    assert r.returncode == 0 and "neuron" in r.stdout


def test_neuron_numbers():
    r = run("neuron", "--x1", "1", "--x2", "0", "--w1", "2", "--w2", "1", "--b", "-1", "--activation", "relu")
    assert r.returncode == 0, r.stderr
    assert "= 1.0000" in r.stdout and "a = relu(z) = 1.0000" in r.stdout
    assert "output[0]" in r.stdout


def test_bad_argument_is_a_message_not_a_traceback():
    r = run("neuron", "--activation", "swish")
    assert r.returncode == 2 and "invalid choice" in r.stderr and "Traceback" not in r.stderr
