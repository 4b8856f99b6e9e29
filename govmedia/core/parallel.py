"""Work beside the work of the calling thread: reading the database on a connection of its own (`alongside`),
or building statements while the calling thread waits on the database (`Ahead`).

A region report spends half its time waiting on PostgreSQL and half shaping rows in Python; the month before
(read for the comparison) is an independent build, so while one waits the other runs. Only where the second
connection sees exactly what the first sees: on PostgreSQL, outside any transaction (all that either reads is
committed). Inside a transaction (a test's, or a caller's) the work runs in the calling thread instead, when
its result is asked for — the same answer, one after the other.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone, translation

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
    would take turns at the interpreter and each wait for the other. A result asked for that the thread has not
    taken (not started yet, or not able to start) is worked out in the calling thread. Jobs see the caller's
    time zone and language. A job must not query the database: the thread has no connection, and
    one it opens is closed again and its job fails."""

    def __init__(self, jobs: list[Callable[[], T]]):
        self._jobs = list(jobs)
        self._outcomes: list[dict] = [{} for _ in self._jobs]
        self._done = [threading.Event() for _ in self._jobs]
        self._taken = [False] * len(self._jobs)
        self._lock = threading.Lock()
        self._started = False
        # Django keeps these per thread: the thread takes the caller's, as compiling may read them.
        self._zone = timezone.get_current_timezone()
        self._language = translation.get_language()

    def _take(self, index: int) -> bool:
        with self._lock:
            if self._taken[index]:
                return False
            self._taken[index] = True
            return True

    def _work(self, index: int, job: Callable[[], T]) -> None:
        try:
            self._outcomes[index]["value"] = job()
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            self._outcomes[index]["error"] = error
        finally:
            self._done[index].set()

    def _own_thread(self) -> None:
        with timezone.override(self._zone), translation.override(self._language):
            for index, job in enumerate(self._jobs):
                if self._take(index):
                    self._work(index, partial(self._checked, job))

    @staticmethod
    def _checked(job: Callable[[], T]) -> T:
        try:
            value = job()
            if connections[DEFAULT_DB_ALIAS].connection is not None:
                raise RuntimeError("work built ahead queried the database")
            return value
        finally:
            connections.close_all()

    def start(self) -> None:
        with self._lock:
            if self._started or all(self._taken):
                return
            self._started = True
        thread = threading.Thread(target=self._own_thread, name="govmedia-ahead", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: each result is then worked out when asked for
            with self._lock:
                self._started = False

    def result(self, index: int) -> T:
        """Job `index`'s result (re-raising its error), waiting for the thread where it has taken it."""
        with self._lock:
            inline = not self._started and not self._taken[index]
            if inline:
                self._taken[index] = True
        if inline:
            self._work(index, self._jobs[index])
        self._done[index].wait()
        if "error" in self._outcomes[index]:
            raise self._outcomes[index]["error"]
        return self._outcomes[index]["value"]
