"""Pages of site scanning (a site's scans with progress, the findings per page with the excerpt highlighted, the
text as read) and the demo site the application serves for newcomers to scan offline."""
from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account
from govmedia.core.exceptions import DomainConflict
from inspections.models import UNRESOLVED, Finding, FindingStatus
from inspections.selectors import visible_findings
from organisations import access
from rules.definitions import label
from rules.models import SubjectType
from sites.models import Site
from sites.selectors import get_site_for

from . import services
from .checks import find_pii
from .models import Scan, ScannedPage, ScanStatus

FIXTURE_SITE = Path(__file__).resolve().parent / "fixture_site"
MAX_SHOWN_CHARS = 200_000  # the text as read, on the page; longer texts are cut (the record keeps all of it)


def highlight(text: str, matches) -> str:
    """`text` escaped, every occurrence of each match in <mark>."""
    words = sorted({m for m in matches if m}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[last:found.start()]))
        out.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def masked(text: str) -> str:
    """The text as read with personal numbers masked: our pages never show them again."""
    pieces, last = [], 0
    for start, end, _kind, shown in find_pii(text):
        pieces.append(text[last:start])
        pieces.append(shown)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _rows(findings):
    for f in findings:
        detail = f.detail or {}
        f.excerpt_html = highlight(str(detail.get("excerpt", "")), [str(detail.get("match", ""))])
    return findings


def _site_findings(site):
    return Finding.objects.filter(subject_type=SubjectType.SITE, subject_id=site.pk, rule__in=services.SCAN_RULES)


@login_required
@require_GET
def scan_list(request):
    scans = Scan.objects.for_user(request.user).select_related("site", "account").order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in ScanStatus.values:
        scans = scans.filter(status=status)
    page = Paginator(scans, 50).get_page(request.GET.get("page"))
    return render(request, "scanning/scan_list.html", {
        "page": page, "status": status, "statuses": ScanStatus.choices,
        "refresh": any(s.is_active for s in page.object_list),
    })


@login_required
@require_GET
def site_scans(request, pk):
    site = get_site_for(request.user, pk)
    scans = list(site.scans.order_by("-created_at", "-id")[:20])
    findings = _rows(list(_site_findings(site).filter(status__in=UNRESOLVED).order_by("rule", "id")[:1000]))
    pages = {p.url: p for p in site.scanned_pages.filter(url__in={str((f.detail or {}).get("url", "")) for f in findings})}
    by_page: dict[str, dict] = {}
    for f in findings:
        url = str((f.detail or {}).get("url", ""))
        group = by_page.setdefault(url, {"url": url, "page": pages.get(url), "findings": []})
        group["findings"].append(f)
    dismissed = _site_findings(site).filter(status=FindingStatus.DISMISSED).select_related("dismissal").order_by("-id")[:50]
    return render(request, "scanning/site_scans.html", {
        "site": site, "scans": scans, "groups": sorted(by_page.values(), key=lambda g: g["url"]),
        "open_count": len(findings), "dismissed": dismissed,
        "can_scan": access.can_scan_site(request.user, site),
        "can_dismiss": access.can_dismiss_finding(request.user, Finding(organisation=site.owner)),
        "refresh": any(s.is_active for s in scans),
        "pages_known": site.scanned_pages.count(),
    })


@login_required
@require_POST
def site_scan_start(request, pk):
    site = get_site_for(request.user, pk)
    try:
        scan = services.scan_create(site=site, user=request.user, full=request.POST.get("full") == "on")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("scan-site", pk=site.pk)
    except DomainConflict as exc:
        messages.warning(request, exc.message)
        return redirect("scan-site", pk=site.pk)
    messages.success(request, "已开始扫描，进度会自动刷新。")
    return redirect("scan-detail", pk=scan.pk)


@login_required
@require_GET
def scan_detail(request, pk):
    scan = get_object_or_404(Scan.objects.for_user(request.user).select_related("site", "account"), pk=pk)
    findings = _rows(list(
        Finding.objects.filter(subject_type=SubjectType.SITE if scan.site_id else SubjectType.ACCOUNT,
                               subject_id=scan.site_id or scan.account_id, rule__in=services.SCAN_RULES,
                               detail__scan=scan.pk).order_by("rule", "id")[:1000]
    ))
    counts = [(code, label(code), n) for code, n in (scan.counts or {}).items()]
    return render(request, "scanning/scan_detail.html", {
        "scan": scan, "findings": findings, "counts": counts, "refresh": scan.is_active,
    })


def _page_for(user, pk) -> ScannedPage:
    """One scanned page of a site or account in the caller's scope; out of scope is not found."""
    pages = ScannedPage.objects.filter(
        Q(site__in=Site.objects.for_user(user).values("pk")) | Q(account__in=Account.objects.for_user(user).values("pk"))
    )
    return get_object_or_404(pages.select_related("site__owner", "account__owner"), pk=pk)


@login_required
@require_GET
def page_detail(request, pk):
    page = _page_for(request.user, pk)
    subject_type = SubjectType.SITE if page.site_id else SubjectType.ACCOUNT
    findings = _rows(list(
        visible_findings(request.user).filter(subject_type=subject_type, subject_id=page.site_id or page.account_id,
                                              rule__in=services.SCAN_RULES, detail__url=page.url).order_by("rule", "id")
    ))
    shown = masked(page.text[:MAX_SHOWN_CHARS])
    matches = [str((f.detail or {}).get("match", "")) for f in findings if f.is_unresolved]
    organisation = page.site.owner if page.site_id else page.account.owner
    return render(request, "scanning/page_detail.html", {
        "page": page, "findings": findings, "text_html": highlight(shown, matches),
        "cut": len(page.text) > MAX_SHOWN_CHARS,
        "can_dismiss": access.can_dismiss_finding(request.user, Finding(organisation=organisation)),
    })


@login_required
@require_POST
def finding_dismiss(request, pk):
    finding = get_object_or_404(visible_findings(request.user), pk=pk)
    back = request.POST.get("next") or ""
    try:
        services.finding_dismiss(finding=finding, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(m for msgs in getattr(exc, "message_dict", {"": exc.messages}).values() for m in msgs))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except DomainConflict as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, "已作为误报忽略，今后的扫描不再提示该问题。")
    if back.startswith("/") and not back.startswith("//"):
        return HttpResponseRedirect(back)
    return redirect("finding-detail", pk=finding.pk)


# --- the demo site -------------------------------------------------------------------------------------------------

def _other_host(request) -> str:
    """The demo's "other site": the same server under its other name (127.0.0.1 ↔ localhost), so outbound and
    hidden links point at another registrable domain without leaving the machine."""
    host, _, port = request.get_host().partition(":")
    other = "localhost" if host != "localhost" else "127.0.0.1"
    return f"{other}:{port}" if port else other


@require_GET
def demo_site(request, path: str = ""):
    """The fixture government site (scanning/fixture_site/), with problems of every kind planted. Open to
    anyone, as a public website is; answers conditional requests, so a second scan reads nothing again."""
    if path in ("", "/"):
        path = "index.html"
    if path == "out/moved":
        # A link whose domain changed hands: now sends visitors to another registrable domain.
        host = request.get_host().partition(":")[0]
        port = request.get_host().partition(":")[2]
        target = "127.0.0.1" if host == "localhost" else "localhost"
        return HttpResponseRedirect(f"http://{target}{':' + port if port else ''}/demo-site/out/casino.html")
    file = (FIXTURE_SITE / path).resolve()
    if FIXTURE_SITE not in file.parents or not file.is_file():
        raise Http404
    body = file.read_bytes()
    if file.suffix == ".html":
        body = body.replace(b"{{OTHER}}", _other_host(request).encode())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if file.suffix == ".html":
        content_type += "; charset=gbk" if b"charset=gbk" in body[:400] else "; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    return response
