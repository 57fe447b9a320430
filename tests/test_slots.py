"""The fair queue: at most N heavy steps at once, first come first served, a waiting session told
how many are ahead, nothing lost when a waiter leaves; and the pages wait visibly."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from contextlib import ExitStack

import numpy as np
import pytest
from PIL import Image

from demos import slots, widgets
from demos.slots import FairQueue, SharedResults
from tests.conftest import ROOT, open_page


def test_at_most_n_at_once_in_arrival_order():
    q = FairQueue(2)
    running, peak, order, lock = [0], [0], [], threading.Lock()

    def job(i: int) -> None:
        with q.slot(poll_s=0.01):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(i)
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    threads = []
    for i in range(8):
        threads.append(threading.Thread(target=job, args=(i,)))
        threads[-1].start()
        time.sleep(0.01)  # arrive in order
    for t in threads:
        t.join(10)
    assert peak[0] == 2 and sorted(order) == list(range(8))
    assert order == list(range(8))  # first come, first served
    assert q.busy == 0 and q.queued == 0


def hold(q: FairQueue, n: int, seconds: float) -> threading.Thread:
    """n slots of q taken in a thread for `seconds` (returns once they are taken)."""
    taken = threading.Event()

    def run() -> None:
        with ExitStack() as stack:
            for _ in range(n):
                stack.enter_context(q.slot())
            taken.set()
            time.sleep(seconds)

    t = threading.Thread(target=run)
    t.start()
    assert taken.wait(5)
    return t


def test_waiters_are_told_how_many_are_ahead():
    q = FairQueue(1)
    holder = hold(q, 1, 0.6)
    seen: dict[str, set[int]] = {"first": set(), "second": set()}

    def wait(who: str) -> None:
        with q.slot(lambda ahead: seen[who].add(ahead), poll_s=0.02):
            time.sleep(0.05)

    first = threading.Thread(target=wait, args=("first",))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=wait, args=("second",))
    second.start()
    for t in (holder, first, second):
        t.join(10)
    assert seen["first"] == {0}
    assert 1 in seen["second"]  # one ahead while the first waited, next in line after
    assert q.busy == 0 and q.queued == 0


def test_a_waiter_that_leaves_gives_up_its_ticket():
    """Streamlit stops a script by raising inside it (the user reran or closed the tab)."""
    q = FairQueue(1)
    holder = hold(q, 1, 0.3)

    def leave(ahead: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with q.slot(leave):
            pass
    assert q.queued == 0
    holder.join(5)
    with pytest.raises(ValueError):  # an error inside the step frees the slot too
        with q.slot():
            raise ValueError
    assert q.busy == 0
    with q.slot():  # and the queue still serves
        assert q.busy == 1


def test_shared_results_compute_once_and_stay_small(monkeypatch):
    monkeypatch.setattr(slots, "QUEUE", FairQueue(2))
    results, calls = SharedResults(2), []

    def compute() -> str:
        calls.append(1)
        time.sleep(0.1)
        return "done"

    threads = [threading.Thread(target=slots.run, args=(compute,), kwargs={"results": results, "key": "sample"}) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(calls) <= 2  # the ones that waited found it done (2 may start at once, one per slot)
    assert slots.run(compute, results=results, key="sample") == "done" and len(calls) <= 2
    results.put("b", 1)
    results.put("c", 2)
    assert results.get("sample") is None and results.get("c") == 2


def test_default_slots_follow_the_environment(monkeypatch):
    monkeypatch.setenv("SEEDL_SLOTS", "3")
    assert slots.default_slots() == 3
    monkeypatch.setenv("SEEDL_SLOTS", "lots")
    assert 1 <= slots.default_slots() <= 4


def photo(seed: int) -> bytes:
    """A photo no other test uploads, so the page must compute (not find it in the shared cache)."""
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("page", ["colorize/page.py", "stt/page.py", "lipsync/page.py"])
def test_pages_wait_for_a_free_slot_and_say_so(page, monkeypatch):
    """Every slot taken by other sessions: the page says it waits, then gives its result."""
    at = open_page(page)
    if page.startswith("colorize"):
        at.radio(key="col_source").set_value("your file").run()
        step = at.file_uploader(key="col_upload").upload("mine.png", photo(int(time.time())), "image/png")
    elif page.startswith("stt"):
        step = at.selectbox(key="stt_sample").set_value("directions_us2.ogg")
    else:
        step = at.selectbox(key="ls_sample").set_value("hello_slt.ogg")
    shown: list[int] = []
    real = widgets.waiting_text
    monkeypatch.setattr(widgets, "waiting_text", lambda ahead: shown.append(ahead) or real(ahead))
    holder = hold(slots.QUEUE, slots.QUEUE.slots, 1.5)
    step.run()
    holder.join(5)
    assert not at.exception and not at.error
    assert shown and shown[0] == 0, shown
    assert "Waiting for a free slot (next in line)" in real(0)
    if page.startswith("colorize"):
        assert len(at.get("image")) == 3 and at.get("download_button")
    elif page.startswith("stt"):
        assert any(m.value.startswith("### ") for m in at.markdown)
    else:
        assert len(at.get("video")) == 1
    assert slots.QUEUE.busy == 0 and slots.QUEUE.queued == 0
    from threadpoolctl import threadpool_info

    assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")  # the server's setting


def test_one_blas_thread_holds_even_before_numpy_is_loaded():
    """Streamlit imports NumPy lazily: a BLAS limit set before OpenBLAS is loaded would be lost."""
    code = ("from demos import slots; slots.one_blas_thread(); import numpy, threadpoolctl; "
            "print([p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'])")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[1]", out.stdout + out.stderr
