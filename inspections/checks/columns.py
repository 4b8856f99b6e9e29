"""Columns of running sites: stale (栏目不更新) and blank (空白栏目). The judged rows are shared with the site
veto on stale columns (sites.py), computed once per group."""
from __future__ import annotations

from django.db.models import DateField, F
from django.db.models.functions import Coalesce

from rules.countdown import column_deadline, column_judged
from rules.dates import stale_cutoff
from rules.definitions import RULES
from sites.models import Column

from .base import Check, Context, Hit, date_of, iso


def columns_judged(ctx: Context) -> list[dict]:
    """Stale and blank columns of running sites (shared by column_stale, column_blank, site_columns_veto):
    their deadline (rules.countdown, the expression every countdown shows) is before as_of."""
    if "columns" in ctx.cache:
        return ctx.cache["columns"]
    periods = ctx.thresholds("column_stale")["periods"]
    queryset = (
        Column.objects.filter(site__status="running")
        .filter(ctx.scope("site__owner"))
        .exclude(opened_on__gt=ctx.as_of)
        .order_by()
    )
    rows = list(
        column_judged(queryset, ctx.as_of)
        .annotate(deadline=column_deadline(Column, ctx.as_of, periods))
        .filter(deadline__lt=ctx.as_of)
        .annotate(last=F("judged_last"), eff=Coalesce("judged_last", "opened_on", date_of("created_at"), output_field=DateField()))
        .values("id", "name", "category", "last", "eff", "deadline", "site_id", "site__name", "site__owner_id", "responsible_id")
    )
    for row in rows:
        row["cutoff"] = stale_cutoff(ctx.as_of, periods.get(row["category"]) or periods["other"])
    ctx.cache["columns"] = rows
    return rows


def _column_hit(row, periods) -> Hit:
    return Hit(
        subject_id=row["id"], organisation_id=row["responsible_id"] or row["site__owner_id"],
        name=f"{row['site__name']} / {row['name']}",
        detail={
            "site": row["site_id"], "category": row["category"], "last_updated_on": iso(row["last"]),
            "judged_from": iso(row["eff"]), "period": periods[row["category"]],
            "stale_if_last_before": iso(row["cutoff"]),
        },
        period_key=f"since:{iso(row['eff'])}",
    )


def column_stale(ctx, th):
    return [_column_hit(r, th["periods"]) for r in columns_judged(ctx) if r["last"] is not None]


def column_blank(ctx, th):
    periods = ctx.thresholds("column_stale")["periods"]
    hits = []
    for r in columns_judged(ctx):
        if r["last"] is None:
            hit = _column_hit(r, periods)
            hit.detail["blank"] = True
            hits.append(hit)
    return hits


def column_subjects(ctx):
    return Column.objects.filter(ctx.scope("site__owner"))


COLUMN_STALE = Check(RULES["column_stale"], column_stale, column_subjects)
COLUMN_BLANK = Check(RULES["column_blank"], column_blank, column_subjects)
