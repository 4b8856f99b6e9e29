"""Writes of site scanning: starting a scan, running it (crawl → checks → findings), dismissing a false positive.

A hit becomes an ordinary `inspections.Finding` (no inspection run; `detail.scan` names the scan), keyed by rule,
subject and `period_key` = `hit_key(url, match)`: the same text on the same page is one finding however often it
is seen. A page that changed is checked again and the findings it no longer shows close; an unchanged page (304,
or the same SHA-256) is not checked again and adds nothing. A dismissed hit is never raised again.
HTTP happens outside transactions; each page is recorded in its own short transaction, so a scan that fails
half-way keeps what it read, and one site failing never touches another's scan.
"""
from __future__ import annotations

import datetime as dt
import logging

from celery import signature
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Mod
from django.utils import timezone

from accounts.models import Account
from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict
from govmedia.core.workdays import is_workday
from inspections.models import UNRESOLVED, Finding, FindingStatus
from organisations import access
from organisations.models import OrganisationKind
from rules import thresholds as checklist
from rules.definitions import RULES, SCAN_CODES
from rules.models import SubjectType
from sites.feeds import FeedError, read_feed
from sites.models import Site, SiteStatus
from webhooks.services import emit, emit_many, subscribed

from . import checks
from .crawler import Crawl, Known, Limits, Pacer, host_of, read_page
from .models import ACTIVE, Dismissal, Scan, ScannedPage, ScanStatus, hit_key

log = logging.getLogger(__name__)

SCAN_RULES = SCAN_CODES  # the rules a scan judges (rules/definitions.py), each a constant in scanning/checks.py
# Judged on the site as a whole on every scan (the certificate expires whether or not a page changed).
SITE_RULES = (checks.SITE_DOMAIN, checks.SITE_TLS)
PARTY_GOVERNMENT_KINDS = (OrganisationKind.GOVERNMENT, OrganisationKind.DEPARTMENT, OrganisationKind.TOWNSHIP)
RUN_TASK = "scanning.tasks.run_scan"
PROGRESS_EVERY = 1  # pages between two progress writes (one short UPDATE each)


def local_today() -> dt.date:
    return timezone.localdate()


def due_after(found_on: dt.date, days: int) -> dt.date:
    """A rectification period of `days` from `found_on`, moved off a holiday to the next working day."""
    due = found_on + dt.timedelta(days=days)
    for _ in range(40):
        if is_workday(due):
            return due
        due += dt.timedelta(days=1)
    return due


# --- starting ----------------------------------------------------------------------------------------------------

def _fail_stale(**subject) -> None:
    """A scan left queued/running long after its worker should have finished is marked failed, so the subject
    can be scanned again (a lost task must not block it forever)."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.SCANNING_STALE_HOURS)
    Scan.objects.filter(status__in=ACTIVE, created_at__lt=cutoff, **subject).update(
        status=ScanStatus.FAILED, finished_at=timezone.now(), error="扫描任务未在时限内完成（工作进程可能已中断）。"
    )


@transaction.atomic
def scan_create(*, site: Site | None = None, account: Account | None = None, user=None, full: bool = False) -> Scan:
    """Queue a scan of `site` (or `account`); `user` None is the schedule. One scan at a time per subject."""
    if (site is None) == (account is None):
        raise ValidationError("请指定要扫描的网站或账号。")
    if user is not None:
        allowed = access.can_scan_site(user, site) if site else access.can_scan_account(user, account)
        if not allowed:
            raise PermissionDenied("只有网站主管单位或主办单位的主管单位工作人员可以发起扫描。")
    subject = {"site": site} if site else {"account": account}
    _fail_stale(**subject)
    if Scan.objects.filter(status__in=ACTIVE, **subject).exists():
        raise DomainConflict("该对象正在扫描中，请等待本次扫描完成。")
    try:
        with transaction.atomic():
            scan = Scan.objects.create(full=full, created_by=user, **subject)
    except IntegrityError:  # another request queued one in between
        raise DomainConflict("该对象正在扫描中，请等待本次扫描完成。") from None
    if user is not None:
        audit.record_action(scan, "scan", actor=user, comment="全量扫描" if full else "增量扫描")
    transaction.on_commit(lambda: signature(RUN_TASK).delay(scan.pk))
    return scan


def scan_run(scan_id: int) -> Scan | None:
    """Run a queued scan (the task). Claimed with a conditional UPDATE: a task delivered twice runs once."""
    claimed = Scan.objects.filter(pk=scan_id, status=ScanStatus.QUEUED).update(
        status=ScanStatus.RUNNING, started_at=timezone.now()
    )
    scan = Scan.objects.select_related("site__owner", "account__owner").filter(pk=scan_id).first()
    if not claimed or scan is None:
        return scan
    if scan.site_id:
        return scan_site(scan.site, scan.full, scan=scan)
    return scan_account(scan.account, scan.full, scan=scan)


# --- the run -----------------------------------------------------------------------------------------------------

class Recorder:
    """Turns one subject's hits into findings, page by page, and keeps the scan's tallies."""

    def __init__(self, scan: Scan, *, subject_type: str, subject, organisation, today: dt.date):
        self.scan = scan
        self.subject_type = subject_type
        self.subject = subject
        self.organisation = organisation
        self.today = today
        self.opened: list[int] = []
        self.closed: list[int] = []
        try:
            self.items = checklist.items_for(organisation, today)
        except checklist.NoChecklist:
            self.items = {}
        self.dismissed = set(
            Dismissal.objects.filter(subject_type=subject_type, subject_id=subject.pk).values_list("rule", "key")
        )
        self.rectify_days = RULES["rectification_overdue"].threshold("days")
        item = self.items.get("rectification_overdue")
        if item is not None and "days" in item.thresholds:
            self.rectify_days = item.thresholds["days"]

    def enabled(self, rule: str) -> bool:
        item = self.items.get(rule)
        return item is None or item.enabled

    def threshold(self, rule: str, key: str, default):
        item = self.items.get(rule)
        return item.thresholds.get(key, default) if item is not None else default

    def record(self, *, url: str, hits: list, page_hash: str = "", page_id: int | None = None,
               previous: set[str] | None = None, rules: tuple | None = None) -> list[str]:
        """Open what is new among `hits` on `url`, reopen what came back, close what of `previous` (keys
        "rule:key") is gone; `rules`, when given, limits the closing to those rules. Returns the current keys."""
        current: dict[tuple[str, str], checks.Hit] = {}
        for h in hits:
            if h.rule not in SCAN_RULES or not self.enabled(h.rule):
                continue
            key = hit_key(url, h.match)
            if (h.rule, key) in self.dismissed:
                continue
            current.setdefault((h.rule, key), h)
        keys = [f"{rule}:{key}" for rule, key in current]
        with transaction.atomic():
            existing = {
                (f.rule, f.period_key): f for f in Finding.objects.filter(
                    subject_type=self.subject_type, subject_id=self.subject.pk, rule__in={r for r, _ in current},
                    period_key__in=[k for _, k in current],
                )
            } if current else {}
            for (rule, key), h in current.items():
                found = existing.get((rule, key))
                if found is not None:
                    if found.status == FindingStatus.RECTIFIED:  # it came back: the same finding, open again
                        Finding.objects.filter(pk=found.pk).update(
                            status=FindingStatus.OPEN, found_on=self.today, rectified_on=None, rectified_by=None,
                            due_on=due_after(self.today, self.rectify_days),
                            detail=self._detail(url, h, page_hash, page_id),
                        )
                        self.opened.append(found.pk)
                    continue
                self.opened.append(self._create(rule, key, url, h, page_hash, page_id).pk)
            gone = {k for k in (previous or set()) if k not in set(keys)}
            if rules is not None:
                gone = {k for k in gone if k.split(":", 1)[0] in rules}
            if gone:
                pairs = [k.split(":", 1) for k in gone]
                closing = list(Finding.objects.filter(
                    subject_type=self.subject_type, subject_id=self.subject.pk, status__in=UNRESOLVED,
                    rule__in={r for r, _ in pairs}, period_key__in=[k for _, k in pairs],
                ).values_list("pk", "rule", "period_key"))
                ids = [pk for pk, rule, key in closing if [rule, key] in pairs]
                if ids:
                    Finding.objects.filter(pk__in=ids, status__in=UNRESOLVED).update(
                        status=FindingStatus.RECTIFIED, rectified_on=self.today
                    )
                    self.closed.extend(ids)
        return keys

    def _detail(self, url, h, page_hash, page_id) -> dict:
        extra = {k: v for k, v in h.detail.items() if k not in ("excerpt", "scan")}
        if "url" in extra:  # a hidden or outbound link's target: `url` is the page it is on
            extra["link"] = extra.pop("url")
        return {
            **extra,
            "url": url, "excerpt": h.excerpt, "match": h.match, "page_hash": page_hash, "page": page_id,
            "scan": self.scan.pk,
        }

    def _create(self, rule, key, url, h, page_hash, page_id) -> Finding:
        definition = RULES.get(rule)
        item = self.items.get(rule)
        severity = h.severity or (item.kind if item is not None else str(definition.severity))
        finding = Finding(
            inspection=None, rule=rule, severity=severity, subject_type=self.subject_type, subject_id=self.subject.pk,
            subject_name=str(self.subject)[:300], organisation=self.organisation,
            detail=self._detail(url, h, page_hash, page_id), found_on=self.today,
            due_on=due_after(self.today, self.rectify_days), period_key=key,
            source=(item.source if item is not None and item.source else definition.citation)[:200],
            checklist_version_id=item.version_id if item is not None else None,
        )
        finding.save()
        return finding


def _known_pages(**subject) -> dict[str, ScannedPage]:
    return {p.url: p for p in ScannedPage.objects.filter(**subject)}


def _store_page(scan: Scan, rows: dict, page, subject: dict, now) -> ScannedPage:
    row = rows.get(page.url)
    if row is None:
        row = ScannedPage(url=page.url, first_scan=scan, **subject)
        rows[page.url] = row
    row.status_code = page.status
    row.last_seen_scan = scan
    row.fetched_at = now
    row.error = page.error[:500]
    if page.etag or page.unchanged:
        row.etag = page.etag
    if page.last_modified or page.unchanged:
        row.last_modified = page.last_modified
    if not page.unchanged and page.ok:
        if row.content_hash != page.content_hash:
            row.changed_at = now
        row.content_hash = page.content_hash
        row.kind = page.kind or "other"
        row.text = page.text
        row.links = page.links[:2000]
        row.title = _title(page.text)
        row.last_checked_scan = scan
    if page.gone:
        row.content_hash, row.text, row.links = "", "", []
    row.save()
    return row


def _title(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _progress(scan: Scan, crawl, url: str = "") -> None:
    Scan.objects.filter(pk=scan.pk).update(
        pages=crawl.pages_read, discovered=max(crawl.discovered, crawl.pages_read), bytes_read=crawl.bytes_read,
        current_url=url[:1000], skipped_by_robots=crawl.skipped_by_robots,
    )


def _begin(scan: Scan | None, full: bool, **subject) -> Scan:
    if scan is None:
        _fail_stale(**subject)
        scan = Scan.objects.create(status=ScanStatus.RUNNING, full=full, started_at=timezone.now(), **subject)
    elif scan.status != ScanStatus.RUNNING:
        Scan.objects.filter(pk=scan.pk).update(status=ScanStatus.RUNNING, started_at=timezone.now())
        scan.refresh_from_db()
    return scan


def scan_site(site: Site, full: bool = False, *, scan: Scan | None = None) -> Scan:
    """Scan one site now (synchronously): crawl within its limits, check what changed, record findings.

    Never raises for the site's own faults: a failure is recorded on the scan (status failed, error)."""
    scan = _begin(scan, full, site=site)
    try:
        _scan_site(scan, site, full)
    except Exception as exc:
        log.exception("scan %s of site %s failed", scan.pk, site.pk)
        _finish(scan, error=f"{type(exc).__name__}: {exc}"[:2000])
    return Scan.objects.get(pk=scan.pk)


def _scan_site(scan: Scan, site: Site, full: bool) -> None:
    today = local_today()
    owner = site.owner
    party = owner.kind in PARTY_GOVERNMENT_KINDS
    words = checks.WordLists.for_organisation(owner)
    recorder = Recorder(scan, subject_type=SubjectType.SITE, subject=site, organisation=owner, today=today)
    limits = Limits.for_site(site)
    rows = _known_pages(site=site)
    known = {url: Known(etag=r.etag, last_modified=r.last_modified, content_hash=r.content_hash, links=r.links)
             for url, r in rows.items() if r.content_hash}
    crawl = Crawl(site.url, limits, known=known, full=full)
    outbound_pages: dict[str, list[str]] = {}  # outbound url -> changed pages linking to it
    changed: list[str] = []  # pages checked this time: their outbound findings are judged anew
    checked = 0
    for page in crawl.pages(on_fetch=lambda url: _progress(scan, crawl, url)):
        now = timezone.now()
        previous = set((rows.get(page.url).hit_keys if page.url in rows else []) or [])
        row = _store_page(scan, rows, page, {"site": site}, now)
        if page.gone:
            # No longer published: nothing it said is on the site any more.
            recorder.record(url=page.url, hits=[], previous=previous)
            ScannedPage.objects.filter(pk=row.pk).update(hit_keys=[])
            continue
        if page.unchanged or not page.ok:
            continue
        checked += 1
        hits = list(checks.check_text(page.text, words, today=today))
        if page.kind == "html" and page.html:
            hits += checks.check_hidden_links(page.html, page.url)
            if page.url == site.url:
                hits += checks.check_identity(page.html, party_government=party)
            if limits.check_outbound:
                changed.append(page.url)
                for link in page.links:
                    if host_of(link) != crawl.host:
                        outbound_pages.setdefault(link, []).append(page.url)
        # Outbound hits of this page are recorded below, once every outbound link has been checked.
        keys = recorder.record(url=page.url, hits=hits, page_hash=page.content_hash, page_id=row.pk,
                               previous={k for k in previous if not k.startswith(checks.OUTBOUND_LINK_BAD + ":")})
        row.hit_keys = keys + [k for k in previous if k.startswith(checks.OUTBOUND_LINK_BAD + ":")]
        ScannedPage.objects.filter(pk=row.pk).update(hit_keys=row.hit_keys)
        Scan.objects.filter(pk=scan.pk).update(checked=checked)
    _progress(scan, crawl)

    if limits.check_outbound:
        _check_outbound(scan, recorder, rows, outbound_pages, changed, words, limits)
    _check_site(recorder, site, party, today, limits)
    _finish(scan, recorder=recorder, crawl=crawl, checked=checked)


def _check_outbound(scan, recorder, rows, outbound_pages, changed, words, limits) -> None:
    """Each outbound link of the changed pages once, each outside host paced; a changed page's outbound findings
    are replaced by what its links show now (a page whose links were not all checked, past the cap, keeps its)."""
    pacer = Pacer(limits.delay)
    results: dict[str, checks.Hit | None] = {}
    for number, link in enumerate(outbound_pages):
        if number >= settings.SCANNING_MAX_OUTBOUND:
            break
        Scan.objects.filter(pk=scan.pk).update(current_url=link[:1000])
        pacer.wait(link)
        try:
            results[link] = checks.check_outbound(link, words=words, timeout=limits.timeout)
        except Exception:
            log.exception("scan %s: outbound check of %s failed", scan.pk, link)
    by_page: dict[str, list] = {page: [] for page in changed}
    incomplete = set()
    for link, pages in outbound_pages.items():
        for page in pages:
            if link not in results:
                incomplete.add(page)
            elif results[link] is not None:
                by_page[page].append(results[link])
    for page_url, hits in by_page.items():
        if page_url in incomplete:
            continue
        row = rows[page_url]
        previous = set(row.hit_keys or [])
        keys = recorder.record(url=page_url, hits=hits, page_hash=row.content_hash, page_id=row.pk,
                               previous=previous, rules=(checks.OUTBOUND_LINK_BAD,))
        row.hit_keys = [k for k in previous if not k.startswith(checks.OUTBOUND_LINK_BAD + ":")] + keys
        ScannedPage.objects.filter(pk=row.pk).update(hit_keys=row.hit_keys)


def _check_site(recorder: Recorder, site: Site, party: bool, today: dt.date, limits: Limits) -> None:
    hits = []
    if recorder.enabled(checks.SITE_DOMAIN):
        hit = checks.check_domain(site.url, party_government=party)
        hits += [hit] if hit else []
    if recorder.enabled(checks.SITE_TLS):
        days = recorder.threshold(checks.SITE_TLS, "warn_days", 30)
        hit = checks.check_tls(site.url, today=today, timeout=limits.timeout, days=days)
        hits += [hit] if hit else []
    previous = {f"{rule}:{key}" for rule, key in Finding.objects.filter(
        subject_type=SubjectType.SITE, subject_id=site.pk, rule__in=SITE_RULES, status__in=UNRESOLVED,
    ).values_list("rule", "period_key")}
    recorder.record(url=site.url, hits=hits, previous=previous, rules=SITE_RULES)


def _finish(scan: Scan, *, recorder: Recorder | None = None, crawl=None, checked: int = 0, error: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        fields = {"finished_at": now, "current_url": ""}
        if error:
            fields.update(status=ScanStatus.FAILED, error=error)
        else:
            fields.update(status=ScanStatus.FINISHED, checked=checked, hit_limit=(crawl.hit_limit if crawl else ""))
        if recorder is not None:
            fields.update(opened=len(set(recorder.opened)), closed=len(set(recorder.closed)), counts=_counts(recorder))
        Scan.objects.filter(pk=scan.pk).update(**fields)
        scan.refresh_from_db()
        if recorder is not None:
            _finding_events("finding.opened", recorder.opened)
            _finding_events("finding.closed", recorder.closed)
        _emit_finished(scan)


def _counts(recorder: Recorder) -> dict:
    """The subject's findings still open after this scan, by rule (what the site publishes now)."""
    rows = (Finding.objects.filter(subject_type=recorder.subject_type, subject_id=recorder.subject.pk,
                                   rule__in=SCAN_RULES, status__in=UNRESOLVED)
            .order_by().values("rule").annotate(n=Count("id")).values_list("rule", "n"))
    return dict(sorted(rows))


def _finding_events(event: str, ids: list[int]) -> None:
    if not ids or not subscribed(event):
        return
    rows = Finding.objects.filter(pk__in=set(ids)).order_by("pk").values(
        "id", "rule", "severity", "subject_type", "subject_id", "subject_name", "organisation_id", "found_on",
        "due_on", "status", "rectified_on", "detail",
    )
    emit_many(event, ((row["organisation_id"], {
        "finding": row["id"], "inspection": None, "scan": row["detail"].get("scan"), "url": row["detail"].get("url"),
        "rule": row["rule"], "severity": row["severity"], "subject_type": row["subject_type"],
        "subject_id": row["subject_id"], "subject_name": row["subject_name"], "found_on": row["found_on"],
        "due_on": row["due_on"], "status": row["status"], "rectified_on": row["rectified_on"],
    }) for row in rows))


def _emit_finished(scan: Scan) -> None:
    """scan.finished (status finished or failed), to the subscribers of the site's or account's owner."""
    try:
        with transaction.atomic():
            emit("scan.finished", organisation=scan.organisation_id, occurred_at=scan.finished_at, data={
                "scan": scan.pk, "site": scan.site_id, "account": scan.account_id, "status": scan.status,
                "full": scan.full, "started_at": scan.started_at, "finished_at": scan.finished_at, "pages": scan.pages,
                "checked": scan.checked, "counts": scan.counts, "opened": scan.opened, "closed": scan.closed,
                "error": scan.error,
            })
    except Exception:  # telling other systems is secondary: it never undoes a finished scan
        log.exception("scan %s: queueing webhook deliveries failed", scan.pk)


# --- accounts: the articles a feed links to ---------------------------------------------------------------------

def scan_account(account: Account, full: bool = False, *, scan: Scan | None = None) -> Scan:
    """Check the articles the account's feed links to, the same way as a site's pages (each article read
    conditionally; unchanged ones are not checked again)."""
    scan = _begin(scan, full, account=account)
    try:
        _scan_account(scan, account, full)
    except Exception as exc:
        log.exception("scan %s of account %s failed", scan.pk, account.pk)
        _finish(scan, error=f"{type(exc).__name__}: {exc}"[:2000])
    return Scan.objects.get(pk=scan.pk)


class _Tally:
    def __init__(self):
        self.pages_read = self.discovered = self.bytes_read = self.skipped_by_robots = 0
        self.hit_limit = ""


def _scan_account(scan: Scan, account: Account, full: bool) -> None:
    if not account.feed_url:
        raise ValidationError("该账号未登记 RSS/Atom 地址，无法读取其文章。")
    today = local_today()
    owner = account.owner
    words = checks.WordLists.for_organisation(owner)
    recorder = Recorder(scan, subject_type=SubjectType.ACCOUNT, subject=account, organisation=owner, today=today)
    limits = Limits()
    try:
        entries = read_feed(account.feed_url)
    except FeedError as exc:
        raise ValidationError(f"读取 RSS/Atom 失败：{exc}") from None
    urls = list(dict.fromkeys(e["url"] for e in entries if e["url"].startswith(("http://", "https://"))))
    urls = urls[:settings.SCANNING_FEED_ARTICLES]
    rows = _known_pages(account=account)
    tally = _Tally()
    tally.discovered = len(urls)
    pacer = Pacer(limits.delay)
    checked = 0
    for url in urls:
        _progress(scan, tally, url)
        pacer.wait(url)
        row = rows.get(url)
        known = None if full or row is None or not row.content_hash else Known(
            etag=row.etag, last_modified=row.last_modified, content_hash=row.content_hash, links=row.links)
        page = read_page(url, depth=0, limits=limits, known=known, host=host_of(url))
        tally.pages_read += 1
        tally.bytes_read += page.size
        previous = set((row.hit_keys if row else []) or [])
        row = _store_page(scan, rows, page, {"account": account}, timezone.now())
        if page.gone:
            recorder.record(url=url, hits=[], previous=previous)
            ScannedPage.objects.filter(pk=row.pk).update(hit_keys=[])
            continue
        if page.unchanged or not page.ok:
            continue
        checked += 1
        hits = list(checks.check_text(page.text, words, today=today))
        if page.kind == "html" and page.html:
            hits += checks.check_hidden_links(page.html, url)
        keys = recorder.record(url=url, hits=hits, page_hash=page.content_hash, page_id=row.pk, previous=previous)
        ScannedPage.objects.filter(pk=row.pk).update(hit_keys=keys)
    _progress(scan, tally)
    _finish(scan, recorder=recorder, crawl=tally, checked=checked)


# --- dismissing ------------------------------------------------------------------------------------------------

@transaction.atomic
def finding_dismiss(*, finding: Finding, user, reason: str) -> Dismissal:
    """A supervisor's "false positive": the finding is set aside with the reason, and the same rule, subject, page
    and text is never raised again (scans skip its key)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写忽略理由。"})
    if len(reason) > 2000:
        raise ValidationError({"reason": "忽略理由不能超过 2000 字。"})
    if finding.rule not in SCAN_RULES or finding.inspection_id is not None:
        raise ValidationError("只有网站扫描发现的问题可以作为误报忽略。")
    if not access.can_dismiss_finding(user, finding):
        raise PermissionDenied("只有该单位的主管单位工作人员可以忽略误报。")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == FindingStatus.DISMISSED:
        raise DomainConflict("该问题已作为误报忽略。")
    detail = finding.detail or {}
    dismissal = Dismissal.objects.create(
        rule=finding.rule, subject_type=finding.subject_type, subject_id=finding.subject_id,
        organisation_id=finding.organisation_id, key=finding.period_key, url=str(detail.get("url", ""))[:2000],
        match=str(detail.get("match", ""))[:500], excerpt=str(detail.get("excerpt", ""))[:500], reason=reason,
        finding=finding, dismissed_by=user,
    )
    Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.DISMISSED)
    finding.status = FindingStatus.DISMISSED
    audit.record_action(finding, "dismiss", actor=user, comment=reason[:200])
    return dismissal


# --- the schedule --------------------------------------------------------------------------------------------

def due_subjects(slot: int, slots: int) -> tuple[list[int], list[int]]:
    """Running sites (with scheduled scanning on) and live accounts with a feed whose id falls in `slot`."""
    sites = (Site.objects.filter(status=SiteStatus.RUNNING).exclude(scan_limits__enabled=False)
             .annotate(slot=Mod("pk", slots)).filter(slot=slot).order_by("pk").values_list("pk", flat=True))
    accounts = (Account.objects.live().exclude(feed_url="").annotate(slot=Mod("pk", slots)).filter(slot=slot)
                .order_by("pk").values_list("pk", flat=True))
    return list(sites), list(accounts)


def queue_due_scans(*, slot: int, slots: int, full: bool) -> int:
    """Queue one scan per due subject (each its own task, so one slow site never holds up another)."""
    site_ids, account_ids = due_subjects(slot, slots)
    queued = 0
    for site in Site.objects.filter(pk__in=site_ids):
        try:
            scan_create(site=site, full=full)
            queued += 1
        except DomainConflict:
            continue  # still scanning from before: the next slot catches up
    for account in Account.objects.filter(pk__in=account_ids):
        try:
            scan_create(account=account, full=full)
            queued += 1
        except DomainConflict:
            continue
    return queued
