"""Reads taken at once share one pool of threads per process: answers and errors come back to
whoever asks, a read handed on from the pool never waits on the pool, and a forked process
gets threads of its own."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from warehouse import at_once as module
from warehouse.at_once import WORKERS, at_once


def test_a_read_answers_on_another_thread_and_the_threads_are_kept() -> None:
    here = threading.get_ident()
    first = at_once(threading.get_ident).result(timeout=10)
    assert first != here
    # The same threads serve later reads: none is started per read
    seen = {at_once(threading.get_ident).result(timeout=10) for _ in range(50)}
    assert len(seen) <= WORKERS


def test_an_error_reaches_whoever_asks_for_the_answer() -> None:
    def failing(name: str) -> None:
        raise LookupError(f"no measure {name!r}")

    with pytest.raises(LookupError, match="no measure 'x'"):
        at_once(failing, "x").result(timeout=10)


def test_a_read_handed_on_from_the_pool_runs_there_even_when_every_thread_is_busy() -> None:
    release = threading.Event()
    started = threading.Barrier(WORKERS + 1)

    def outer(number: int) -> tuple[int, bool]:
        started.wait(timeout=10)
        release.wait(timeout=10)
        # Every thread is taken by an outer read: a pool that queued this one would never run it
        inner = at_once(lambda: (number, threading.get_ident()))
        answer, thread = inner.result(timeout=10)
        return answer, thread == threading.get_ident()

    outers = [at_once(outer, n) for n in range(WORKERS)]
    started.wait(timeout=10)
    release.set()
    answers = [f.result(timeout=20) for f in outers]
    assert answers == [(number, True) for number in range(WORKERS)]


def _in_child(queue: multiprocessing.Queue[int]) -> None:
    queue.put(at_once(lambda: 6 * 7).result(timeout=10))


def test_a_forked_process_gets_a_pool_of_its_own() -> None:
    assert at_once(lambda: 1).result(timeout=10) == 1  # the parent's threads exist
    parents = module._pool
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(queue,))
    child.start()
    began = time.monotonic()
    answer = queue.get(timeout=30)  # a child reusing its parent's dead threads would hang
    child.join(timeout=30)
    assert answer == 42 and child.exitcode == 0
    assert time.monotonic() - began < 30
    assert module._pool is parents  # the parent's own is untouched
