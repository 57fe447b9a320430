"""Time from `streamlit run demos/app.py` to the first page rendered in Chromium, and whether
TensorFlow was imported on the way (it must not be: it costs ~4 s and 800 MB).

    .venv/bin/python bench/app_startup.py [--page neuron] [--runs 3]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def one_run(browser, path: str, wait_text: str) -> tuple[float, float, bool]:
    """(seconds to healthy server, seconds to rendered page, tensorflow imported?)"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "streamlit", "run", "demos/app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=log)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        healthy = time.perf_counter() - t0
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{path}")
        page.get_by_text(wait_text).first.wait_for(timeout=60_000)
        rendered = time.perf_counter() - t0
        page.close()
    finally:
        proc.terminate()
        proc.wait()
    imports = Path(log.name).read_text(errors="replace")
    return healthy, rendered, "tensorflow" in imports or "| keras" in imports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--page", default="", help="url path of the page ('' = Home)")
    ap.add_argument("--text", default=None, help="text that shows the page rendered")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    text = a.text or {"": "See deep learning work", "neuron": "neuron output a"}.get(a.page, a.page)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        runs = [one_run(browser, a.page, text) for _ in range(a.runs)]
        browser.close()
    print(f"page /{a.page}: server healthy after {statistics.median(r[0] for r in runs):.2f} s, "
          f"page rendered {statistics.median(r[1] for r in runs):.2f} s after start (median of {a.runs}); "
          f"TensorFlow imported: {any(r[2] for r in runs)}")


if __name__ == "__main__":
    main()
