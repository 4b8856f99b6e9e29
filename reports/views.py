"""Report pages: the monthly report and the quarterly bulletin (the stored report, or the progress of the
worker building it: never built in the request), export progress, stored monthly documents, the self-inspection."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from govmedia.core.documents import pdf_response
from govmedia.core.files import file_response

from organisations import access

from reports import bulletins, columns, documents, revisions, selfcheck, services
from reports.models import Bulletin, SelfInspection
from reports.periods import last_complete_month, last_complete_quarter, parse_month, parse_quarter
from reports.selectors import organisations_for_picker, resolve_organisation, self_inspection_units

# At most this many failing subjects are listed on the page (every one is in the xlsx).
PAGE_FAILING_ROWS = 300


def _period(request, kind):
    """The period asked for, or the last complete one; a malformed value is shown as an error, not a 500."""
    raw = request.GET.get("quarter" if kind == "quarterly" else "month")
    error = None
    if raw:
        try:
            return (parse_quarter(raw) if kind == "quarterly" else parse_month(raw)), None
        except ValidationError as exc:
            error = "；".join(m for messages in exc.message_dict.values() for m in messages)
    return (last_complete_quarter() if kind == "quarterly" else last_complete_month()), error


def _stored_result(request, token: str) -> dict | None:
    data = services.read_export_token(token, request.user)
    if data is None or data["x"] != "json":
        return None
    path = services.export_path(data["t"], "json")
    return json.loads(path.read_text()) if path.is_file() else None


def _published_bulletin(kind, organisation, period):
    if kind != "quarterly":
        return None
    return Bulletin.objects.filter(organisation=organisation, quarter=period.key).select_related("published_by").first()


def report_page(request, kind: str):
    """The stored report of a period or the progress of its building: a report is never built in the request
    (a province's takes longer than a request may). An issued month shows its newest revision, a published
    bulletin its snapshot; otherwise the reader's page report built by the worker (queued on first visit)."""
    period, error = _period(request, kind)
    try:
        organisation = resolve_organisation(request.user, request.GET.get("organisation"))
    except ValidationError:
        raise Http404("单位不存在。") from None
    report, building = None, None
    published = _published_bulletin(kind, organisation, period)
    issued = _issued(request, kind, organisation, period)
    if request.method == "POST" and "rebuild" in request.POST:
        services.page_report(user=request.user, organisation=organisation, kind=kind, period=period, restart=True)
        return redirect(f"{request.path}?{_param(kind)}={period.key}&organisation={organisation.pk}&live=1")
    if request.method == "POST" and kind == "monthly":
        return _regenerate(request, organisation, period)
    if published is not None and not request.GET.get("live"):
        # A published bulletin is shown exactly as published.
        report = published.data
    elif issued and not request.GET.get("live"):
        # An issued month is shown as issued (its newest revision): late data makes a new revision, never a
        # silent rewrite.
        report = issued[0].data
    elif request.GET.get("result"):
        report = _stored_result(request, request.GET["result"])
        if report is None:
            raise Http404("报告不存在或已过期，请重新生成。")
    else:
        report, building = services.page_report(user=request.user, organisation=organisation, kind=kind, period=period)
    param = _param(kind)
    query = f"{param}={period.key}&organisation={organisation.pk}"
    context = {
        "kind": kind, "period": period, "organisation": organisation, "report": report, "building": building,
        "error": error, "query": query,
        "previous_query": f"{param}={period.previous().key}&organisation={organisation.pk}",
        "title": documents.title_of({"kind": kind, "organisation": {"name": organisation.name},
                                     "period": {"label": period.label}}),
        "organisations": organisations_for_picker(request.user),
        "stored": services.stored_documents("monthly", organisation) if kind == "monthly" else [],
        "revisions": issued,
        "reissuing": services.reissue_under_way(organisation, period) if issued else None,
        "can_regenerate": kind == "monthly" and period.end < timezone.localdate()
        and access.can_issue_report(request.user, organisation),
    }
    context.update(_report_tables(report))
    if kind == "quarterly":
        context.update(bulletins.page_context(request, organisation, period, report))
    return render(request, "reports/report.html", context)


def _param(kind: str) -> str:
    return "quarter" if kind == "quarterly" else "month"


def _report_tables(report: dict | None) -> dict:
    """The page's tables, from the column set the documents use (reports.columns)."""
    if not report:
        return {"summary": [], "tables": [], "detail_note": columns.DETAIL_NOTE}
    tables = []
    for table in columns.report_tables(report, detail=False):
        rows = list(table.page_rows())
        tables.append({"title": table.title, "headers": table.headers, "rows": rows[:PAGE_FAILING_ROWS],
                       "more": max(0, len(rows) - PAGE_FAILING_ROWS), "id": TABLE_IDS.get(table.title, "")})
    return {"summary": documents.summary_rows(report), "tables": tables, "detail_note": columns.DETAIL_NOTE}


TABLE_IDS = {"汇总": "summary", "单位排名": "units", "不合格网站与账号": "failing"}


def _issued(request, kind: str, organisation, period) -> list:
    """The issued revisions of a month, newest first, to those who may read the region's stored report."""
    if kind != "monthly" or not access.covers_region(request.user, organisation):
        return []
    issued = list(revisions.revisions_of(organisation, period).select_related("generated_by"))
    for revision in issued:
        revision.shown_changes = [revisions.describe(c) for c in revision.changes]
    return issued


def _regenerate(request, organisation, period):
    if not access.can_issue_report(request.user, organisation):
        raise PermissionDenied("只有本区域的主管人员可以重新生成月度报告。")
    if period.end >= timezone.localdate():
        messages.error(request, "本月尚未结束，月度报告在次月1日生成。")
    else:
        # Built by the worker: a region's report takes longer than a request may.
        services.regenerate_start(user=request.user, organisation=organisation, period=period)
        messages.success(request, "已开始按现有数据重新生成；完成后，如有变化，本页显示新的版本并列出变化。")
    return redirect(f"{request.path}?month={period.key}&organisation={organisation.pk}")


@login_required
def monthly_page(request):
    return report_page(request, "monthly")


@login_required
def quarterly_page(request):
    if request.method == "POST" and "rebuild" not in request.POST:
        return bulletins.publish_from_page(request)
    return report_page(request, "quarterly")


@login_required
def export_start_page(request):
    """Start a document export from the report page without JavaScript: then its self-refreshing progress page."""
    if request.method != "POST":
        return redirect("reports")
    try:
        organisation = resolve_organisation(request.user, request.POST.get("organisation"))
        period = services.parse_period(request.POST.get("kind", ""), request.POST.get("period"))
        started = services.export_start(user=request.user, organisation=organisation, kind=request.POST["kind"],
                                        period=period, fmt=request.POST.get("format", ""))
    except (ValidationError, KeyError) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else "请选择报告类型。")
        return redirect("reports")
    return redirect("report-export", token=started["id"])


@login_required
def export_page(request, token: str):
    """Progress of a background export without JavaScript: the page refreshes itself until the file is ready."""
    status = services.export_status(request, token)
    return render(request, "reports/export.html", {"status": status, "token": token})


@login_required
def stored_download(request, kind: str, period: str, organisation_id: int, fmt: str):
    """A document beat stored for a region, to anyone who may see that region."""
    organisation = resolve_organisation(request.user, organisation_id)
    if kind not in ("monthly",) or fmt not in ("xlsx", "pdf"):
        raise Http404()
    # The stored document covers the whole region: only those whose scope reaches below it (supervisors and
    # auditors of it or above) may have it; a unit's own staff read their unit's report instead.
    if not access.covers_region(request.user, organisation):
        raise Http404()
    try:
        parse_month(period)
    except ValidationError:
        raise Http404() from None
    path = services.stored_path(kind, organisation.pk, period, fmt)
    if not path.is_file():
        raise Http404("该月报告尚未生成。")
    name = services.download_name(kind, organisation, parse_month(period), fmt)
    services.record_download(request, target=organisation, filename=name, kind=kind, period=period, format=fmt)
    return file_response(path, filename=name, inline=False)


@login_required
def index_page(request):
    """Where the reports start: pick a month or a quarter and a unit."""
    region = resolve_organisation(request.user, None)
    month, quarter = last_complete_month(), last_complete_quarter()
    context = {
        "region": region, "month": month, "quarter": quarter,
        "organisations": organisations_for_picker(request.user),
        "stored": services.stored_documents("monthly", region) if access.covers_region(request.user, region) else [],
    }
    context["bulletins"] = Bulletin.objects.for_user(request.user).select_related("organisation")[:12]
    return render(request, "reports/index.html", context)


def _self_inspection_target(request):
    """(unit, units, period, error) of a self-inspection page or document: the unit asked for among those the
    user inspects (else 404), the month asked for (else the last complete one, with the error said)."""
    units = self_inspection_units(request.user)
    raw_unit = request.POST.get("organisation") or request.GET.get("organisation")
    if raw_unit:
        try:
            unit = units.filter(pk=int(raw_unit)).first()
        except ValueError:
            unit = None
        if unit is None:
            raise Http404("单位不存在。")
    else:
        unit = (units.filter(pk=request.user.home_organisation_id).first() if request.user.home_organisation_id else None) or units.first()
    if unit is None:
        raise Http404("您没有需要自查的单位。")
    raw_month = request.POST.get("month") or request.GET.get("month")
    error = None
    period = last_complete_month()
    if raw_month:
        try:
            period = parse_month(raw_month)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return unit, units, period, error


# A region's prefill not ready yet: the form without it (reports.services.self_inspection_prefill).
NO_PREFILL = {"indicators": {}, "own_accounts": [], "sub_accounts": []}


@login_required
def self_inspection_document(request):
    """The month's self-inspection as a PDF to print, sign and keep: the saved answers, else the prefill."""
    unit, _, period, error = _self_inspection_target(request)
    if error:
        raise Http404(error)
    stored = SelfInspection.objects.filter(organisation=unit, month=period.key).select_related("submitted_by").first()
    known = services.self_inspection_prefill(unit=unit, period=period, user=request.user)[0]
    if known is None and stored is not None and stored.prefill.get("indicators"):
        known = stored.prefill  # what the saved record was prefilled with
    if known is None:
        # A signed document must not say "共 0 个" for a region whose accounts are still being counted.
        messages.info(request, "系统预填尚在生成，生成后即可下载自查表。")
        return redirect(f"{reverse('self-inspection')}?organisation={unit.pk}&month={period.key}")
    name = f"每月自查-{unit.name}-{period.label}.pdf"
    services.record_download(request, target=unit, filename=name, kind="self_inspection", period=period.key, format="pdf")
    return pdf_response(lambda: selfcheck.render_pdf(unit=unit, period=period, known=known, stored=stored), name,
                        inline=False)


@login_required
def self_inspection_page(request):
    unit, units, period, error = _self_inspection_target(request)
    stored = SelfInspection.objects.filter(organisation=unit, month=period.key).select_related("submitted_by").first()
    prefilled, preparing = services.self_inspection_prefill(unit=unit, period=period, user=request.user)
    known = prefilled or NO_PREFILL
    indicators = {code: dict(v) for code, v in known["indicators"].items()}
    initial = {}
    if stored:
        for code, answer in stored.answers.items():
            indicators.setdefault(code, {}).update(answer)
        initial = stored.signers
    if request.method == "POST":
        form = selfcheck.SelfInspectionForm(request.POST, indicators=indicators)
        if form.is_valid():
            services.self_inspection_save(organisation=unit, period=period, user=request.user, answers=form.answers(),
                                          signers=form.signers(), prefill=prefilled)
            messages.success(request, f"已保存{unit.name}{period.label}自查结果。")
            return redirect(f"{request.path}?organisation={unit.pk}&month={period.key}")
    else:
        form = selfcheck.SelfInspectionForm(initial=initial, indicators=indicators)
    return render(request, "reports/self_inspection.html", {
        "unit": unit, "units": units, "period": period, "form": form, "known": known, "indicators": indicators,
        "stored": stored, "error": error, "preparing": preparing,
    })


@login_required
def bulletin_page(request, pk: int):
    """A published bulletin, to everyone in its region (it names their units), exactly as published."""
    bulletin = get_object_or_404(Bulletin.objects.for_user(request.user).select_related("organisation", "published_by"), pk=pk)
    report = bulletin.data
    period = parse_quarter(bulletin.quarter, today=bulletin.published_at.date())
    return render(request, "reports/report.html", {
        "kind": "quarterly", "period": period, "organisation": bulletin.organisation, "report": report,
        "building": None, "error": None, "published": bulletin, "bulletin_block": True, "can_publish": False,
        "query": f"quarter={period.key}&organisation={bulletin.organisation_id}", "title": bulletin.title,
        "previous_query": f"quarter={period.previous().key}&organisation={bulletin.organisation_id}",
        "api_url": reverse("api-report-quarterly"), "organisations": organisations_for_picker(request.user),
        "stored": [], "snapshot_only": True, **_report_tables(report),
    })


@login_required
def bulletin_document(request, pk: int, fmt: str):
    """The published bulletin as the document to send upward: xlsx or PDF of the snapshot."""
    if fmt not in ("xlsx", "pdf"):
        raise Http404()
    bulletin = get_object_or_404(Bulletin.objects.for_user(request.user), pk=pk)
    name = documents.filename_of(bulletin.data, fmt)
    services.record_download(request, target=bulletin, filename=name, kind="quarterly_bulletin", format=fmt)
    return file_response(services.bulletin_document(bulletin, fmt), filename=name, inline=False)
