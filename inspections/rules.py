"""Every rule of SPEC's table and the national checklist's vetoes, each a set-based check.

A rule is a function `(ctx, thresholds) -> list[Hit]` that asks the database a fixed number of queries about
everything in scope as of `ctx.as_of`; Python only shapes the rows that come back. Working-day deadlines are
either stored when the subject is recorded (`due_on`) or computed once per distinct date, never per subject.

"As of" a past date: the denormalised last-update dates answer when they are not after `as_of`; otherwise a
correlated subquery (only for those rows) finds the newest update published up to the end of `as_of`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, Count, DateField, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate

from govmedia.core.workdays import Calendar

from .dates import SHANGHAI, end_of_day, stale_cutoff, start_of_day, week_before
from .models import UNRESOLVED, Finding, FindingStatus, Message, ErrorReport, SubjectType

RULE_LABELS = {
    "column_stale": "栏目不更新",
    "column_blank": "空白栏目",
    "account_stale": "账号内容不更新",
    "account_weekly": "账号每周未更新",
    "account_original": "账号两周无原创",
    "filing_late": "备案逾期",
    "backfill_late": "未按期补办备案",
    "closure_notice_short": "关停公示期不足",
    "duplicate_platform": "同平台重复开设",
    "internal_owner": "内设机构或个人名义开设",
    "error_report_late": "找错逾期未答复",
    "message_late": "留言逾期未答复",
    "disclosure_late": "主动公开信息发布逾期",
    "rectification_overdue": "逾期未整改",
    "repeat_notified": "被省级通报3次及以上",
    "credential_rotation": "账号密码未按期更换",
    "site_unreachable": "站点无法访问",
    "homepage_stale": "首页不更新",
    "site_columns_veto": "栏目不更新（单项否决）",
    "site_interaction_veto": "互动回应差（网站）",
    "account_no_interaction": "互动回应差（账号）",
}


@dataclass
class Hit:
    subject_id: int
    organisation_id: int
    name: str
    detail: dict
    # The episode: "" for a fact recorded once; otherwise a week, a last-update date, or the first-found date.
    period_key: str = ""
    # A breach already remedied (a reply given late): recorded as found and rectified at once.
    past: bool = False


@dataclass
class Context:
    as_of: dt.date
    include: str = ""
    exclude: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    # Every item in force for this group: a rule may read another's thresholds (column periods).
    items: dict = field(default_factory=dict)

    def thresholds(self, code: str) -> dict:
        item = self.items.get(code)
        return item.thresholds if item else {}

    @property
    def end(self) -> dt.datetime:
        return end_of_day(self.as_of)

    def scope(self, organisation_lookup: str) -> Q:
        """Subjects whose organisation (reached by `organisation_lookup`) is in this group."""
        q = Q()
        if self.include:
            q &= Q(**{f"{organisation_lookup}__path__startswith": self.include})
        for path in self.exclude:
            q &= ~Q(**{f"{organisation_lookup}__path__startswith": path})
        return q


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


class MissingModel(Exception):
    """A model or field this rule reads is not (yet) in the schema: the run skips the rule and says so."""


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _local_date(moment):
    return moment.astimezone(SHANGHAI).date() if moment else None


def _date_of(moment_expr):
    return TruncDate(moment_expr, tzinfo=SHANGHAI)


def _last_as_of(field_name: str, updates, fk: str, ctx: Context, **extra):
    """The newest update date up to the end of `as_of`: the denormalised field when it is not later."""
    newest = updates.filter(**{fk: OuterRef("pk")}, published_at__lt=ctx.end, **extra).order_by("-published_at")
    return Case(
        When(**{f"{field_name}__lte": ctx.as_of}, then=F(field_name)),
        default=_date_of(Subquery(newest.values("published_at")[:1])),
        output_field=DateField(),
    )


def _opened():
    return Coalesce("opened_on", _date_of("created_at"), output_field=DateField())


def _first_found(ctx: Context) -> str:
    return f"since:{ctx.as_of.isoformat()}"


# ----------------------------------------------------------------------------------------------- columns


def _columns_judged(ctx: Context) -> list[dict]:
    """Stale and blank columns of running sites (shared by column_stale, column_blank, site_columns_veto)."""
    if "columns" in ctx.cache:
        return ctx.cache["columns"]
    from sites.models import Column, ColumnUpdate

    periods = ctx.thresholds("column_stale")["periods"]
    cutoffs = {category: stale_cutoff(ctx.as_of, period) for category, period in periods.items()}
    condition = Q(pk__in=[])
    for category, cutoff in cutoffs.items():
        condition |= Q(category=category, eff__lt=cutoff)
    rows = list(
        Column.objects.filter(site__status="running")
        .filter(ctx.scope("site__owner"))
        .exclude(opened_on__gt=ctx.as_of)
        .annotate(last=_last_as_of("last_updated_on", ColumnUpdate.objects.all(), "column", ctx))
        .annotate(eff=Coalesce("last", "opened_on", _date_of("created_at"), output_field=DateField()))
        .filter(condition)
        .values("id", "name", "category", "last", "eff", "site_id", "site__name", "site__owner_id", "responsible_id")
    )
    for row in rows:
        row["cutoff"] = cutoffs[row["category"]]
    ctx.cache["columns"] = rows
    return rows


def _column_hit(row, periods) -> Hit:
    return Hit(
        subject_id=row["id"], organisation_id=row["responsible_id"] or row["site__owner_id"],
        name=f"{row['site__name']} / {row['name']}",
        detail={
            "site": row["site_id"], "category": row["category"], "last_updated_on": _iso(row["last"]),
            "judged_from": _iso(row["eff"]), "period": periods[row["category"]],
            "stale_if_last_before": _iso(row["cutoff"]),
        },
        period_key=f"since:{_iso(row['eff'])}",
    )


def column_stale(ctx, th):
    return [_column_hit(r, th["periods"]) for r in _columns_judged(ctx) if r["last"] is not None]


def column_blank(ctx, th):
    periods = ctx.thresholds("column_stale")["periods"]
    hits = []
    for r in _columns_judged(ctx):
        if r["last"] is None:
            hit = _column_hit(r, periods)
            hit.detail["blank"] = True
            hits.append(hit)
    return hits


# ---------------------------------------------------------------------------------------------- accounts

RUNNING_ACCOUNT = ("running", "closing")


def _accounts(ctx: Context):
    from accounts.models import Account

    return Account.objects.filter(status__in=RUNNING_ACCOUNT).filter(ctx.scope("owner")).exclude(opened_on__gt=ctx.as_of)


def _account_hit(row, detail, period_key="") -> Hit:
    return Hit(subject_id=row["id"], organisation_id=row["owner_id"], name=row["name"], detail=detail, period_key=period_key)


def account_stale(ctx, th):
    from accounts.models import AccountUpdate

    days = int(th.get("days", 14))
    cutoff = ctx.as_of - dt.timedelta(days=days)
    rows = (
        _accounts(ctx)
        .annotate(last=_last_as_of("last_updated_on", AccountUpdate.objects.all(), "account", ctx))
        .annotate(eff=Coalesce("last", _opened(), output_field=DateField()))
        .filter(eff__lt=cutoff)
        .values("id", "name", "owner_id", "last", "eff")
    )
    return [
        _account_hit(r, {"last_updated_on": _iso(r["last"]), "judged_from": _iso(r["eff"]), "days": days,
                         "days_without_update": (ctx.as_of - r["eff"]).days}, f"since:{_iso(r['eff'])}")
        for r in rows
    ]


def account_original(ctx, th):
    from accounts.models import AccountUpdate

    days = int(th.get("days", 14))
    cutoff = ctx.as_of - dt.timedelta(days=days)
    rows = (
        _accounts(ctx)
        .annotate(last=_last_as_of("last_original_on", AccountUpdate.objects.all(), "account", ctx, original=True))
        .annotate(eff=Coalesce("last", _opened(), output_field=DateField()))
        .filter(eff__lt=cutoff)
        .values("id", "name", "owner_id", "last", "eff")
    )
    return [
        _account_hit(r, {"last_original_on": _iso(r["last"]), "judged_from": _iso(r["eff"]), "days": days,
                         "days_without_original": (ctx.as_of - r["eff"]).days}, f"since:{_iso(r['eff'])}")
        for r in rows
    ]


def account_weekly(ctx, th):
    from accounts.models import AccountUpdate

    monday, sunday = week_before(ctx.as_of)
    in_week = AccountUpdate.objects.filter(
        account=OuterRef("pk"), published_at__gte=start_of_day(monday), published_at__lt=end_of_day(sunday)
    )
    rows = (
        _accounts(ctx)
        .annotate(opened=_opened())
        .filter(opened__lte=monday)
        # The denormalised date settles most accounts; only those updated after the week need the lookup.
        .filter(Q(last_updated_on__isnull=True) | Q(last_updated_on__lt=monday) | (Q(last_updated_on__gt=sunday) & ~Exists(in_week)))
        .values("id", "name", "owner_id", "last_updated_on")
    )
    return [
        _account_hit(r, {"week_start": _iso(monday), "week_end": _iso(sunday),
                         "minimum": int(th.get("updates_per_week", 1))}, f"week:{_iso(monday)}")
        for r in rows
    ]


def duplicate_platform(ctx, th):
    from accounts.models import Account, LIVE_STATUSES

    sibling = Account.objects.filter(
        owner=OuterRef("owner"), platform=OuterRef("platform"), status__in=LIVE_STATUSES, exemption_reason=""
    ).exclude(pk=OuterRef("pk"))
    rows = (
        Account.objects.filter(status__in=LIVE_STATUSES, exemption_reason="").filter(ctx.scope("owner"))
        .filter(Exists(sibling)).values("id", "name", "owner_id", "platform")
    )
    return [_account_hit(r, {"platform": r["platform"], "max_live": int(th.get("max_live", 1))}, _first_found(ctx)) for r in rows]


def internal_owner(ctx, th):
    from accounts.models import Account, LIVE_STATUSES

    condition = Q(owner__kind="internal")
    individual = _has_field(Account, "opened_by_individual")
    if individual:
        condition |= Q(opened_by_individual=True)
    fields = ["id", "name", "owner_id", "owner__kind"] + (["opened_by_individual"] if individual else [])
    rows = Account.objects.filter(status__in=LIVE_STATUSES).filter(ctx.scope("owner")).filter(condition).values(*fields)
    return [
        _account_hit(r, {"owner_kind": r["owner__kind"], "opened_by_individual": bool(r.get("opened_by_individual"))},
                     f"owner:{r['owner_id']}")
        for r in rows
    ]


def repeat_notified(ctx, th):
    notices = int(th.get("notices", 3))
    rows = _accounts(ctx).filter(province_notice_count__gte=notices).values("id", "name", "owner_id", "province_notice_count")
    return [_account_hit(r, {"province_notice_count": r["province_notice_count"], "limit": notices}, f"notices:{notices}") for r in rows]


def credential_rotation(ctx, th):
    days = int(th.get("days", 90))
    cutoff = ctx.as_of - dt.timedelta(days=days)
    rows = (
        _accounts(ctx)
        .annotate(changed=Coalesce("password_changed_on", _opened(), output_field=DateField()))
        .filter(
            Q(changed__lt=cutoff)
            | (Q(credential_change_due_since__lte=ctx.as_of)
               & (Q(password_changed_on__isnull=True) | Q(password_changed_on__lt=F("credential_change_due_since"))))
        )
        .values("id", "name", "owner_id", "password_changed_on", "changed", "credential_change_due_since")
    )
    hits = []
    for r in rows:
        departure = r["credential_change_due_since"] is not None and r["credential_change_due_since"] <= ctx.as_of and (
            r["password_changed_on"] is None or r["password_changed_on"] < r["credential_change_due_since"]
        )
        hits.append(_account_hit(r, {
            "password_changed_on": _iso(r["password_changed_on"]), "judged_from": _iso(r["changed"]), "days": days,
            "after_departure_since": _iso(r["credential_change_due_since"]) if departure else None,
        }, f"since:{_iso(r['changed'])}"))
    return hits


def account_no_interaction(ctx, th):
    rows = _accounts(ctx).filter(has_interaction=False).values("id", "name", "owner_id")
    return [_account_hit(r, {"has_interaction": False}, _first_found(ctx)) for r in rows]


# ----------------------------------------------------------------------------------------------- filings


def _filings():
    Filing = _model("accounts.Filing")
    if Filing is None:
        raise MissingModel("accounts.Filing")
    return Filing


def _late_hits(rows, ctx, when_key: str, due_key: str, detail_keys=()):
    """Pending (not done by as_of, due passed) and past (done late) hits from rows with a datetime and a due date."""
    hits = []
    for r in rows:
        done_on = _local_date(r[when_key]) if r[when_key] and r[when_key] < ctx.end else None
        detail = {"due_on": _iso(r[due_key]), "done_on": _iso(done_on), **{k: (_iso(r[k]) if isinstance(r[k], dt.date) else r[k]) for k in detail_keys}}
        if done_on is None:
            detail["days_late"] = (ctx.as_of - r[due_key]).days
            hits.append(Hit(r["id"], r["org"], r.get("label", ""), detail))
        else:
            detail["days_late"] = (done_on - r[due_key]).days
            hits.append(Hit(r["id"], r["org"], r.get("label", ""), detail, past=True))
    return hits


def filing_late(ctx, th):
    Filing = _filings()
    rows = (
        Filing.objects.filter(kind__in=["open", "change"], due_on__isnull=False, event_date__lte=ctx.as_of)
        .filter(ctx.scope("account__owner"))
        .annotate(submitted_on=_date_of("submitted_at"))
        .filter(
            ((Q(submitted_at__isnull=True) | Q(submitted_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(submitted_at__lt=ctx.end) & Q(submitted_on__gt=F("due_on")))
        )
        .annotate(org=F("account__owner_id"), label=F("account__name"))
        .values("id", "org", "label", "kind", "event_date", "due_on", "submitted_at")
    )
    return _late_hits(rows, ctx, "submitted_at", "due_on", ("kind", "event_date"))


def backfill_late(ctx, th):
    from accounts.models import Account, LIVE_STATUSES

    Filing = _filings()
    if not _has_field(Account, "backfill_due_on"):
        raise MissingModel("accounts.Account.backfill_due_on")
    submitted = Filing.objects.filter(account=OuterRef("pk"), kind="backfill", submitted_at__isnull=False).order_by("submitted_at")
    rows = (
        Account.objects.filter(backfill_due_on__isnull=False, backfill_due_on__lt=ctx.as_of)
        .filter(ctx.scope("owner"))
        .annotate(backfilled_at=Subquery(submitted.values("submitted_at")[:1]))
        .annotate(backfilled_on=_date_of("backfilled_at"))
        .filter(
            Q(backfilled_at__isnull=True, status__in=LIVE_STATUSES) | Q(backfilled_at__gte=ctx.end, status__in=LIVE_STATUSES)
            | (Q(backfilled_at__lt=ctx.end) & Q(backfilled_on__gt=F("backfill_due_on")))
        )
        .annotate(org=F("owner_id"), label=F("name"))
        .values("id", "org", "label", "backfill_due_on", "backfilled_at")
    )
    return _late_hits(rows, ctx, "backfilled_at", "backfill_due_on")


def closure_notice_short(ctx, th):
    """A deregistration approved before the 15th working day after the closure notice date."""
    from accounts.models import Account

    Filing = _filings()
    if not _has_field(Account, "closure_notice_on"):
        raise MissingModel("accounts.Account.closure_notice_on")
    workdays = int(th.get("workdays", 15))
    base = (
        Filing.objects.filter(kind="deregister", status="approved", decided_at__lt=ctx.end,
                              account__closure_notice_on__isnull=False)
        .filter(ctx.scope("account__owner"))
    )
    notice_dates = sorted(set(base.values_list("account__closure_notice_on", flat=True).distinct()))
    if not notice_dates:
        return []
    earliest = _due_map(notice_dates, workdays)
    earliest_expr = Case(*[When(account__closure_notice_on=d, then=Value(e)) for d, e in earliest.items()], output_field=DateField())
    rows = (
        base.annotate(earliest=earliest_expr, decided_on=_date_of("decided_at"))
        .filter(decided_on__lt=F("earliest"))
        .annotate(org=F("account__owner_id"), label=F("account__name"))
        .values("id", "org", "label", "decided_at", "earliest", "account__closure_notice_on", "account_id")
    )
    return [
        Hit(r["id"], r["org"], r["label"], {
            "account": r["account_id"], "closure_notice_on": _iso(r["account__closure_notice_on"]),
            "deregistered_on": _iso(_local_date(r["decided_at"])), "earliest_allowed": _iso(r["earliest"]),
            "workdays": workdays,
        }, past=True)
        for r in rows
    ]


def _due_map(dates, workdays: int) -> dict[dt.date, dt.date]:
    """add_workdays for each distinct date, with one calendar lookup for the whole span."""
    if not dates:
        return {}
    span_end = max(dates) + dt.timedelta(days=workdays * 2 + 30)
    calendar = Calendar(min(dates), span_end)
    result = {}
    for start in dates:
        current, counted = start, 0
        while counted < workdays:
            current += dt.timedelta(days=1)
            if calendar.day(current).is_workday:
                counted += 1
        result[start] = current
    return result


# --------------------------------------------------------------------------------- replies and disclosure


def error_report_late(ctx, th):
    rows = (
        ErrorReport.objects.filter(received_at__lt=ctx.end).filter(ctx.scope("site__owner"))
        .annotate(replied_on=_date_of("replied_at"))
        .filter(
            ((Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(replied_at__lt=ctx.end) & Q(replied_on__gt=F("due_on")))
        )
        .annotate(org=F("site__owner_id"), label=F("site__name"))
        .values("id", "org", "label", "due_on", "replied_at", "received_at")
    )
    for r in rows:
        r["received_on"] = _local_date(r.pop("received_at"))
    return _late_hits(rows, ctx, "replied_at", "due_on", ("received_on",))


def message_late(ctx, th):
    rows = (
        Message.objects.filter(valid=True, received_at__lt=ctx.end)
        .filter(ctx.scope("site__owner") | ctx.scope("account__owner") if ctx.include or ctx.exclude else Q())
        .annotate(replied_on=_date_of("replied_at"))
        .filter(
            ((Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(replied_at__lt=ctx.end) & Q(replied_on__gt=F("due_on")))
        )
        .annotate(org=Coalesce("site__owner_id", "account__owner_id"), label=Coalesce("site__name", "account__name"))
        .values("id", "org", "label", "due_on", "replied_at", "received_at", "reply_workdays")
    )
    rows = list(rows)
    for r in rows:
        r["received_on"] = _local_date(r.pop("received_at"))
    return _late_hits(rows, ctx, "replied_at", "due_on", ("received_on", "reply_workdays"))


def disclosure_late(ctx, th):
    Post = _model("publishing.Post")
    if Post is None or not _has_field(Post, "disclosure_required"):
        raise MissingModel("publishing.Post.disclosure_required")
    workdays = int(th.get("workdays", 20))
    base = Post.objects.filter(disclosure_required=True, made_on__isnull=False, made_on__lte=ctx.as_of).filter(ctx.scope("organisation"))
    made = sorted(set(base.order_by().values_list("made_on", flat=True).distinct()))
    due = _due_map(made, workdays)
    if not due:
        return []
    due_expr = Case(*[When(made_on=d, then=Value(e)) for d, e in due.items()], output_field=DateField())
    rows = (
        base.annotate(due_on=due_expr, published_on=_date_of("published_at"))
        .filter(
            ((Q(published_at__isnull=True) | Q(published_at__gte=ctx.end)) & Q(due_on__lt=ctx.as_of))
            | (Q(published_at__lt=ctx.end) & Q(published_on__gt=F("due_on")))
        )
        .annotate(org=F("organisation_id"), label=F("title"))
        .values("id", "org", "label", "due_on", "published_at", "made_on")
    )
    return _late_hits(rows, ctx, "published_at", "due_on", ("made_on",))


# -------------------------------------------------------------------------------------------------- sites


def _sites(ctx):
    from sites.models import Site

    return Site.objects.filter(status="running").filter(ctx.scope("owner"))


def site_columns_veto(ctx, th):
    key_categories = set(th.get("key_categories", ["news", "notice", "policy"]))
    counts: dict[int, dict] = {}
    for r in _columns_judged(ctx):
        c = counts.setdefault(r["site_id"], {"name": r["site__name"], "org": r["site__owner_id"], "key_stale": 0, "any_stale": 0, "blank": 0})
        if r["last"] is None:
            c["blank"] += 1
        else:
            c["any_stale"] += 1
            if r["category"] in key_categories:
                c["key_stale"] += 1
    limits = {"key_stale": int(th.get("key_stale", 5)), "any_stale": int(th.get("any_stale", 10)), "blank": int(th.get("blank", 5))}
    hits = []
    for site_id, c in counts.items():
        broken = [k for k, limit in limits.items() if c[k] >= limit]
        if broken:
            hits.append(Hit(site_id, c["org"], c["name"], {
                "key_stale": c["key_stale"], "any_stale": c["any_stale"], "blank": c["blank"], "limits": limits, "broken": broken,
            }, _first_found(ctx)))
    return hits


def homepage_stale(ctx, th):
    """No homepage update for 14 days. Where the homepage is only navigation, its second-level pages (the
    columns) count; where the homepage's own date is not known (never recorded, or only after `as_of`), the
    newest column update stands in for it."""
    from sites.models import Column, ColumnUpdate

    days = int(th.get("days", 14))
    cutoff = ctx.as_of - dt.timedelta(days=days)
    newest_column = (
        Column.objects.filter(site=OuterRef("pk"))
        .annotate(last=_last_as_of("last_updated_on", ColumnUpdate.objects.all(), "column", ctx))
        .order_by(F("last").desc(nulls_last=True)).values("last")[:1]
    )
    rows = (
        _sites(ctx).exclude(launched_on__gt=ctx.as_of)
        .annotate(
            homepage=Case(When(homepage_updated_on__lte=ctx.as_of, then=F("homepage_updated_on")), default=Value(None), output_field=DateField()),
            columns_last=Subquery(newest_column, output_field=DateField()),
            opened=Coalesce("launched_on", _date_of("created_at"), output_field=DateField()),
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
                "homepage_updated_on": _iso(r["homepage"]), "newest_column_update": _iso(r["columns_last"]),
                "judged_from": _iso(eff), "days": days, "homepage_is_navigation": r["homepage_is_navigation"],
            }, f"since:{_iso(eff)}"))
    return hits


def site_unreachable(ctx, th):
    Probe = _model("sites.Probe")
    if Probe is None:
        raise MissingModel("sites.Probe")
    window = int(th.get("window_days", 7))
    per_day = int(th.get("min_probes_per_day", 20))
    timeout_ms = int(float(th.get("timeout_seconds", 15)) * 1000)
    share = float(th.get("max_failure_share", 0.05))
    since = start_of_day(ctx.as_of - dt.timedelta(days=window - 1))
    failed = Q(probes__ok=False) | Q(probes__response_ms__gt=timeout_ms)
    in_window = Q(probes__checked_at__gte=since, probes__checked_at__lt=ctx.end)
    rows = (
        _sites(ctx)
        .annotate(total=Count("probes", filter=in_window), failed=Count("probes", filter=in_window & failed))
        .filter(total__gte=per_day * window)
        .values("id", "name", "owner_id", "total", "failed")
    )
    return [
        Hit(r["id"], r["owner_id"], r["name"], {
            "probes": r["total"], "failed": r["failed"], "failure_share": round(r["failed"] / r["total"], 4),
            "limit": share, "window_days": window, "from": _iso(ctx.as_of - dt.timedelta(days=window - 1)), "to": _iso(ctx.as_of),
        }, _first_found(ctx))
        for r in rows
        if r["total"] and r["failed"] / r["total"] >= share
    ]


def site_interaction_veto(ctx, th):
    """No working consultation channel, or a valid message left unanswered for more than 3 months (calendar
    months from the day received) within the past year: still unanswered, or answered only after that."""
    from sites.models import Site

    from .dates import add_months

    months = int(th.get("unanswered_months", 3))
    lookback = int(th.get("lookback_months", 12))
    window_start = start_of_day(add_months(ctx.as_of, -lookback))
    received_cutoff = stale_cutoff(ctx.as_of, {"months": months})
    in_window = Message.objects.filter(site__isnull=False, valid=True, received_at__gte=window_start, received_at__lt=ctx.end)
    in_window = in_window.filter(ctx.scope("site__owner"))
    received = sorted(set(
        in_window.filter(replied_at__lt=ctx.end).annotate(received_on=_date_of("received_at"))
        .values_list("received_on", flat=True).distinct()
    ))
    late_condition = Q(pk__in=[])
    if received:
        limit = Case(*[When(received_on=d, then=Value(add_months(d, months))) for d in received], output_field=DateField())
        late_ids = (
            in_window.filter(replied_at__lt=ctx.end)
            .annotate(received_on=_date_of("received_at"), replied_on=_date_of("replied_at"), limit=limit)
            .filter(replied_on__gt=F("limit")).values("site_id")
        )
        late_condition = Q(pk__in=late_ids)
    unanswered = in_window.filter(site=OuterRef("pk"), received_at__lt=start_of_day(received_cutoff)).filter(
        Q(replied_at__isnull=True) | Q(replied_at__gte=ctx.end)
    )
    channel = _has_field(Site, "has_consultation_channel")
    condition = Exists(unanswered) | late_condition
    if channel:
        condition |= Q(has_consultation_channel=False)
    rows = (
        _sites(ctx).annotate(unanswered=Exists(unanswered)).filter(condition)
        .values("id", "name", "owner_id", "unanswered", *(["has_consultation_channel"] if channel else []))
    )
    return [
        Hit(r["id"], r["owner_id"], r["name"], {
            "has_consultation_channel": r.get("has_consultation_channel", True),
            "message_unanswered_over_limit": r["unanswered"], "months": months, "lookback_months": lookback,
        }, _first_found(ctx))
        for r in rows
    ]


# --------------------------------------------------------------------------------------- rectification


def rectification_overdue(ctx, th):
    rows = (
        Finding.objects.filter(status=FindingStatus.OVERDUE, found_on__lte=ctx.as_of).exclude(rule="rectification_overdue")
        .filter(ctx.scope("organisation"))
        .values("id", "organisation_id", "rule", "subject_name", "due_on", "found_on")
    )
    return [
        Hit(r["id"], r["organisation_id"], f"{RULE_LABELS.get(r['rule'], r['rule'])} · {r['subject_name']}", {
            "finding": r["id"], "rule": r["rule"], "found_on": _iso(r["found_on"]), "due_on": _iso(r["due_on"]),
            "days_overdue": (ctx.as_of - r["due_on"]).days,
        })
        for r in rows
    ]


# ------------------------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class Rule:
    code: str
    subject_type: str
    check: Callable
    # The subjects in scope (found or not): open findings of subjects among them that no longer fire close.
    subjects: Callable
    # "subject": one unresolved finding per subject; "period": one per subject and period (weekly rule).
    dedupe: str = "subject"


def _column_subjects(ctx):
    from sites.models import Column

    return Column.objects.filter(ctx.scope("site__owner"))


def _account_subjects(ctx):
    from accounts.models import Account

    return Account.objects.filter(ctx.scope("owner"))


def _site_subjects(ctx):
    from sites.models import Site

    return Site.objects.filter(ctx.scope("owner"))


def _filing_subjects(ctx):
    return _filings().objects.filter(ctx.scope("account__owner"))


def _error_report_subjects(ctx):
    return ErrorReport.objects.filter(ctx.scope("site__owner"))


def _message_subjects(ctx):
    if not (ctx.include or ctx.exclude):
        return Message.objects.all()
    return Message.objects.filter(ctx.scope("site__owner") | ctx.scope("account__owner"))


def _post_subjects(ctx):
    Post = _model("publishing.Post")
    if Post is None:
        raise MissingModel("publishing.Post")
    return Post.objects.filter(ctx.scope("organisation"))


def _finding_subjects(ctx):
    return Finding.objects.filter(ctx.scope("organisation"))


RULES = [
    Rule("column_stale", SubjectType.COLUMN, column_stale, _column_subjects),
    Rule("column_blank", SubjectType.COLUMN, column_blank, _column_subjects),
    Rule("account_stale", SubjectType.ACCOUNT, account_stale, _account_subjects),
    Rule("account_weekly", SubjectType.ACCOUNT, account_weekly, _account_subjects, dedupe="period"),
    Rule("account_original", SubjectType.ACCOUNT, account_original, _account_subjects),
    Rule("filing_late", SubjectType.FILING, filing_late, _filing_subjects),
    Rule("backfill_late", SubjectType.ACCOUNT, backfill_late, _account_subjects),
    Rule("closure_notice_short", SubjectType.FILING, closure_notice_short, _filing_subjects),
    Rule("duplicate_platform", SubjectType.ACCOUNT, duplicate_platform, _account_subjects),
    Rule("internal_owner", SubjectType.ACCOUNT, internal_owner, _account_subjects),
    Rule("error_report_late", SubjectType.ERROR_REPORT, error_report_late, _error_report_subjects),
    Rule("message_late", SubjectType.MESSAGE, message_late, _message_subjects),
    Rule("disclosure_late", SubjectType.POST, disclosure_late, _post_subjects),
    Rule("repeat_notified", SubjectType.ACCOUNT, repeat_notified, _account_subjects),
    Rule("credential_rotation", SubjectType.ACCOUNT, credential_rotation, _account_subjects),
    Rule("account_no_interaction", SubjectType.ACCOUNT, account_no_interaction, _account_subjects),
    Rule("site_unreachable", SubjectType.SITE, site_unreachable, _site_subjects),
    Rule("homepage_stale", SubjectType.SITE, homepage_stale, _site_subjects),
    Rule("site_columns_veto", SubjectType.SITE, site_columns_veto, _site_subjects),
    Rule("site_interaction_veto", SubjectType.SITE, site_interaction_veto, _site_subjects),
    # Last: it reads the overdue state the run has just set.
    Rule("rectification_overdue", SubjectType.FINDING, rectification_overdue, _finding_subjects),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}
