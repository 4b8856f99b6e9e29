"""Columns of running sites: stale (栏目不更新) and blank (空白栏目). The judging query is shared with the site
veto on stale columns (sites.py), which counts its rows per site."""
from __future__ import annotations

from django.db.models import Case, CharField, Count, DateField, F, JSONField, Min, Q, Value, When
from django.db.models.functions import Coalesce, Concat

from rules.countdown import column_deadline, column_judged
from rules.dates import stale_cutoff
from rules.definitions import RULES
from sites.models import Column

from .base import Check, Context, JSONLiteral, as_hits, date_of, iso, since


def judged_columns(ctx: Context):
    """Stale and blank columns of running sites (their deadline, rules.countdown's expression every countdown
    shows, is before as_of), with the newest update they had on as_of (`last`) and the day they are judged
    from (`eff`): the one query of column_stale, column_blank and site_columns_veto."""
    periods = ctx.thresholds("column_stale")["periods"]
    # A column whose stored last update is on or before as_of and not before the latest cutoff of any category
    # keeps every period (rules.dates.stale_cutoff): said as a plain comparison, it spares the deadline
    # expressions for most columns. The deadline below still decides.
    kept_since = max(stale_cutoff(ctx.as_of, period) for period in periods.values())
    queryset = (
        Column.objects.filter(site__status="running")
        .filter(ctx.scope("site__owner"))
        .exclude(opened_on__gt=ctx.as_of)
        .exclude(last_updated_on__gte=kept_since, last_updated_on__lte=ctx.as_of)
        .order_by()
    )
    return (
        column_judged(queryset, ctx.as_of)
        .annotate(deadline=column_deadline(Column, ctx.as_of, periods))
        .filter(deadline__lt=ctx.as_of)
        .annotate(last=F("judged_last"), eff=Coalesce("judged_last", "opened_on", date_of("created_at"), output_field=DateField()))
    )


def judged_counts(ctx: Context, key_categories) -> list[dict]:
    """Per site with judged columns: its stale key columns, stale columns and blank ones (`judged_columns`
    counted by the database), once per context: the site veto judges by them, and a report counts the column
    rules' columns per site from the same rows (inspections.checks.evaluate.verdicts_as_of) instead of running
    the judging query again for each column rule (as of a past day it takes a step down each column's update
    index)."""
    key_categories = list(key_categories)
    cache_key = ("judged_counts", tuple(key_categories))
    if cache_key not in ctx.cache:
        ctx.cache[cache_key] = list(
            judged_columns(ctx).values("site_id")
            .annotate(
                key_stale=Count("pk", filter=Q(last__isnull=False, category__in=key_categories)),
                any_stale=Count("pk", filter=Q(last__isnull=False)), blank=Count("pk", filter=Q(last__isnull=True)),
                name=Min("site__name"), org=Min("site__owner_id"),
            )
            .values("site_id", "name", "org", "key_stale", "any_stale", "blank")
        )
    return ctx.cache[cache_key]


# How many of a site's columns each column rule finds, as judged_counts counts them.
COUNTED_AS = {"column_stale": "any_stale", "column_blank": "blank"}


def _column_hits(ctx: Context, *, blank: bool):
    """Column findings as the database builds them: the evidence names the period of the column's category
    and the cutoff it implies (a last update before it is stale)."""
    periods = ctx.thresholds("column_stale")["periods"]
    cutoffs = {c: stale_cutoff(ctx.as_of, p) for c, p in periods.items()}
    other = cutoffs.get("other")
    detail = {
        "site": F("site_id"), "category": F("category"), "last_updated_on": F("last"), "judged_from": F("eff"),
        "period": Case(*[When(category=c, then=JSONLiteral(p)) for c, p in periods.items()], output_field=JSONField()),
        "stale_if_last_before": Case(*[When(category=c, then=Value(iso(cutoff))) for c, cutoff in cutoffs.items()],
                                     default=Value(iso(other)), output_field=CharField()),
    }
    if blank:
        detail["blank"] = JSONLiteral(True)
    columns = judged_columns(ctx).filter(last__isnull=blank)
    if blank:  # never updated by as_of: the stored last update is none or later (a plain comparison first)
        columns = columns.filter(Q(last_updated_on__isnull=True) | Q(last_updated_on__gt=ctx.as_of))
    return as_hits(
        columns,
        unit=Coalesce("responsible_id", "site__owner_id"),
        name=Concat("site__name", Value(" / "), "name", output_field=CharField()),
        period=since("eff"), detail=detail,
    )


def column_stale_rows(ctx, th):
    return _column_hits(ctx, blank=False)


def column_blank_rows(ctx, th):
    return _column_hits(ctx, blank=True)


def column_subjects(ctx):
    return Column.objects.filter(ctx.scope("site__owner"))


COLUMN_STALE = Check.of_rows(RULES["column_stale"], column_stale_rows, column_subjects)
COLUMN_BLANK = Check.of_rows(RULES["column_blank"], column_blank_rows, column_subjects)
