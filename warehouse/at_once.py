"""Reads taken at once: one pool of threads per process, each read on a connection of its own.

A page that needs several reads which do not depend on each other hands the small ones to
`at_once` and goes on with its main read. The threads are kept for the life of the process:
starting a thread for every read cost a page about as long as the read itself, since the new
thread holds the interpreter until it first waits on the database.

A read already running on the pool runs any read it hands on in its own thread, so the pool
never waits on itself. A process forked from one that used the pool (a server's workers) gets
a pool of its own, since threads do not survive a fork.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Enough for the busiest page's reads (five) from two requests at once; the engine's pool
# holds more connections than this, so a read never waits on a connection held by the pool
WORKERS = 6

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()
_here = threading.local()


def _mark_pool_thread() -> None:
    _here.in_pool = True


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (
                os.getpid(),
                ThreadPoolExecutor(
                    max_workers=WORKERS,
                    thread_name_prefix="pmf-read",
                    initializer=_mark_pool_thread,
                ),
            )
        return _pool[1]


def at_once(read: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Future[R]:
    """Start `read(*args, **kwargs)` on the process's pool; its `result()` waits for it."""
    if getattr(_here, "in_pool", False):
        done: Future[R] = Future()
        try:
            done.set_result(read(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks for the result, as the pool does
            done.set_exception(exc)
        return done
    return _executor().submit(read, *args, **kwargs)
