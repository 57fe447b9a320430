"""A fair queue for the heavy steps, shared by every session of one server.

A class of 30 on one laptop must not run 30 network passes at once: memory would grow with the
class and every session would crawl. So each heavy step (a network pass, a video encoding, a
PocketSphinx run) takes one of a few slots (about the number of cores), first come first served;
a session that has to wait says how many are ahead of it. Finished results that every session may
share (a sample photo 30 learners pick) are kept in a small cache, so they are computed once.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


def default_slots() -> int:
    """SEEDL_SLOTS if set, else the cores this process may use (at most 4: beyond that, memory
    matters more than speed on a laptop)."""
    if os.environ.get("SEEDL_SLOTS", "").isdigit() and int(os.environ["SEEDL_SLOTS"]) > 0:
        return int(os.environ["SEEDL_SLOTS"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cores))


class FairQueue:
    """At most `slots` holders at once; the others wait in arrival order (a ticket each)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = slots
        self._waiting: list[int] = []
        self._tickets = itertools.count()
        self._cond = threading.Condition()

    @property
    def busy(self) -> int:
        return self.slots - self._free

    @property
    def queued(self) -> int:
        return len(self._waiting)

    @contextmanager
    def slot(self, on_wait: Callable[[int], None] | None = None, poll_s: float = 0.5) -> Iterator[None]:
        """Hold a slot for the `with` block. While waiting, on_wait(n) is called with the number of
        sessions ahead (0: next in line) when it changes and every 3 s; it may raise (Streamlit stops
        a script that way when the user leaves or reruns), and the ticket is then given up."""
        ticket = next(self._tickets)
        with self._cond:
            self._waiting.append(ticket)
        told, told_at = -1, 0.0
        try:
            while True:
                with self._cond:
                    if self._free > 0 and self._waiting[0] == ticket:
                        self._waiting.pop(0)
                        self._free -= 1
                        self._cond.notify_all()  # the next in line may have a free slot too
                        break
                    ahead = self._waiting.index(ticket)
                # Tell the waiter when its place changes, and every few seconds anyway (that is when
                # Streamlit can stop a script whose user left); not on every poll: 30 waiters would flood.
                if on_wait is not None and (ahead != told or time.monotonic() - told_at > 3.0):
                    on_wait(ahead)  # outside the lock: it talks to the browser
                    told, told_at = ahead, time.monotonic()
                with self._cond:
                    if not (self._free > 0 and self._waiting[0] == ticket):
                        self._cond.wait(poll_s)
        except BaseException:
            with self._cond:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify_all()
            trim()


class SharedResults:
    """A small least-recently-used map of finished results, shared by all sessions."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


QUEUE = FairQueue(default_slots())
_BLAS_LIMIT = None
_LIBC = None


def return_memory_promptly() -> None:
    """glibc keeps freed memory for reuse: with 30 script threads, one arena each, and a threshold
    for mmapping big blocks that grows after each free, a server that once held a 12-megapixel photo
    per thread keeps that memory. Two arenas, a fixed 1 MB threshold (every big array is mapped and
    unmapped: the OS gets it back at once) and a trim after each heavy step keep it close to what is
    in use. A no-op where the C library is not glibc."""
    global _LIBC
    try:
        _LIBC = ctypes.CDLL("libc.so.6")
        _LIBC.mallopt(-8, 2)  # M_ARENA_MAX
        _LIBC.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD (setting it also stops its growth)
    except (OSError, AttributeError):
        _LIBC = None


def trim() -> None:
    """Give the heap's free memory back to the OS (after a heavy step)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def one_blas_thread() -> None:
    """The server runs one BLAS thread per heavy step: the slots already use the cores in parallel,
    and OpenBLAS threads called from several steps at once spin against each other (seen under load:
    a 2 s forward pass spinning for minutes). The CLI and the benches keep every BLAS thread."""
    global _BLAS_LIMIT
    if _BLAS_LIMIT is None:
        import numpy  # noqa: F401  (loads OpenBLAS first: Streamlit imports NumPy lazily, and a limit set before it is lost)
        from threadpoolctl import threadpool_limits

        _BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")


def run(compute: Callable[[], T], on_wait: Callable[[int], None] | None = None, *,
        results: SharedResults | None = None, key: Hashable | None = None) -> T:
    """compute() holding a slot of the server's queue. With `results` and `key`, a result already
    there (maybe finished by another session while this one waited) is returned without computing."""
    if results is not None and (hit := results.get(key)) is not None:
        return hit
    with QUEUE.slot(on_wait):
        if results is not None and (hit := results.get(key)) is not None:
            return hit
        value = compute()
        if results is not None:
            results.put(key, value)  # before the slot is freed: the next in line must find it
    return value
