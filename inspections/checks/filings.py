"""备案 filings: opening and change filings late, existing accounts not backfilled in time, and closures
approved before the closure notice had run its working days."""
from __future__ import annotations

from django.db.models import Case, DateField, F, OuterRef, Q, Subquery, Value, When

from accounts.models import LIVE_STATUSES, Account, Filing
from rules.definitions import RULES

from .accounts import account_subjects
from .base import Check, Hit, date_of, due_map, iso, late_hits, local_date


def filing_late(ctx, th):
    rows = (
        Filing.objects.filter(kind__in=["open", "change"], due_on__isnull=False, event_date__lte=ctx.as_of)
        .filter(ctx.scope("account__owner"))
        .annotate(submitted_on=date_of("submitted_at"))
        .filter(
            ((Q(submitted_at__isnull=True) | Q(submitted_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(submitted_at__lt=ctx.end) & Q(submitted_on__gt=F("due_on")))
        )
        .annotate(org=F("account__owner_id"), label=F("account__name"))
        .values("id", "org", "label", "kind", "event_date", "due_on", "submitted_at")
    )
    return late_hits(rows, ctx, "submitted_at", "due_on", ("kind", "event_date"))


def backfill_late(ctx, th):
    submitted = Filing.objects.filter(account=OuterRef("pk"), kind="backfill", submitted_at__isnull=False).order_by("submitted_at")
    rows = (
        Account.objects.filter(backfill_due_on__isnull=False, backfill_due_on__lt=ctx.as_of)
        .filter(ctx.scope("owner"))
        .annotate(backfilled_at=Subquery(submitted.values("submitted_at")[:1]))
        .annotate(backfilled_on=date_of("backfilled_at"))
        .filter(
            Q(backfilled_at__isnull=True, status__in=LIVE_STATUSES) | Q(backfilled_at__gte=ctx.end, status__in=LIVE_STATUSES)
            | (Q(backfilled_at__lt=ctx.end) & Q(backfilled_on__gt=F("backfill_due_on")))
        )
        .annotate(org=F("owner_id"), label=F("name"))
        .values("id", "org", "label", "backfill_due_on", "backfilled_at")
    )
    return late_hits(rows, ctx, "backfilled_at", "backfill_due_on")


def closure_notice_short(ctx, th):
    """A deregistration approved before the 15th working day after the closure notice date."""
    workdays = int(th["workdays"])
    base = (
        Filing.objects.filter(kind="deregister", status="approved", decided_at__lt=ctx.end,
                              account__closure_notice_on__isnull=False)
        .filter(ctx.scope("account__owner"))
    )
    notice_dates = sorted(set(base.values_list("account__closure_notice_on", flat=True).distinct()))
    if not notice_dates:
        return []
    earliest = due_map(notice_dates, workdays)
    earliest_expr = Case(*[When(account__closure_notice_on=d, then=Value(e)) for d, e in earliest.items()], output_field=DateField())
    rows = (
        base.annotate(earliest=earliest_expr, decided_on=date_of("decided_at"))
        .filter(decided_on__lt=F("earliest"))
        .annotate(org=F("account__owner_id"), label=F("account__name"))
        .values("id", "org", "label", "decided_at", "earliest", "account__closure_notice_on", "account_id")
    )
    return [
        Hit(r["id"], r["org"], r["label"], {
            "account": r["account_id"], "closure_notice_on": iso(r["account__closure_notice_on"]),
            "deregistered_on": iso(local_date(r["decided_at"])), "earliest_allowed": iso(r["earliest"]),
            "workdays": workdays,
        }, past=True)
        for r in rows
    ]


def filing_subjects(ctx):
    return Filing.objects.filter(ctx.scope("account__owner"))


FILING_LATE = Check(RULES["filing_late"], filing_late, filing_subjects)
BACKFILL_LATE = Check(RULES["backfill_late"], backfill_late, account_subjects)
CLOSURE_NOTICE_SHORT = Check(RULES["closure_notice_short"], closure_notice_short, filing_subjects)
