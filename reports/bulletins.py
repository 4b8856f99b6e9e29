"""The quarterly bulletin (通报, anyue §33, tongliao §19–20) on its page, and publishing it.

The bulletin's figures are the quarter's report (figures.build_report over the quarter); publishing keeps a
snapshot, so the published text never changes afterwards even if data is corrected later. The worker builds and
publishes it (services.bulletin_publish_start): the page shows the publish under way, then the bulletin."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from govmedia.core.exceptions import DomainConflict
from organisations import access

from reports.models import Bulletin, ExportStatus
from reports.periods import parse_quarter
from reports.selectors import resolve_organisation
from reports.services import bulletin_publish_start, publishing, refusal


def page_context(request, organisation, period, report) -> dict:
    published = Bulletin.objects.filter(organisation=organisation, quarter=period.key).select_related("published_by").first()
    may_publish = access.can_publish_bulletin(request.user, organisation)
    job = publishing(organisation, period) if published is None and may_publish else None
    under_way = job is not None and job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    return {
        "bulletin_block": published is not None or may_publish,
        "published": published,
        "may_publish": may_publish,
        "publishing": job if under_way else None,
        # The reason the newest publish did not happen (refused when it ran, or failed), shown above the form.
        "publish_failed": refusal(job) if job is not None and job.status == ExportStatus.FAILED else "",
        "can_publish": may_publish and not under_way and report is not None and report["period"]["complete"],
    }


def publish_from_page(request):
    try:
        organisation = resolve_organisation(request.user, request.POST.get("organisation"))
        period = parse_quarter(request.POST.get("quarter"))
        export = bulletin_publish_start(organisation=organisation, period=period, user=request.user,
                                        summary=request.POST.get("summary", ""))
        messages.success(request, f"已提交发布{export.filename}，正在生成，完成后本页显示已发布的通报。")
    except (ValidationError, DomainConflict) as exc:
        text = exc.message if isinstance(exc, DomainConflict) else "；".join(exc.messages)
        messages.error(request, text)
        return redirect(f"{request.path}?quarter={request.POST.get('quarter', '')}&organisation={request.POST.get('organisation', '')}")
    return redirect(f"{request.path}?quarter={period.key}&organisation={organisation.pk}")
