"""Shared fixtures: the app served on localhost, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The tests expect English unless they ask for Spanish: the language must not come from the
# machine's locale (the CLI reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG, as gettext does).
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_page(path: str, lang: str | None = None, locale: str | None = None):
    """The app in AppTest, switched to the page at `path` (relative to demos/), with no exception;
    opened with `?lang=` when `lang` is given, from a browser whose language is `locale` if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "demos" / "app.py"), default_timeout=120)
    if lang:
        at.query_params["lang"] = lang
    if locale:
        at.context["locale"] = locale
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """`streamlit run demos/app.py` on a free localhost port, for the whole session."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "demos/app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a busy machine: do not let teardown fail a green run
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (no browser download: Playwright drives the system binary)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("SKIP_BROWSER"):
            pytest.skip("SKIP_BROWSER is set and Chromium is not installed")
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (or set SKIP_BROWSER=1 to skip browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def spanish() -> Iterator[None]:
    """This process speaks Spanish for the test (messages raised outside the app, CLI functions)."""
    from demos import i18n

    i18n.set_language("es")
    yield
    i18n.set_language(None)


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
