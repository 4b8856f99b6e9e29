"""Reading a site for a scan: its own pages and attachments, breadth first, within limits.

Built on the link checker's pieces (`sites.http.fetch`: timeouts and byte caps, errors as data; the robots.txt
reader of `sites.linkcheck`): the same host only, a depth from the homepage, a page count, bytes per page and per
scan, a delay between two requests to the host, a time budget, robots.txt. Incremental by default: a page known
from the last scan is asked for with If-None-Match / If-Modified-Since, and a body with the same SHA-256 as
before counts as unchanged too; an unchanged page is not read again (its links kept from last time are followed).
No database work happens here: the caller records each page as it comes.
"""
from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from sites.http import fetch
from sites.linkcheck import _robots_for as robots_for  # the link checker's robots.txt reading, shared

from .models import ScanLimits
from .text import decode, extract
from .text import links as page_links

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".xlsx")
# Same-host links that are neither pages nor attachments we read: not fetched at all.
SKIPPED_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".css", ".js", ".mp3", ".mp4", ".avi", ".flv",
    ".wmv", ".mov", ".zip", ".rar", ".7z", ".gz", ".tar", ".exe", ".apk", ".iso", ".woff", ".woff2", ".ttf",
)


@dataclass
class Limits:
    max_depth: int = 5
    max_pages: int = 1000
    max_page_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 500 * 1024 * 1024
    delay: float = 0.5
    timeout: float = 15
    check_outbound: bool = True
    max_seconds: float = field(default_factory=lambda: settings.SCANNING_MAX_SECONDS)

    @classmethod
    def for_site(cls, site) -> Limits:
        row = ScanLimits.objects.filter(site=site).first() or ScanLimits(site=site)
        return cls(max_depth=row.max_depth, max_pages=row.max_pages, max_page_bytes=row.max_page_bytes,
                   max_total_bytes=row.max_total_bytes, delay=row.delay, timeout=row.timeout,
                   check_outbound=row.check_outbound)


@dataclass
class Known:
    """What the last scan kept of a page: the validators, the hash and the links."""

    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""
    links: list = field(default_factory=list)


@dataclass
class Page:
    url: str
    depth: int
    status: int | None = None
    error: str = ""
    kind: str = ""
    text: str = ""
    html: str = ""
    content_hash: str = ""
    etag: str = ""
    last_modified: str = ""
    size: int = 0
    # 304, or the same body as last time: nothing to check again.
    unchanged: bool = False
    # 404/410: the page is no longer published, so what it said is no longer published either.
    gone: bool = False
    links: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and not self.gone


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


def is_skipped(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(SKIPPED_SUFFIXES)


class Pacer:
    """At most one request per `delay` seconds to each host (the site's, and each outbound host)."""

    def __init__(self, delay: float):
        self.delay = delay
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = host_of(url)
        pause = self.delay - (time.monotonic() - self.last.get(host, -1e9))
        if pause > 0:
            time.sleep(pause)
        self.last[host] = time.monotonic()


def read_page(url: str, *, depth: int, limits: Limits, known: Known | None, host: str) -> Page:
    """Fetch one page or attachment (conditionally when `known`) and read its text."""
    headers = {}
    if known is not None:
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
    answer = fetch(url, timeout=limits.timeout, max_bytes=limits.max_page_bytes, headers=headers)
    page = Page(url=url, depth=depth, status=answer.status, size=len(answer.body),
                etag=answer.headers.get("etag", "")[:300], last_modified=answer.headers.get("last-modified", "")[:100])
    if answer.status == 304 and known is not None:
        page.unchanged, page.links = True, list(known.links)
        page.content_hash, page.etag = known.content_hash, page.etag or known.etag
        page.last_modified = page.last_modified or known.last_modified
        return page
    if answer.status in (404, 410):
        page.gone, page.error = True, answer.error
        return page
    if answer.error:
        page.error = answer.error
        return page
    if answer.final_url and host_of(answer.final_url) != host:
        # A page of the site that sends readers elsewhere is not the site's content; the link to it is checked
        # as an outbound link would be.
        page.error = f"跳转至站外：{answer.final_url}"[:500]
        return page
    page.content_hash = hashlib.sha256(answer.body).hexdigest()
    if known is not None and known.content_hash == page.content_hash:
        page.unchanged, page.links = True, list(known.links)
        return page
    content_type = answer.headers.get("content-type")
    page.kind, page.text = extract(answer.body, content_type, answer.final_url or url)
    if page.kind == "html":
        page.html = decode(answer.body, content_type)
        page.links = page_links(page.html, answer.final_url or url)
    return page


class Crawl:
    """One walk over a site. Iterate `pages()`; the counters say how far it got and why it stopped."""

    def __init__(self, home: str, limits: Limits, *, known: dict[str, Known] | None = None, full: bool = False,
                 pacer: Pacer | None = None):
        self.home = home
        self.host = host_of(home)
        self.limits = limits
        self.known = known or {}
        self.full = full
        self.pacer = pacer or Pacer(limits.delay)
        self.discovered = 1
        self.pages_read = 0
        self.bytes_read = 0
        self.skipped_by_robots = 0
        self.hit_limit = ""
        self.outbound: dict[str, str] = {}  # outbound url -> first page linking to it

    def pages(self, on_fetch: Callable[[str], None] | None = None) -> Iterator[Page]:
        limits = self.limits
        agent = settings.SITES_USER_AGENT
        started = time.monotonic()
        self.pacer.wait(self.home)
        robots = robots_for(self.home, limits)
        queue = deque([(self.home, 0)])
        queued = {self.home}
        while queue:
            url, depth = queue.popleft()
            if self.pages_read >= limits.max_pages:
                self.hit_limit = f"页面数（{limits.max_pages}）"
                break
            if self.bytes_read >= limits.max_total_bytes:
                self.hit_limit = f"读取字节（{limits.max_total_bytes}）"
                break
            if time.monotonic() - started > limits.max_seconds:
                self.hit_limit = f"扫描时长（{limits.max_seconds:g} 秒）"
                break
            if not robots.can_fetch(agent, url):
                self.skipped_by_robots += 1
                continue
            if on_fetch:
                on_fetch(url)
            self.pacer.wait(url)
            known = None if self.full else self.known.get(url)
            page = read_page(url, depth=depth, limits=limits, known=known, host=self.host)
            self.pages_read += 1
            self.bytes_read += page.size
            for link in page.links:
                if host_of(link) != self.host:
                    self.outbound.setdefault(link, url)
                    continue
                if link in queued or is_skipped(link):
                    continue
                # Attachments of a page at the last level are still read: they are that page's content.
                if depth + 1 > limits.max_depth and not (is_attachment(link) and depth + 1 == limits.max_depth + 1):
                    continue
                queued.add(link)
                queue.append((link, depth + 1))
            self.discovered = len(queued)
            yield page
