"""Answers that hold for one request: computed once, forgotten when the request ends or when what they read changes.

A list or the dashboard asks the same question many times (the checklist thresholds behind each countdown); a
request remembers the answer. Outside a request (a Celery task, a command) nothing is remembered: a long-lived
process would otherwise keep an answer another process has since changed. Whoever changes what an answer reads
calls `forget` (or connects it to the model's signals), so a request that edits and then reads sees its edit.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

_answers: ContextVar[dict | None] = ContextVar("govmedia_request_answers", default=None)


def _begin(*args, **kwargs) -> None:
    _answers.set({})


def _end(*args, **kwargs) -> None:
    _answers.set(None)


request_started.connect(_begin, dispatch_uid="govmedia.core.memo.begin")
request_finished.connect(_end, dispatch_uid="govmedia.core.memo.end")


@contextmanager
def remembering():
    """Remember answers within the block as a request does (a test of a request's reads; work that knows nothing
    it reads changes under it)."""
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def remember(key, compute):
    """`compute()`'s answer, once per request under `key`; computed every time outside a request."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    return answers[key]


def active() -> bool:
    """Whether answers are remembered here (within a request, or a `remembering` block)."""
    return _answers.get() is not None


def forget(*args, **kwargs) -> None:
    """Forget every remembered answer of this request (something they read changed). Also a signal receiver."""
    answers = _answers.get()
    if answers:
        answers.clear()
