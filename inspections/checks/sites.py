"""The national checklist's vetoes on websites: unreachable, homepage not updated, too many stale or blank
columns, and poor interaction (no consultation channel, or a message left unanswered for months)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from rules import availability
from rules.dates import add_months, stale_cutoff, start_of_day
from rules.definitions import RULES
from sites.models import Column, ColumnUpdate, Site

from ..models import Message
from .base import Check, Hit, date_of, first_found, iso, last_as_of
from .columns import judged_counts


def _sites(ctx):
    return Site.objects.filter(status="running").filter(ctx.scope("owner")).order_by()


def site_columns_veto(ctx, th):
    """Sites with too many stale key columns, stale columns or blank columns: counted per site by the database
    from the columns' own judging query (columns.py)."""
    rows = judged_counts(ctx, th["key_categories"])
    limits = {"key_stale": int(th["key_stale"]), "any_stale": int(th["any_stale"]), "blank": int(th["blank"])}
    hits = []
    for c in rows:
        broken = [k for k, limit in limits.items() if c[k] >= limit]
        if broken:
            hits.append(Hit(c["site_id"], c["org"], c["name"], {
                "key_stale": c["key_stale"], "any_stale": c["any_stale"], "blank": c["blank"], "limits": limits, "broken": broken,
            }, first_found(ctx)))
    return hits


def homepage_stale(ctx, th):
    """No homepage update for 14 days. Where the homepage is only navigation, its second-level pages (the
    columns) count; where the homepage's own date is not known (never recorded, or only after `as_of`), the
    newest column update stands in for it."""
    days = int(th["days"])
    cutoff = ctx.as_of - dt.timedelta(days=days)
    newest_column = (
        Column.objects.filter(site=OuterRef("pk"))
        .annotate(last=last_as_of("last_updated_on", ColumnUpdate.objects.all(), "column", ctx))
        .order_by(F("last").desc(nulls_last=True)).values("last")[:1]
    )
    rows = (
        _sites(ctx).exclude(launched_on__gt=ctx.as_of)
        .annotate(
            homepage=Case(When(homepage_updated_on__lte=ctx.as_of, then=F("homepage_updated_on")), default=Value(None), output_field=DateField()),
            columns_last=Subquery(newest_column, output_field=DateField()),
            opened=Coalesce("launched_on", date_of("created_at"), output_field=DateField()),
        )
        .values("id", "name", "owner_id", "homepage", "columns_last", "opened", "homepage_is_navigation")
    )
    hits = []
    for r in rows:
        if r["homepage"] and not r["homepage_is_navigation"]:
            eff = r["homepage"]
        else:
            eff = max([d for d in (r["homepage"], r["columns_last"]) if d] or [r["opened"]])
        if eff < cutoff:
            hits.append(Hit(r["id"], r["owner_id"], r["name"], {
                "homepage_updated_on": iso(r["homepage"]), "newest_column_update": iso(r["columns_last"]),
                "judged_from": iso(eff), "days": days, "homepage_is_navigation": r["homepage_is_navigation"],
            }, f"since:{iso(eff)}"))
    return hits


def site_unreachable(ctx, th):
    """rules.availability's one definition, as of the run's day."""
    first, last = availability.window(ctx.as_of, th)
    rows = availability.with_probe_counts(_sites(ctx), ctx.as_of, th).values(
        "id", "name", "owner_id", "probe_total", "probe_failed", *[f"probe_day{i}" for i in range(int(th["window_days"]))]
    )
    hits = []
    for r in rows:
        per_day = availability.min_per_day(r, th)
        if availability.is_unreachable(r["probe_total"], r["probe_failed"], per_day, th):
            hits.append(Hit(r["id"], r["owner_id"], r["name"], {
                "probes": r["probe_total"], "failed": r["probe_failed"], "min_probes_per_day": per_day,
                "failure_share": round(r["probe_failed"] / r["probe_total"], 4), "limit": float(th["max_failure_share"]),
                "window_days": int(th["window_days"]), "from": iso(first), "to": iso(last),
            }, first_found(ctx)))
    return hits


def site_interaction_veto(ctx, th):
    """No working consultation channel, or a valid message left unanswered for more than 3 months (calendar
    months from the day received) within the past year: still unanswered, or answered only after that."""
    months = int(th["unanswered_months"])
    lookback = int(th["lookback_months"])
    window_start = start_of_day(add_months(ctx.as_of, -lookback))
    received_cutoff = stale_cutoff(ctx.as_of, {"months": months})
    in_window = Message.objects.filter(site__isnull=False, valid=True, received_at__gte=window_start, received_at__lt=ctx.end)
    in_window = in_window.filter(ctx.scope("site__owner"))
    received = sorted(set(
        in_window.filter(replied_at__lt=ctx.end).annotate(received_on=date_of("received_at"))
        .values_list("received_on", flat=True).distinct()
    ))
    late_condition = Q(pk__in=[])
    if received:
        limit = Case(*[When(received_on=d, then=Value(add_months(d, months))) for d in received], output_field=DateField())
        late_ids = (
            in_window.filter(replied_at__lt=ctx.end)
            .annotate(received_on=date_of("received_at"), replied_on=date_of("replied_at"), limit=limit)
            .filter(replied_on__gt=F("limit")).values("site_id")
        )
        late_condition = Q(pk__in=late_ids)
    unanswered = in_window.filter(site=OuterRef("pk"), received_at__lt=start_of_day(received_cutoff)).filter(
        Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)
    )
    rows = (
        _sites(ctx).annotate(unanswered=Exists(unanswered))
        .filter(Exists(unanswered) | late_condition | Q(has_consultation_channel=False))
        .values("id", "name", "owner_id", "unanswered", "has_consultation_channel")
    )
    return [
        Hit(r["id"], r["owner_id"], r["name"], {
            "has_consultation_channel": r["has_consultation_channel"],
            "message_unanswered_over_limit": r["unanswered"], "months": months, "lookback_months": lookback,
        }, first_found(ctx))
        for r in rows
    ]


def site_subjects(ctx):
    return Site.objects.filter(ctx.scope("owner"))


SITE_UNREACHABLE = Check(RULES["site_unreachable"], site_unreachable, site_subjects)
HOMEPAGE_STALE = Check(RULES["homepage_stale"], homepage_stale, site_subjects)
SITE_COLUMNS_VETO = Check(RULES["site_columns_veto"], site_columns_veto, site_subjects)
SITE_INTERACTION_VETO = Check(RULES["site_interaction_veto"], site_interaction_veto, site_subjects)
