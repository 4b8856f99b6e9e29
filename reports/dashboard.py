"""The supervisor's home page for the region: accounts by platform and status, sites' columns and accounts at
risk (from the countdown), open and overdue findings by unit, review throughput and waiting times.

Each panel is one aggregate query (or two) over the region, so the page stays instant for a county and
bounded for a province."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import LIVE_STATUSES, Account, AccountStatus, Platform
from accounts.selectors import filter_accounts
from inspections.api import countdown_queryset
from inspections.selectors import FINDING_TILES, finding_tile
from reports.figures import scope_organisations
from review.models import ReviewTask, TaskStatus
from rules.dates import SHANGHAI
from rules.thresholds import NoChecklist
from sites.models import Column, Site, SiteStatus

AT_RISK_DAYS = 3
AT_RISK_SHOWN = 15
THROUGHPUT_DAYS = 30


def _accounts(orgs) -> dict:
    rows = (
        Account.objects.filter(owner__in=orgs).exclude(status=AccountStatus.DRAFT)
        .values("platform", "status").annotate(n=Count("pk")).order_by()
    )
    platforms = dict(Platform.choices)
    statuses = [s for s in AccountStatus if s != AccountStatus.DRAFT]
    table = {p: {s.value: 0 for s in statuses} for p in platforms}
    for row in rows:
        table.setdefault(row["platform"], {s.value: 0 for s in statuses})[row["status"]] = row["n"]
    used = [p for p in platforms if any(table[p].values())]
    return {
        "platforms": [platforms[p] for p in used],
        "series": [{"name": s.label, "status": s.value, "data": [table[p][s.value] for p in used]} for s in statuses],
        "rows": [{"platform": platforms[p], "counts": [table[p][s.value] for s in statuses], "total": sum(table[p].values())} for p in used],
        "statuses": [s.label for s in statuses],
        "live": sum(table[p][s] for p in used for s in LIVE_STATUSES),
    }


def _at_risk(user, region, today) -> dict:
    """Columns and accounts whose countdown is at or below AT_RISK_DAYS (negative: already broken): the
    countdown page's own query, so the "已超期" tiles count what their links list.

    One pass per kind (issue 14): the countdown is a large expression, and compiling and evaluating it over a
    province is the panel's whole cost, so the at-risk rows are read once as (id, days left, deadline) — the
    counts come from them — and only the first rows shown are fetched in full, by id, without the countdown."""
    models = {"column": (Column, "site"), "account": (Account, "owner")}
    panel = {}
    for kind, (model, related) in models.items():
        qs = countdown_queryset(user, kind=kind, organisation=region.pk, within=AT_RISK_DAYS, today=today)
        rows = list(qs.values_list("pk", "days_left", "deadline"))
        broken = sum(1 for _pk, days_left, _deadline in rows if days_left < 0)
        shown = {pk: (days_left, deadline) for pk, days_left, deadline in rows[:AT_RISK_SHOWN]}
        objects = model.objects.filter(pk__in=list(shown)).select_related(related).in_bulk()
        for pk, (days_left, deadline) in shown.items():
            objects[pk].days_left, objects[pk].deadline = days_left, deadline
        panel[kind] = ([objects[pk] for pk in shown], {"broken": broken, "soon": len(rows) - broken})
    links = {kind: "?" + urlencode({"kind": kind, "organisation": region.pk, "within": -1}) for kind in models}
    return {
        "columns": panel["column"][0],
        "accounts": panel["account"][0],
        "column_counts": panel["column"][1], "account_counts": panel["account"][1], "days": AT_RISK_DAYS,
        "column_link": links["column"], "account_link": links["account"],
    }


def _findings(user, region, today) -> dict:
    """Unresolved findings: the two tiles are the findings list's own queries (FINDING_TILES); the table
    splits the same two sets by unit."""
    pending = finding_tile(user, region, "open", as_of=today)
    overdue = finding_tile(user, region, "overdue", as_of=today)
    per_unit: dict[int, dict] = {}
    totals = {"open": 0, "overdue": 0}
    for key, qs in (("open", pending), ("overdue", overdue)):
        for row in qs.order_by().values("organisation_id", "organisation__name").annotate(n=Count("pk")):
            unit = per_unit.setdefault(row["organisation_id"], {
                "organisation_id": row["organisation_id"], "organisation__name": row["organisation__name"], "open": 0, "overdue": 0,
            })
            unit[key] = row["n"]
            totals[key] += row["n"]  # every finding has one unit: the units' counts add up to the tile's
    rows = sorted(per_unit.values(), key=lambda r: (-r["overdue"], -r["open"], r["organisation__name"]))[:20]
    return {
        "rows": rows,
        "units": [r["organisation__name"] for r in rows],
        "open": [r["open"] for r in rows],
        "overdue": [r["overdue"] for r in rows],
        "total_open": totals["open"],
        "total_overdue": totals["overdue"],
        "open_link": "?" + urlencode({"organisation": region.pk, **FINDING_TILES["open"]}),
        "overdue_link": "?" + urlencode({"organisation": region.pk, **FINDING_TILES["overdue"]}),
    }


def _review(orgs, today) -> dict:
    """Stages decided per day over the last 30 days, the average wait of a decided stage, and the queue now."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=THROUGHPUT_DAYS - 1), dt.time.min))
    tasks = ReviewTask.objects.filter(post__organisation__in=orgs)
    decided = tasks.filter(decided_at__gte=since, status__in=(TaskStatus.APPROVED, TaskStatus.RETURNED))
    per_day = dict(
        decided.annotate(day=TruncDate("decided_at", tzinfo=SHANGHAI)).values("day").annotate(n=Count("pk")).values_list("day", "n")
    )
    days = [today - dt.timedelta(days=i) for i in range(THROUGHPUT_DAYS - 1, -1, -1)]
    average = decided.aggregate(
        wait=Avg(ExpressionWrapper(F("decided_at") - F("opened_at"), output_field=DurationField()))
    )["wait"]
    if isinstance(average, (int, float)):  # some backends hand back microseconds
        average = dt.timedelta(microseconds=average)
    average_hours = round(average.total_seconds() / 3600, 1) if average is not None else None
    queue = tasks.filter(status=TaskStatus.OPEN).aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)), oldest=Min("opened_at")
    )
    oldest_days = (today - timezone.localtime(queue["oldest"]).date()).days if queue["oldest"] else None
    return {
        "days": [d.strftime("%m-%d") for d in days], "decided": [per_day.get(d, 0) for d in days],
        "decided_total": sum(per_day.values()), "average_wait_hours": average_hours,
        "waiting": queue["waiting"], "overdue": queue["overdue"], "oldest_days": oldest_days,
    }


def dashboard_context(user, region, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    orgs = scope_organisations(region, user).values("pk")
    accounts = _accounts(orgs)
    # "在运行账号": the register's own query for status 运行中 under the region (not 申请开设 or 关停公示中).
    running = {"status": AccountStatus.RUNNING.value, "owner": region.pk}
    accounts["running"] = filter_accounts(user, running, today=today).count()
    accounts["running_link"] = "?" + urlencode(running)
    findings = _findings(user, region, today)
    review = _review(orgs, today)
    try:
        at_risk = _at_risk(user, region, today)
    except NoChecklist:
        # No checklist version for the year: the countdown has no thresholds; the other panels still show.
        at_risk = None
    sites = Site.objects.filter(owner__in=orgs, status=SiteStatus.RUNNING).count()
    charts = {
        "accounts": {"platforms": accounts["platforms"], "series": [{"name": s["name"], "data": s["data"]} for s in accounts["series"]]},
        "findings": {"units": findings["units"], "open": findings["open"], "overdue": findings["overdue"]},
        "review": {"days": review["days"], "decided": review["decided"]},
    }
    return {"dashboard": {"region": region, "today": today, "accounts": accounts, "findings": findings, "review": review,
                          "at_risk": at_risk, "sites": sites}, "dashboard_charts": charts}
