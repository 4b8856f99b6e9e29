"""Polling the RSS/Atom feed of every column and account that has a `feed_url` (feedparser).

Each entry is recorded through `column_add_update` / `account_add_update` with its id as `external_id`, so a
re-poll adds nothing. The feed is downloaded (with a timeout) before any transaction opens; one failing
feed never stops the others.
"""
import calendar
import datetime as dt
import logging

import feedparser
from django.db import transaction

from accounts.models import Account
from accounts.services import account_add_update

from .http import fetch
from .models import Column, UpdateSource
from .services import column_add_update

logger = logging.getLogger(__name__)


class FeedError(Exception):
    pass


def read_feed(url: str) -> list[dict]:
    """The feed's dated entries: [{external_id, published_at, title, url}]. Raises FeedError."""
    answer = fetch(url)
    if not answer.ok:
        raise FeedError(answer.error or f"HTTP {answer.status}")
    parsed = feedparser.parse(answer.body, response_headers=answer.headers)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"无法解析 RSS/Atom：{parsed.get('bozo_exception', '')}"[:500])
    entries = []
    for entry in parsed.entries:
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        if moment is None:
            continue  # an undated entry says nothing about when the column was updated
        published_at = dt.datetime.fromtimestamp(calendar.timegm(moment), tz=dt.timezone.utc)
        link = entry.get("link", "") or ""
        identity = entry.get("id") or link or f"{entry.get('title', '')}@{published_at.isoformat()}"
        entries.append({
            "external_id": identity[:500], "published_at": published_at,
            "title": (entry.get("title") or "（无标题）").strip()[:500], "url": link[:1000],
        })
    return entries


def _record(subject, entries) -> int:
    created = 0
    with transaction.atomic():
        for entry in entries:
            if isinstance(subject, Column):
                _update, new = column_add_update(column=subject, source=UpdateSource.FEED, **entry)
            else:
                _update, new = account_add_update(account=subject, source=UpdateSource.FEED, **entry)
            created += new
    return created


def poll_subject(subject) -> int:
    """Poll one column's or account's feed; returns how many new updates were recorded."""
    try:
        entries = read_feed(subject.feed_url)
    except FeedError as exc:
        if isinstance(subject, Column):
            Column.objects.filter(pk=subject.pk).update(feed_error=str(exc)[:500])
        raise
    created = _record(subject, entries)
    if isinstance(subject, Column) and subject.feed_error:
        Column.objects.filter(pk=subject.pk).update(feed_error="")
    return created


def poll_feeds(columns=None, accounts=None) -> dict:
    """Every column and account with a feed URL; a summary of what was recorded and what failed."""
    columns = Column.objects.exclude(feed_url="") if columns is None else columns
    accounts = Account.objects.live().exclude(feed_url="") if accounts is None else accounts
    summary = {"feeds": 0, "recorded": 0, "failed": 0}
    for subject in [*columns.iterator(), *accounts.iterator()]:
        summary["feeds"] += 1
        try:
            summary["recorded"] += poll_subject(subject)
        except Exception as exc:  # noqa: BLE001 - one bad feed never stops the others
            summary["failed"] += 1
            logger.warning("feed of %s %s failed: %s", type(subject).__name__, subject.pk, exc)
    return summary
