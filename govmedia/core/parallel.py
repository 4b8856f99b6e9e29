"""Work that reads the database beside the work of the calling thread, on a connection of its own.

A region report spends half its time waiting on PostgreSQL and half shaping rows in Python; the month before
(read for the comparison) is an independent build, so while one waits the other runs. Only where the second
connection sees exactly what the first sees: on PostgreSQL, outside any transaction (all that either reads is
committed). Inside a transaction (a test's, or a caller's) the work runs in the calling thread instead, when
its result is asked for — the same answer, one after the other.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection, connections

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
