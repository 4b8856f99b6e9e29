"""Reads of the inspections area: scoped querysets and fetch-and-authorise helpers."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404

from organisations.models import Organisation

from .models import ErrorReport, Finding, FindingStatus, Inspection, Message, RectificationState, UNRESOLVED
from .rectification import hide_follow_ups


def visible_findings(user):
    return Finding.objects.for_user(user)


def filter_findings(qs, *, rule=None, severity=None, organisation=None, status=None, overdue=None, subject_type=None,
                    as_of: dt.date | None = None, rectification_state=None):
    """The filters of the findings list (page and API). `organisation` includes everything below it."""
    if rule:
        qs = qs.filter(rule=rule)
    if severity:
        qs = qs.filter(severity=severity)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if organisation:
        org = organisation if isinstance(organisation, Organisation) else Organisation.objects.filter(pk=organisation).first()
        qs = qs.filter(organisation__path__startswith=org.path) if org else qs.none()
    if status:
        qs = qs.filter(status=status)
    if rectification_state:
        # "submitted" is what waits for the supervisors: answered and still unresolved (a run may have closed it).
        qs = qs.filter(rectification_state=rectification_state)
        if rectification_state == RectificationState.SUBMITTED:
            qs = qs.filter(status__in=UNRESOLVED)
    if overdue is True:
        # Overdue now: marked so by a run, or still unresolved past its due date since the last run (an answer
        # awaiting the supervisors' review is not overdue: inspections/rectification.py).
        today = as_of or dt.date.today()
        qs = qs.filter(Q(status=FindingStatus.OVERDUE) | (
            Q(status=FindingStatus.OPEN, due_on__lt=today) & ~Q(rectification_state=RectificationState.SUBMITTED)))
    elif overdue is False:
        # The complement of the above: neither marked overdue nor past due since the last run.
        today = as_of or dt.date.today()
        qs = qs.exclude(status=FindingStatus.OVERDUE).exclude(
            Q(status=FindingStatus.OPEN, due_on__lt=today) & ~Q(rectification_state=RectificationState.SUBMITTED))
    return qs


# The dashboard's finding tiles as the list's own query parameters: a tile counts exactly what its link lists.
FINDING_TILES = {
    "open": {"status": FindingStatus.OPEN.value, "overdue": "0"},
    "overdue": {"overdue": "1"},
}


def finding_tile(user, organisation, tile: str, *, as_of: dt.date):
    """The findings a dashboard tile counts: the list page's query for FINDING_TILES[tile] and `organisation`."""
    params = FINDING_TILES[tile]
    # The list shows follow-ups (逾期未整改 about another finding) under the finding they concern, not as rows.
    return filter_findings(
        hide_follow_ups(visible_findings(user)), organisation=organisation, status=params.get("status"),
        overdue={"1": True, "0": False}.get(params["overdue"]), as_of=as_of,
    )


def get_finding_for(user, pk) -> Finding:
    return get_object_or_404(visible_findings(user).select_related("organisation", "inspection"), pk=pk)


def unit_findings(user):
    """What the caller's own units must fix: unresolved findings of organisations they are a member of."""
    org_ids = user.memberships.values("organisation_id")
    # Follow-ups (逾期未整改 about another finding) are answered with it and shown under it.
    return hide_follow_ups(Finding.objects.filter(organisation__in=org_ids, status__in=UNRESOLVED))


def visible_inspections(user):
    return Inspection.objects.for_user(user)


def visible_error_reports(user):
    return ErrorReport.objects.for_user(user)


def visible_messages(user):
    return Message.objects.for_user(user)


def filter_replies(qs, *, open: bool = False, overdue: bool = False, as_of: dt.date | None = None):
    """The filters of the error-report and message lists (page, API and the 工作台): `open` is still unanswered,
    `overdue` is still unanswered past its due date (services.is_late's question, and the list's 逾期未答复 badge)."""
    if open or overdue:
        qs = qs.filter(replied_at__isnull=True)
    if overdue:
        qs = qs.filter(due_on__lt=as_of or dt.date.today())
    return qs


def run_covered(run, paths: list[str] | None) -> bool:
    """Whether a run's whole scope lies within what the user oversees, so its totals may be shown to them."""
    if paths is None:
        return True
    if run.organisation_id is None:
        return False
    return any(run.organisation.path.startswith(p) for p in paths)
