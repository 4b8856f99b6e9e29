"""Work beside the work of the calling thread: reading the database on a connection of its own (`alongside`),
or building statements while the calling thread waits on the database (`ahead`).

A region report spends half its time waiting on PostgreSQL and half shaping rows in Python; the month before
(read for the comparison) is an independent build, so while one waits the other runs. Only where the second
connection sees exactly what the first sees: on PostgreSQL, outside any transaction (all that either reads is
committed). Inside a transaction (a test's, or a caller's) the work runs in the calling thread instead, when
its result is asked for — the same answer, one after the other.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections

T = TypeVar("T")


def alongside(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` now on its own thread and connection where that is safe (see above); returns the call that
    waits for its result (re-raising its error). Elsewhere `work` runs when its result is asked for."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return work
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            outcome["error"] = error
        finally:
            # The thread's own connections (they are per thread): none is left open behind it.
            connections.close_all()

    thread = threading.Thread(target=run, name="govmedia-alongside", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return result



class Ahead:
    """Work in Python alone, such as building the SQL of statements the calling thread sends later, done in
    order on one thread of its own while the calling thread waits on the database (the driver lets go of the
    interpreter meanwhile). `start()` just before sending a long statement: started earlier, the two threads
    would take turns at the interpreter and each wait for the other. A result asked for before `start()` is
    worked out in the calling thread. A job must not query the database: the thread has no connection, and one
    it opens is closed again and its job fails."""

    def __init__(self, jobs: list[Callable[[], T]]):
        self._jobs = list(jobs)
        self._outcomes: list[dict] = [{} for _ in self._jobs]
        self._done = [threading.Event() for _ in self._jobs]
        self._next = 0  # the first job neither done nor being done
        self._lock = threading.Lock()
        self._started = False

    def _claim(self) -> int | None:
        with self._lock:
            if self._next >= len(self._jobs):
                return None
            self._next += 1
            return self._next - 1

    def _work(self, index: int, *, own_thread: bool) -> None:
        outcome = self._outcomes[index]
        try:
            outcome["value"] = self._jobs[index]()
            if own_thread and connections[DEFAULT_DB_ALIAS].connection is not None:
                raise RuntimeError("work built ahead queried the database")
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            outcome["error"] = error
        finally:
            if own_thread:
                connections.close_all()
            self._done[index].set()

    def start(self) -> None:
        with self._lock:
            if self._started or self._next >= len(self._jobs):
                return
            self._started = True

        def run() -> None:
            time.sleep(0)  # the calling thread has the interpreter first, to send its statement
            while (index := self._claim()) is not None:
                self._work(index, own_thread=True)

        threading.Thread(target=run, name="govmedia-ahead", daemon=True).start()

    def result(self, index: int) -> T:
        """Job `index`'s result (re-raising its error), waiting for the thread where it has it."""
        with self._lock:
            inline = not self._started and index == self._next
            if inline:
                self._next += 1
        if inline:
            self._work(index, own_thread=False)
        elif not self._started:
            self.start()
        self._done[index].wait()
        if "error" in self._outcomes[index]:
            raise self._outcomes[index]["error"]
        return self._outcomes[index]["value"]
