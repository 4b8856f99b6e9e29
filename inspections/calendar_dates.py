"""Stored due dates of the inspections area that a calendar change moves: 找错 reports and messages (N working
days after the day received) and findings (a period after found, moved off a day off). One set-based pass per
table: the rows whose span holds a changed day, recounted once per distinct (start, due, unit), one UPDATE."""
from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate

from govmedia.core import workdays
from rules.dates import SHANGHAI, end_of_day, rectification_due

from .models import ErrorReport, Finding, Message


def _span(changes: dict, start_lookup: str, unit_lookup: str, unit_path: str) -> Q:
    """Rows whose (start, due] may hold a changed day: started before the last one, due on or after the first."""
    first, last = min(changes), max(changes)
    q = Q(due_on__gte=first) & Q(**{f"{start_lookup}__lt": last})
    if unit_path:
        q &= Q(**{f"{unit_lookup}__startswith": unit_path})
    return q


def recompute_due_dates(sender, *, changes: dict, unit_path: str = "", **kwargs) -> dict[str, int]:
    moved = {}
    last_end = end_of_day(max(changes))
    reports = (
        ErrorReport.objects.filter(due_on__gte=min(changes), received_at__lt=last_end)
        .filter(Q(site__owner__path__startswith=unit_path) if unit_path else Q())
        .annotate(received_on=TruncDate("received_at", tzinfo=SHANGHAI))
        .values_list("pk", "received_on", "site__owner__path", "due_on")
    )
    groups = workdays.moved(((pk, (start, path), due) for pk, start, path, due in reports), changes,
                            lambda key, due: workdays.recount(key[0], due, changes, key[1]))
    moved["error_reports"] = workdays.update_moved(ErrorReport.objects, "due_on", groups)

    messages = (
        Message.objects.filter(due_on__gte=min(changes), received_at__lt=last_end)
        .annotate(received_on=TruncDate("received_at", tzinfo=SHANGHAI),
                  unit_path=Coalesce("site__owner__path", "account__owner__path"))
        .filter(Q(unit_path__startswith=unit_path) if unit_path else Q())
        .values_list("pk", "received_on", "reply_workdays", "unit_path", "due_on")
    )
    groups = workdays.moved(((pk, (start, n, path), due) for pk, start, n, path, due in messages), changes,
                            lambda key, due: workdays.add_workdays(key[0], key[1], key[2]) if key[1] else due)
    moved["messages"] = workdays.update_moved(Message.objects, "due_on", groups)

    findings = (
        Finding.objects.filter(_span(changes, "found_on", "organisation__path", unit_path))
        .values_list("pk", "found_on", "detail", "organisation__path", "due_on")
    )

    def finding_due(key, due):
        found_on, days, path = key
        return rectification_due(found_on, days, path)

    rows = []
    for pk, found_on, detail, path, due in findings:
        # The period the finding was given (recorded since issue 10); before that, the distance itself.
        days = (detail or {}).get("rectify_days") or (due - found_on).days
        rows.append((pk, (found_on, int(days), path), due))
    moved["findings"] = workdays.update_moved(Finding.objects, "due_on", workdays.moved(rows, changes, finding_due))
    return moved
