"""The link checker: walks a site's own pages within limits and records broken links and images.

Limits (settings, overridable per call): depth from the homepage, pages fetched, links checked, a delay
between requests to the site, robots.txt (urllib.robotparser) for the pages it walks, the site's host only.
All HTTP happens before the one short transaction that stores the results.
"""
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .http import fetch
from .models import BrokenLink, LinkCheck, LinkCheckStatus, LinkKind, Site

HTML_TYPES = {"text/html", "application/xhtml+xml", ""}
# Pages waiting in the queue are kept in memory: a cap per page keeps a walk of max_pages small.
PAGE_BYTES = 1024 * 1024
SKIPPED_SCHEMES = ("mailto:", "javascript:", "tel:", "data:", "#")


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (kind, raw url)
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "base" and attrs.get("href"):
            self.base = attrs["href"]
        elif tag == "a" and attrs.get("href"):
            self.links.append((LinkKind.LINK, attrs["href"]))
        elif tag == "img" and attrs.get("src"):
            self.links.append((LinkKind.IMAGE, attrs["src"]))


def extract_links(html: str, page_url: str) -> list[tuple[str, str]]:
    """[(kind, absolute url)] of the anchors and images on a page, without fragments, once each."""
    parser = _LinkParser()
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a broken page still yields the links found before the breakage
        pass
    base = urljoin(page_url, parser.base) if parser.base else page_url
    seen, links = set(), []
    for kind, raw in parser.links:
        raw = raw.strip()
        if not raw or raw.lower().startswith(SKIPPED_SCHEMES):
            continue
        url = urldefrag(urljoin(base, raw))[0]
        if urlsplit(url).scheme not in ("http", "https") or (kind, url) in seen:
            continue
        seen.add((kind, url))
        links.append((kind, url))
    return links


@dataclass
class Limits:
    max_depth: int = field(default_factory=lambda: settings.SITES_LINKCHECK_MAX_DEPTH)
    max_pages: int = field(default_factory=lambda: settings.SITES_LINKCHECK_MAX_PAGES)
    max_links: int = field(default_factory=lambda: settings.SITES_LINKCHECK_MAX_LINKS)
    delay: float = field(default_factory=lambda: settings.SITES_LINKCHECK_DELAY)
    external: bool = field(default_factory=lambda: settings.SITES_LINKCHECK_EXTERNAL)
    timeout: float = field(default_factory=lambda: settings.SITES_FETCH_TIMEOUT)


@dataclass
class Walk:
    pages: set = field(default_factory=set)
    broken: dict = field(default_factory=dict)  # (page, link) -> (kind, status, error)
    links_checked: int = 0
    skipped_by_robots: int = 0
    hit_page_limit: bool = False


def _robots_for(home: str, limits: Limits) -> RobotFileParser:
    robots = RobotFileParser()
    answer = fetch(urljoin(home, "/robots.txt"), timeout=limits.timeout, max_bytes=512 * 1024)
    if answer.status in (401, 403):
        robots.disallow_all = True
    elif answer.ok:
        robots.parse(answer.text().splitlines())
    else:
        robots.allow_all = True  # no robots.txt: everything may be walked
    return robots


def walk_site(home: str, limits: Limits | None = None) -> Walk:
    """Breadth-first over the site's own HTML pages; each distinct link target is requested once."""
    limits = limits or Limits()
    host = urlsplit(home).netloc.lower()
    agent = settings.SITES_USER_AGENT
    robots = _robots_for(home, limits)
    walk = Walk()
    checked: dict[str, tuple[int | None, str]] = {}  # target url -> (status, error) ('' error = fine)
    queue = deque([(home, 0)])
    queued = {home}
    last_request = [0.0]

    def polite_fetch(url, **kwargs):
        if urlsplit(url).netloc.lower() == host:
            wait = limits.delay - (time.monotonic() - last_request[0])
            if wait > 0:
                time.sleep(wait)
            last_request[0] = time.monotonic()
        return fetch(url, timeout=limits.timeout, **kwargs)

    fetched_pages: dict = {}  # walkable pages fetched whole while checking the link to them

    while queue:
        page_url, depth = queue.popleft()
        if len(walk.pages) >= limits.max_pages:
            walk.hit_page_limit = True
            break
        if not robots.can_fetch(agent, page_url):
            walk.skipped_by_robots += 1
            continue
        page = fetched_pages.pop(page_url, None) or polite_fetch(page_url, max_bytes=PAGE_BYTES)
        walk.pages.add(page_url)
        checked[page_url] = (page.status, page.error)
        if not page.ok or page.content_type not in HTML_TYPES:
            continue
        for kind, target in extract_links(page.text(), page.final_url or page_url):
            same_host = urlsplit(target).netloc.lower() == host
            if same_host and not robots.can_fetch(agent, target):
                walk.skipped_by_robots += 1
                continue
            if not same_host and not limits.external:
                continue
            if target not in checked:
                if walk.links_checked >= limits.max_links:
                    continue
                walkable = (same_host and kind == LinkKind.LINK and depth + 1 <= limits.max_depth
                            and target not in queued)
                # A page to walk is read whole once; any other target only needs its status.
                answer = polite_fetch(target, max_bytes=PAGE_BYTES) if walkable else polite_fetch(target, max_bytes=1)
                walk.links_checked += 1
                checked[target] = (answer.status, answer.error)
                if walkable and answer.ok and answer.content_type in HTML_TYPES:
                    queued.add(target)
                    fetched_pages[target] = answer
                    queue.append((target, depth + 1))
            status, error = checked[target]
            if error:
                walk.broken[(page_url, target)] = (kind, status, error)
    return walk


def check_site_links(site: Site, limits: Limits | None = None) -> LinkCheck:
    """Walk `site`, then record what is broken now and mark as fixed what was broken on the pages walked."""
    run = LinkCheck.objects.create(site=site, started_at=timezone.now())
    try:
        walk = walk_site(site.url, limits)
    except Exception as exc:  # noqa: BLE001 - recorded on the run; the next site still gets checked
        LinkCheck.objects.filter(pk=run.pk).update(
            status=LinkCheckStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:500]
        )
        run.refresh_from_db()
        return run
    now = timezone.now()
    with transaction.atomic():
        fingerprints = set()
        for (page_url, link_url), (kind, status, error) in walk.broken.items():
            fingerprint = BrokenLink.make_fingerprint(page_url, link_url)
            fingerprints.add(fingerprint)
            row, created = BrokenLink.objects.get_or_create(
                site=site, fingerprint=fingerprint,
                defaults={"page_url": page_url[:1000], "link_url": link_url[:1000], "kind": kind, "status_code": status,
                          "error": error[:500], "first_seen_at": now, "last_seen_at": now},
            )
            if not created:
                BrokenLink.objects.filter(pk=row.pk).update(
                    kind=kind, status_code=status, error=error[:500], last_seen_at=now, fixed_at=None
                )
        # Only pages walked this time can tell that a link is fine again (limits may have left others out).
        BrokenLink.objects.filter(site=site, fixed_at__isnull=True, page_url__in=list(walk.pages)).exclude(
            fingerprint__in=fingerprints
        ).update(fixed_at=now)
        LinkCheck.objects.filter(pk=run.pk).update(
            status=LinkCheckStatus.FINISHED, finished_at=now, pages_checked=len(walk.pages),
            links_checked=walk.links_checked, broken_count=len(walk.broken), skipped_by_robots=walk.skipped_by_robots,
            hit_page_limit=walk.hit_page_limit,
        )
    run.refresh_from_db()
    return run
