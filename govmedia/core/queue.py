"""Sending work whose database row is the source of truth (an inspection run, a report export).

The row is written first and the task is sent after the commit; a broker that is down only delays the work: the
send is logged and the row stays `queued` until its room's sweeper sends it again. A task may therefore arrive
twice, so every such task claims its row with a conditional update and does nothing when it loses.
"""
from __future__ import annotations

import datetime as dt
import logging

from celery import signature
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def send(name: str, *, args: tuple = (), kwargs: dict | None = None, task_id: str | None = None) -> bool:
    """Send task `name` (by its registered name, so rooms below the task module can queue it); False when the
    broker could not take it."""
    try:
        signature(name, args=args, kwargs=kwargs or {}).apply_async(task_id=task_id)
    except Exception:  # noqa: BLE001 - any broker or result-backend fault: the sweeper sends it again later
        log.warning("broker unavailable: %s %s stays queued for the sweeper", name, task_id or list(args), exc_info=True)
        return False
    return True


def send_on_commit(name: str, *, args: tuple = (), kwargs: dict | None = None, task_id: str | None = None) -> None:
    """Send after the surrounding transaction commits (at once outside one); never raises."""
    transaction.on_commit(lambda: send(name, args=args, kwargs=kwargs, task_id=task_id))


def requeue_after() -> dt.timedelta:
    """How long a row may stay `queued` before the sweeper sends its task again."""
    return dt.timedelta(minutes=settings.GOVMEDIA_REQUEUE_MINUTES)
