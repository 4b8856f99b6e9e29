"""Reading a column's list page to find its newest item's date (when a column has a URL but no feed).

List pages of Chinese government sites show a date beside each item: 2024-10-08, 2024/10/08, 2024.10.08 or
2024年10月8日. The newest such date (not in the future) is recorded as an update with source `crawl`.
"""
import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.db import transaction
from django.utils import timezone

from .http import fetch
from .models import Column, Site, SiteStatus, UpdateSource
from .services import column_add_update

DATE_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)")
ITEM_TAGS = {"li", "tr", "dd", "dt", "p", "article"}
SKIPPED_TAGS = {"script", "style", "head", "title"}


def find_dates(text: str) -> list[dt.date]:
    dates = []
    for year, month, day in DATE_RE.findall(text):
        try:
            dates.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue  # 2024-13-45 is not a date
    return dates


@dataclass
class ListItem:
    on: dt.date
    title: str
    url: str


class _ItemParser(HTMLParser):
    """Splits a page into list items (li, tr, dd …), each with its text and its first link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []
        self.stack: list[dict] = []
        self.skip = 0
        self.link_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skip += 1
        elif tag in ITEM_TAGS:
            self.stack.append({"text": [], "href": "", "title": "", "tag": tag})
        elif tag == "a" and self.stack and not self.stack[-1]["href"]:
            attrs = dict(attrs)
            self.stack[-1]["href"] = attrs.get("href") or ""
            self.stack[-1]["title"] = attrs.get("title") or ""
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "a" and self.link_text is not None and self.stack:
            if not self.stack[-1]["title"]:
                self.stack[-1]["title"] = "".join(self.link_text).strip()
            self.link_text = None
        elif tag in ITEM_TAGS and self.stack:
            # Close up to the matching item (HTML in the wild leaves <li> and <p> open).
            while self.stack:
                item = self.stack.pop()
                self.items.append(item)
                if item["tag"] == tag:
                    break

    def handle_data(self, data):
        if self.skip:
            return
        for item in self.stack[-1:]:
            item["text"].append(data)
        if self.link_text is not None:
            self.link_text.append(data)

    def close(self):
        super().close()
        while self.stack:
            self.items.append(self.stack.pop())


def newest_item(html: str, page_url: str, *, today: dt.date | None = None) -> ListItem | None:
    """The list item with the newest date not after `today`; the page's newest date when it has no items."""
    today = today or timezone.localdate()
    parser = _ItemParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - take what was parsed before the page broke
        pass
    best: ListItem | None = None
    for item in parser.items:
        dates = [d for d in find_dates("".join(item["text"])) if d <= today]
        if not dates or not item["href"]:
            continue
        candidate = ListItem(on=max(dates), title=" ".join(item["title"].split())[:500], url=urljoin(page_url, item["href"]))
        if best is None or candidate.on > best.on:
            best = candidate
    if best is None:
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S | re.I)
        dates = [d for d in find_dates(re.sub(r"<[^>]+>", " ", text)) if d <= today]
        if dates:
            best = ListItem(on=max(dates), title="", url="")
    return best


def crawl_column(column: Column, *, today: dt.date | None = None):
    """Read one column's list page and record its newest item; returns (update, created) or None."""
    page = fetch(column.url)
    if not page.ok:
        Column.objects.filter(pk=column.pk).update(crawl_error=page.error or f"HTTP {page.status}")
        return None
    item = newest_item(page.text(), page.final_url or column.url, today=today)
    if item is None:
        Column.objects.filter(pk=column.pk).update(crawl_error="栏目页上未找到日期")
        return None
    published_at = timezone.make_aware(dt.datetime.combine(item.on, dt.time(12, 0)))
    title = item.title or f"栏目页最新信息（{item.on:%Y-%m-%d}）"
    with transaction.atomic():
        Column.objects.filter(pk=column.pk).update(crawl_error="")
        # The item's own URL identifies it; without one, the date does: a re-read of the same page adds nothing.
        return column_add_update(
            column=column, published_at=published_at, title=title, url=item.url[:1000], source=UpdateSource.CRAWL,
            external_id=f"crawl:{item.url or item.on.isoformat()}"[:500],
        )


def crawl_columns(columns=None) -> dict:
    """Every column with a URL and no feed (a feed tells more). One bad page never stops the others."""
    columns = Column.objects.exclude(url="").filter(feed_url="") if columns is None else columns
    summary = {"columns": 0, "recorded": 0, "failed": 0}
    for column in columns.iterator():
        summary["columns"] += 1
        try:
            outcome = crawl_column(column)
        except Exception as exc:  # noqa: BLE001
            Column.objects.filter(pk=column.pk).update(crawl_error=f"{type(exc).__name__}: {exc}"[:500])
            outcome = None
        if outcome is None:
            summary["failed"] += 1
        elif outcome[1]:
            summary["recorded"] += 1
    return summary


def _advance_homepage(site_id: int, day: dt.date) -> None:
    from django.db.models import Q

    Site.objects.filter(pk=site_id).filter(Q(homepage_updated_on__isnull=True) | Q(homepage_updated_on__lt=day)).update(
        homepage_updated_on=day
    )


def crawl_homepage(site: Site, *, today: dt.date | None = None) -> dt.date | None:
    """Keep `homepage_updated_on` current (checklist veto 首页不更新): the newest date shown on the homepage;
    for a homepage that is only navigation, its second-level pages count, i.e. the newest column update."""
    from django.db.models import Max

    day = None
    if site.homepage_is_navigation:
        day = site.columns.aggregate(newest=Max("last_updated_on"))["newest"]
    else:
        page = fetch(site.url)
        if page.ok:
            item = newest_item(page.text(), page.final_url or site.url, today=today)
            day = item.on if item else None
    if day is not None:
        _advance_homepage(site.pk, day)
    return day


def crawl_homepages(sites=None) -> dict:
    sites = Site.objects.filter(status=SiteStatus.RUNNING) if sites is None else sites
    summary = {"sites": 0, "dated": 0}
    for site in sites.iterator():
        summary["sites"] += 1
        try:
            summary["dated"] += crawl_homepage(site) is not None
        except Exception:  # noqa: BLE001 - one odd homepage never stops the others
            continue
    return summary
