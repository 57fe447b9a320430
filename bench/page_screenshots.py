"""Screenshots of the colorize page as a user first sees it (sample photo colorized), in English
and Spanish, through headless Chromium: docs/colorize_page_en.jpg and docs/colorize_page_es.jpg.

    .venv/bin/python bench/page_screenshots.py [--out docs]

It starts the app on a free port, waits until the result images have loaded, and saves a
picture per language (a tall window: Streamlit scrolls inside the page, so a full-page shot would stop at the first screen) (the browser's locale picks the language, as for a user).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LOCALES = {"en": "en-US", "es": "es-ES"}
# Both the grey input and the colour result are on the page, fully decoded.
IMAGES_READY = """() => { const imgs = [...document.querySelectorAll('[data-testid=stImage] img')];
  return imgs.length >= 2 && imgs.every(i => i.complete && i.naturalWidth > 0); }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(port: int, seconds: float = 60) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not start on port {port} within {seconds:.0f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "demos" / "app.py"), "--server.headless",
                            "true", "--server.port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_server(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for lang, locale in LOCALES.items():
                page = browser.new_context(viewport={"width": 1400, "height": 1500}, locale=locale).new_page()
                page.goto(f"http://127.0.0.1:{port}/colorize")
                page.wait_for_function(IMAGES_READY, timeout=120_000)
                time.sleep(1)  # let the last widgets settle
                png = args.out / f"colorize_page_{lang}.png"
                page.screenshot(path=str(png), full_page=True)
                jpg = png.with_suffix(".jpg")
                Image.open(png).convert("RGB").save(jpg, quality=80)  # a third of the PNG's size
                png.unlink()
                print(f"wrote {jpg}")
            browser.close()
    finally:
        app.terminate()
        app.wait(10)


if __name__ == "__main__":
    main()
