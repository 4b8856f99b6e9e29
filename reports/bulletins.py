"""The quarterly bulletin (通报, anyue §33, tongliao §19–20) on its page, and publishing it.

The bulletin's figures are the quarter's report (figures.build_report over the quarter); publishing keeps a
snapshot, so the published text never changes afterwards even if data is corrected later."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from govmedia.core.exceptions import DomainConflict
from organisations import access

from reports.models import Bulletin
from reports.periods import parse_quarter
from reports.selectors import resolve_organisation
from reports.services import bulletin_publish


def page_context(request, organisation, period, report) -> dict:
    published = Bulletin.objects.filter(organisation=organisation, quarter=period.key).select_related("published_by").first()
    return {
        "bulletin_block": published is not None or access.can_publish_bulletin(request.user, organisation),
        "published": published,
        "can_publish": access.can_publish_bulletin(request.user, organisation) and report is not None and report["period"]["complete"],
    }


def publish_from_page(request):
    try:
        organisation = resolve_organisation(request.user, request.POST.get("organisation"))
        period = parse_quarter(request.POST.get("quarter"))
        bulletin = bulletin_publish(organisation=organisation, period=period, user=request.user,
                                    summary=request.POST.get("summary", ""))
        messages.success(request, f"已发布{bulletin.title}。")
    except (ValidationError, DomainConflict) as exc:
        text = exc.message if isinstance(exc, DomainConflict) else "；".join(exc.messages)
        messages.error(request, text)
        return redirect(f"{request.path}?quarter={request.POST.get('quarter', '')}&organisation={request.POST.get('organisation', '')}")
    return redirect(f"{request.path}?quarter={period.key}&organisation={organisation.pk}")
