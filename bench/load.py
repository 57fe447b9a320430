"""A classroom on one laptop: N real browser sessions against one `streamlit run` server.

    .venv/bin/python bench/load.py --sessions 8
    .venv/bin/python bench/load.py --sessions 30
    .venv/bin/python bench/load.py --big-download   # one 6000x4000 photo, shown, then its full-size PNG

Starts the app on a free localhost port, then opens N headless Chromium sessions at once
(Playwright, Debian's /usr/bin/chromium). Session i uploads, in turn: a 12-megapixel phone-sized
photo to Colorize, a 20 s clip to Talking face (video), a 60 s clip to Speech to text; each file is
a little different, as every learner brings their own. It reports each session's time from upload
to result and whether it was told it waits for a slot; the server's peak memory (RSS of the whole
process tree: Streamlit, ffmpeg and any child, sampled every 0.1 s); and whether the server is
still healthy after (health endpoint, and one more session served). Localhost only; at most
40 sessions; every wait is bounded. Writes out/load_<N>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
MAX_SESSIONS = 40
KINDS = ("photo", "video", "speech")
PAGES = {"photo": "colorize", "video": "talking-face", "speech": "speech-to-text"}
DONE = {"photo": "Download the colorized photo", "video": "Download the video (MP4)", "speech": "Subtitles (SRT)"}


# ------------------------------------------------------------------------------------ the inputs
def phone_photo(seed: int, path: Path) -> Path:
    """A 4000x3000 JPEG (12 MP, quality 92, a few MB like a phone's): a public-domain sample
    photo scaled up, with a little sensor noise so every learner's file differs."""
    from PIL import Image
    from skimage import data

    base = [data.astronaut, data.coffee, data.chelsea, data.rocket][seed % 4]()
    img = Image.fromarray(base).resize((4000, 3000), Image.BICUBIC)
    a = np.asarray(img, np.int16) + np.random.default_rng(seed).integers(-6, 7, (3000, 4000, 3), dtype=np.int16)
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def speech_clip(seconds: float, seed: int, path: Path) -> Path:
    """`seconds` of the app's own speech samples (synthetic voices) in a shuffled order with short
    pauses, written as 44.1 kHz 16-bit WAV (the rate most phones and laptops record at)."""
    import soundfile as sf

    from demos.audio import read_audio, resample

    rng = np.random.default_rng(seed)
    clips = [read_audio(p) for p in sorted((ROOT / "demos" / "samples").glob("*.ogg"))]
    parts, n = [], 0
    while n < seconds * 16000:
        x = clips[rng.integers(len(clips))] * rng.uniform(0.6, 1.0)
        parts += [x, np.zeros(int(rng.uniform(0.2, 0.6) * 16000), np.float32)]
        n += len(x) + len(parts[-1])
    x = np.concatenate(parts)[: int(seconds * 16000)]
    sf.write(path, resample(x.astype(np.float32), 16000, 44100), 44100, subtype="PCM_16")
    return path


def make_inputs(n: int, folder: Path) -> list[tuple[str, Path]]:
    """(kind, file) for each session."""
    out = []
    for i in range(n):
        kind = KINDS[i % 3]
        if kind == "photo":
            out.append((kind, phone_photo(i, folder / f"photo{i}.jpg")))
        elif kind == "video":
            out.append((kind, speech_clip(20, i, folder / f"voice{i}.wav")))
        else:
            out.append((kind, speech_clip(60, i, folder / f"speech{i}.wav")))
    return out


# ------------------------------------------------------------------------------- the server side
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    """`streamlit run` on localhost; its output goes to `log` (read it if a session fails)."""
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "demos/app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline:
        if healthy(port):
            return proc
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 90 s")


def healthy(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).read() == b"ok"
    except OSError:
        return False


def tree_rss(pid: int) -> int:
    """Resident memory, in bytes, of pid and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Sampler(threading.Thread):
    """Samples the server tree's RSS every `every` seconds until stopped; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.samples = pid, every, 0, []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = tree_rss(self.pid)
            self.peak = max(self.peak, rss)
            self.samples.append((time.time(), rss))
            self.stop.wait(self.every)


# ------------------------------------------------------------------------------ the browser side
WATCH_WAIT = """() => { window.__waited = false;
  new MutationObserver(() => { if (document.body.innerText.includes('Waiting for a free slot')) window.__waited = true; })
    .observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


async def session(browser, url: str, kind: str, path: Path, timeout_s: float) -> dict:
    """One learner: open the page, upload the file, wait for the result (or an error)."""
    ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(timeout_s * 1000)
    row = {"kind": kind, "file_mb": round(path.stat().st_size / 2**20, 1)}
    try:
        await page.goto(f"{url}/{PAGES[kind]}?lang=en")
        await page.get_by_text("your file").first.click()
        await page.evaluate(WATCH_WAIT)
        t0 = time.time()
        await page.locator('input[type="file"]').first.set_input_files(str(path))
        done = page.get_by_text(DONE[kind]).first
        failed = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').first
        await done.or_(failed).wait_for()
        row["seconds"] = round(time.time() - t0, 1)
        row["served"] = await done.is_visible()
        if not row["served"]:
            row["error"] = (await failed.inner_text())[:300]
        row["waited_for_slot"] = await page.evaluate("() => window.__waited")
    except Exception as e:  # a timeout or a dead server: record it, the others go on
        row.update(served=False, error=f"{type(e).__name__}: {str(e)[:300]}")
    finally:
        await ctx.close()
    print(f"  {kind:7s} {'served' if row['served'] else 'FAILED'} in {row.get('seconds', '-')} s", flush=True)
    return row


async def classroom(url: str, inputs: list[tuple[str, Path]], timeout_s: float, stagger_s: float) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        async def later(i: int, kind: str, path: Path) -> dict:
            await asyncio.sleep(i * stagger_s)  # a class does not click in the same millisecond
            return await session(browser, url, kind, path, timeout_s)

        rows = await asyncio.gather(*(later(i, k, f) for i, (k, f) in enumerate(inputs)))
        after = await session(browser, url, "photo", inputs[0][1], timeout_s)  # served after the rush?
        await browser.close()
    return [*rows, {**after, "after": True}]


async def big_download(url: str, path: Path, timeout_s: float) -> dict:
    """One session: a very large photo to Colorize, then its full-size PNG downloaded."""
    from PIL import Image
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        page.set_default_timeout(timeout_s * 1000)
        await page.goto(f"{url}/colorize?lang=en")
        await page.get_by_text("your file").first.click()
        t0 = time.time()
        await page.locator('input[type="file"]').first.set_input_files(str(path))
        await page.get_by_text(DONE["photo"]).first.wait_for()
        shown = time.time() - t0
        async with page.expect_download() as info:
            t0 = time.time()
            await page.get_by_text(DONE["photo"]).first.click()
        saved = await (await info.value).path()
        row = {"shown_s": round(shown, 1), "download_s": round(time.time() - t0, 1), "png_size": Image.open(saved).size}
        await browser.close()
    return row


# ------------------------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=8, help=f"browser sessions at once (1-{MAX_SESSIONS})")
    ap.add_argument("--timeout", type=float, default=600, help="seconds one session may wait for its result")
    ap.add_argument("--stagger", type=float, default=0.3, help="seconds between session starts")
    ap.add_argument("--big-download", action="store_true", help="instead: one session, a 6000x4000 photo and its full-size download")
    args = ap.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS:
        raise SystemExit(f"--sessions must be 1-{MAX_SESSIONS}")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")

    with tempfile.TemporaryDirectory() as tmp:
        if args.big_download:
            big = Path(tmp) / "big.jpg"
            from PIL import Image

            Image.open(phone_photo(0, big)).resize((6000, 4000)).save(big, quality=92)
            inputs = [("photo", big)]
            args.sessions = 1
        else:
            print(f"making {args.sessions} inputs...", flush=True)
            inputs = make_inputs(args.sessions, Path(tmp))
        port = free_port()
        log = ROOT / "out" / f"load_{args.sessions}.server.log"
        log.parent.mkdir(exist_ok=True)
        server = start_server(port, log)
        try:
            time.sleep(2)
            idle = tree_rss(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            t0 = time.time()
            url = f"http://127.0.0.1:{port}"
            if args.big_download:
                row = asyncio.run(big_download(url, inputs[0][1], args.timeout))
                sampler.stop.set()
                sampler.join()
                print(f"6000x4000 photo: shown in {row['shown_s']} s, full-size PNG {row['png_size']} downloaded in {row['download_s']} s; "
                      f"server RSS idle {idle / 2**20:.0f} MB, peak {sampler.peak / 2**20:.0f} MB")
                return
            rows = asyncio.run(classroom(url, inputs, args.timeout, args.stagger))
            wall = time.time() - t0
            sampler.stop.set()
            sampler.join()
            alive, ok = server.poll() is None, healthy(port)
            end = tree_rss(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()

    rush = [r for r in rows if not r.get("after")]
    served = [r for r in rush if r.get("served")]
    summary = {
        "sessions": args.sessions, "slots": os.environ.get("SEEDL_SLOTS") or "default", "cores": os.cpu_count(),
        "served": len(served), "failed": [r for r in rush if not r.get("served")],
        "told_to_wait": sum(bool(r.get("waited_for_slot")) for r in rush),
        "idle_rss_mb": round(idle / 2**20), "peak_rss_mb": round(sampler.peak / 2**20), "rss_after_mb": round(end / 2**20),
        "wall_s": round(wall, 1), "server_alive_after": alive, "health_after": ok, "served_after_rush": bool(rows[-1].get("served")),
        "per_kind": {k: sorted(r["seconds"] for r in served if r["kind"] == k) for k in KINDS},
        "slowest_s": max((r["seconds"] for r in served), default=None),
        "sessions_detail": rows,
    }
    out = ROOT / "out" / f"load_{args.sessions}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    print(f"\n{len(served)}/{args.sessions} sessions served; {summary['told_to_wait']} were told they wait for a slot")
    for k in KINDS:
        t = summary["per_kind"][k]
        if t:
            print(f"  {k:7s} n={len(t):2d}  median {np.median(t):6.1f} s  slowest {max(t):6.1f} s")
    for r in summary["failed"]:
        print(f"  FAILED {r['kind']}: {r.get('error')}")
    print(f"server RSS (process tree): idle {summary['idle_rss_mb']} MB, peak {summary['peak_rss_mb']} MB, after {summary['rss_after_mb']} MB")
    print(f"after the rush: alive {alive}, health {ok}, one more session served {summary['served_after_rush']}; wall {wall:.0f} s")
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
