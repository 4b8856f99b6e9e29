"""Answers owed to the public: 找错 reports (1 working day), messages (the owner's limit) and the proactive
disclosure of government information (20 working days from the day it was made)."""
from __future__ import annotations

from django.db.models import Case, DateField, F, Q, Value, When
from django.db.models.functions import Coalesce

from publishing.models import Post
from rules.definitions import RULES

from ..models import ErrorReport, Message
from .base import Check, date_of, due_map, late_hits, local_date


def error_report_late(ctx, th):
    rows = (
        ErrorReport.objects.filter(received_at__lt=ctx.end).filter(ctx.scope("site__owner"))
        .annotate(replied_on=date_of("replied_at"))
        .filter(
            ((Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(replied_at__lt=ctx.end) & Q(replied_on__gt=F("due_on")))
        )
        .annotate(org=F("site__owner_id"), label=F("site__name"))
        .values("id", "org", "label", "due_on", "replied_at", "received_at")
    )
    for r in rows:
        r["received_on"] = local_date(r.pop("received_at"))
    return late_hits(rows, ctx, "replied_at", "due_on", ("received_on",))


def message_late(ctx, th):
    rows = (
        Message.objects.filter(valid=True, received_at__lt=ctx.end)
        .filter(ctx.scope("site__owner") | ctx.scope("account__owner") if ctx.include or ctx.exclude else Q())
        .annotate(replied_on=date_of("replied_at"))
        .filter(
            ((Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(replied_at__lt=ctx.end) & Q(replied_on__gt=F("due_on")))
        )
        .annotate(org=Coalesce("site__owner_id", "account__owner_id"), label=Coalesce("site__name", "account__name"))
        .values("id", "org", "label", "due_on", "replied_at", "received_at", "reply_workdays")
    )
    rows = list(rows)
    for r in rows:
        r["received_on"] = local_date(r.pop("received_at"))
    return late_hits(rows, ctx, "replied_at", "due_on", ("received_on", "reply_workdays"))


def disclosure_late(ctx, th):
    workdays = int(th["workdays"])
    base = Post.objects.filter(disclosure_required=True, made_on__isnull=False, made_on__lte=ctx.as_of).filter(ctx.scope("organisation"))
    made = sorted(set(base.order_by().values_list("made_on", flat=True).distinct()))
    due = due_map(made, workdays)
    if not due:
        return []
    due_expr = Case(*[When(made_on=d, then=Value(e)) for d, e in due.items()], output_field=DateField())
    rows = (
        base.annotate(due_on=due_expr, published_on=date_of("published_at"))
        .filter(
            ((Q(published_at__isnull=True) | Q(published_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(published_at__lt=ctx.end) & Q(published_on__gt=F("due_on")))
        )
        .annotate(org=F("organisation_id"), label=F("title"))
        .values("id", "org", "label", "due_on", "published_at", "made_on")
    )
    return late_hits(rows, ctx, "published_at", "due_on", ("made_on",))


def error_report_subjects(ctx):
    return ErrorReport.objects.filter(ctx.scope("site__owner"))


def message_subjects(ctx):
    if not (ctx.include or ctx.exclude):
        return Message.objects.all()
    return Message.objects.filter(ctx.scope("site__owner") | ctx.scope("account__owner"))


def post_subjects(ctx):
    return Post.objects.filter(ctx.scope("organisation"))


ERROR_REPORT_LATE = Check(RULES["error_report_late"], error_report_late, error_report_subjects)
MESSAGE_LATE = Check(RULES["message_late"], message_late, message_subjects)
DISCLOSURE_LATE = Check(RULES["disclosure_late"], disclosure_late, post_subjects)
