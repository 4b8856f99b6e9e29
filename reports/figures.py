"""The compliance report of a region for a period: per site and per account the figures, the veto verdicts and
the score, the findings of the period, and the change from the period before.

Everything is computed from stored data with a fixed number of set-based queries (aggregates grouped per
subject; one query for the distinct update days of the period), so the cost does not grow in queries with the
number of subjects and any past period can be regenerated with the same result. The period is judged as of
its last day (or today for the running month): a reply given after the period ends does not change it.
"""
from __future__ import annotations

import datetime as dt
import gc
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Case, Count, DateField, F, Func, IntegerField, JSONField, OuterRef, Q, Subquery, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import LIVE_STATUSES, Account, AccountUpdate, Platform
from govmedia.core.parallel import alongside
from inspections.checks.evaluate import verdicts_as_of
from inspections.models import ErrorReport, Finding, Message
from organisations import access
from organisations.models import Organisation
from reports.models import ReportRevision
from reports.periods import Period
from rules import definitions, thresholds
from rules.countdown import column_judged
from rules.dates import SHANGHAI, add_months, stale_cutoff
from sites.models import BrokenLink, Column, ColumnUpdate, Probe, Site, SiteStatus

FULL_SCORE = 100.0
# The rules whose verdict a report takes from the inspection of the period's last day.
ACCOUNT_VERDICTS = ("account_stale", "account_original", "account_weekly", "account_no_interaction")
SITE_VERDICTS = ("site_unreachable", "homepage_stale", "site_columns_veto", "site_interaction_veto")
COLUMN_VERDICTS = ("column_stale", "column_blank")
PLATFORM_LABELS = dict(Platform.choices)


@dataclass
class Checklist:
    """The checklist items a report judges by, and the version it names."""

    version: dict | None
    items: dict  # code -> {"kind", "points", "thresholds", "name"}

    def threshold(self, code: str, key: str | None = None, default=None):
        item = self.items.get(code)
        # The rule's defaults fill what the item does not name (or the whole item, when the checklist lacks it).
        values = {**definitions.default_thresholds(code), **((item or {}).get("thresholds") or {})}
        if key is None:
            return values
        return values.get(key, default)

    def kind(self, code: str, default: str) -> str:
        item = self.items.get(code)
        return item["kind"] if item else default

    def points(self, code: str) -> float:
        item = self.items.get(code)
        return float(item["points"]) if item and item.get("enabled", True) else 0.0

    def enabled(self, code: str) -> bool:
        item = self.items.get(code)
        return item is None or item.get("enabled", True)


def checklist_for(organisation: Organisation, on: dt.date) -> Checklist:
    """The version in force for the report's organisation on the period's last day (local overrides apply)."""
    try:
        version = thresholds.version_for(organisation, on)
        items = thresholds.items_for(organisation, on)
    except thresholds.NoChecklist:
        return Checklist(version=None, items={})
    return Checklist(
        version={"id": version.pk, "name": version.name, "year": version.year},
        items={
            code: {"kind": i.kind, "points": i.points, "thresholds": i.thresholds, "name": i.name, "enabled": i.enabled}
            for code, i in items.items()
        },
    )


def scope_organisations(organisation: Organisation, user=None):
    """The organisations a report covers: `organisation` and everything below it, within the user's scope."""
    orgs = Organisation.objects.filter(path__startswith=organisation.path)
    if user is not None and not user.is_superuser:
        orgs = orgs.filter(pk__in=access.organisation_ids_for(user))
    return orgs


def _runs(anchor: int | None, days: list[int], as_of: int) -> int:
    """The longest run of consecutive days without an update, counted from `anchor` (the last update before
    the period, or the opening date) through the update days (sorted) to `as_of`; days as ordinals. A run of N
    days means the subject was stale (more than 14 days since the last update) on some day iff N ≥ 15."""
    if anchor is None:
        if not days:
            return 0
        anchor, days = days[0], days[1:]
    previous, longest = anchor, 0
    for day in days:
        if day <= previous or day > as_of:
            continue
        longest = max(longest, day - previous - 1)
        previous = day
    return max(longest, as_of - previous)


def _weeks(start: dt.date, as_of: dt.date) -> list[tuple[int, str]]:
    """The complete natural weeks (Mon–Sun) ending in [start, as_of]: (Monday's ordinal, ISO week key), once
    per report."""
    weeks = []
    sunday = start + dt.timedelta(days=(6 - start.weekday()))
    while sunday <= as_of:
        monday = sunday - dt.timedelta(days=6)
        iso = monday.isocalendar()
        weeks.append((monday.toordinal(), f"{iso.year}-W{iso.week:02d}"))
        sunday += dt.timedelta(days=7)
    return weeks


def _missed_weeks(days: set[int], weeks: list[tuple[int, str]], existed_from: int | None) -> list[str]:
    """Of `weeks`, those without an update (and in which the subject already existed), as ISO week keys; days
    as ordinals (ordinal 1 is a Monday, so a day's Monday is `day - (day - 1) % 7`)."""
    updated = {day - (day - 1) % 7 for day in days}
    return [key for monday, key in weeks if (existed_from is None or existed_from <= monday) and monday not in updated]


def _stream(queryset, size: int = 10000):
    """The rows of a values_list queryset, fetched in chunks (a server-side cursor on PostgreSQL) without the
    ORM's per-value converters: the month's distinct update days are hundreds of thousands of rows at a
    province's size. The second value, a date (PostgreSQL) or ISO text (SQLite), is given as its ordinal."""
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            for first, day, *rest in rows:
                yield (first, (dt.date.fromisoformat(day) if isinstance(day, str) else day).toordinal(), *rest)


class DayNumber(Func):
    """A date as Python's day ordinal (`date.toordinal()`: 1 is 1 January of year 1), on PostgreSQL."""

    template = "(%(expressions)s - DATE '0001-01-01' + 1)"
    output_field = IntegerField()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _subjects_compared(data: str, kind: str) -> str:
    return (f"(SELECT coalesce(jsonb_agg(jsonb_build_object('id', x->'id', 'score', x->'score', 'verdict', "
            f"x->'verdict', 'figures', jsonb_build_object('updates', x->'figures'->'updates'))), '[]'::jsonb) "
            f"FROM jsonb_array_elements({data}->'{kind}') x)")


# An issued report as far as the comparison reads it (ReportBuilder._compare), on PostgreSQL.
_COMPARED_SQL = (
    "jsonb_build_object('period', {data}->'period', 'totals', {data}->'totals', "
    f"'accounts', {_subjects_compared('{data}', 'accounts')}, 'sites', {_subjects_compared('{data}', 'sites')}, "
    "'units', (SELECT coalesce(jsonb_agg(jsonb_build_object('organisation', u->'organisation', 'rank', u->'rank', "
    "'average_score', u->'average_score')), '[]'::jsonb) FROM jsonb_array_elements({data}->'units') u))"
)


class ReportBuilder:
    """Builds the report dict of one organisation's region for one period (see `build_report`)."""

    def __init__(self, organisation: Organisation, period: Period, *, user=None, today: dt.date | None = None,
                 progress=None, comparison_only: bool = False):
        self.organisation = organisation
        # The month before, built only for the comparison (`_compare`): its verdicts, scores and totals, without
        # the figures nothing compares (update days, gaps, weeks, columns, availability).
        self.comparison_only = comparison_only
        self.period = period
        self.user = user
        today = today or timezone.localdate()
        self.today = today
        self.as_of = min(period.end, today)
        self.complete = period.end < today
        self.orgs = scope_organisations(organisation, user)
        self.checklist = checklist_for(organisation, period.end)
        self.progress = progress or (lambda step, total, text: None)
        self.start_at = period.start_at
        self.end_at = timezone.make_aware(dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time.min))
        self._verdicts = None
        self._column_verdicts = None

    # --- verdicts -------------------------------------------------------------------------------------------
    def verdicts(self) -> dict:
        """The inspection's hits as of the period's last day, for every rule a report judges a subject by."""
        if self._verdicts is None:
            self._verdicts, self._column_verdicts = verdicts_as_of(
                self.organisation, self.as_of, ACCOUNT_VERDICTS + SITE_VERDICTS, COLUMN_VERDICTS)
        return self._verdicts

    def column_verdicts(self) -> dict[str, Counter]:
        """Per column rule, how many of each site's columns the inspection of the period's last day finds (the
        report counts them per site; each column's evidence is the inspection's to show): found with the other
        verdicts, from the query the site veto counts (inspections.checks.evaluate.verdicts_as_of)."""
        self.verdicts()
        return self._column_verdicts

    def _verdicts_for(self, codes, subject_id: int) -> list:
        found = self.verdicts()
        return [(code, found[code][subject_id].detail) for code in codes if subject_id in found[code]]

    # --- accounts -------------------------------------------------------------------------------------------
    def account_queryset(self):
        """The accounts the report covers: live, in scope, existing by the period's end (opening date, else when
        entered): a later one never appears in a past report."""
        return (
            Account.objects.filter(owner__in=self.orgs.values("pk"), status__in=LIVE_STATUSES)
            .filter(Q(opened_on__isnull=True, created_at__lt=self.end_at) | Q(opened_on__lte=self.as_of))
        )

    def _last_update_before(self, model, subject: str, **extra):
        """The local day of the outer subject's newest update before the period: one step down its
        (subject, -published_at) index, so the cost is one probe per subject, not the whole update history."""
        return Subquery(
            model.objects.filter(**{subject: OuterRef("pk")}, published_at__lt=self.start_at, **extra)
            .order_by("-published_at").annotate(day=TruncDate("published_at", tzinfo=SHANGHAI)).values("day")[:1],
            output_field=DateField(),
        )

    def accounts(self) -> list[dict]:
        start_at, end_at = self.start_at, self.end_at
        light = self.comparison_only
        subjects = self.account_queryset()
        rows = (
            subjects
            .values("pk", "name", "platform", "status", "owner_id", "owner__name", "has_interaction", "opened_on")
            .annotate(**({} if light else {
                "created_on": TruncDate("created_at", tzinfo=SHANGHAI),
                "last_before": self._last_update_before(AccountUpdate, "account"),
                "last_original_before": self._last_update_before(AccountUpdate, "account", original=True),
            }))
            .order_by("owner__path", "platform", "name", "pk")
        )
        ids = subjects.values("pk")
        in_month = Q(published_at__gte=start_at)
        # The days (gaps, weeks) only for the month's own report: the comparison reads none. On PostgreSQL the
        # month's counts come with the days (one grouped pass over the updates from the Monday before).
        with_days = not light and connection.vendor == "postgresql"
        counts: dict[int, dict] = {}
        if not with_days:
            # The month's counts: one grouped pass over the period's updates only (bounded by the month).
            counts = {
                r["account_id"]: r
                for r in AccountUpdate.objects.filter(account_id__in=ids, published_at__gte=start_at, published_at__lt=end_at)
                .values("account_id")
                .annotate(n=Count("pk"), originals=Count("pk", filter=Q(original=True)))
                .order_by()
            }
        # Distinct (account, local day, original) from the Monday before the period: gaps and whole weeks.
        # `.order_by()`: the model's default ordering would otherwise join the DISTINCT and return every update.
        days: dict[int, set] = defaultdict(set)
        original_days: dict[int, set] = defaultdict(set)
        week_from = timezone.make_aware(dt.datetime.combine(self.period.start - dt.timedelta(days=6), dt.time.min))
        updates = (
            AccountUpdate.objects.filter(account_id__in=ids, published_at__gte=week_from, published_at__lt=end_at)
            .annotate(day=TruncDate("published_at", tzinfo=SHANGHAI))
        )
        if with_days:
            # One row per account with its days as arrays of ordinals: the database does the DISTINCT, the
            # grouping and the day numbers (no date object per pair).
            updates = updates.annotate(day_number=DayNumber("day"))
            grouped = (
                updates.values("account_id").order_by()
                .annotate(days=ArrayAgg("day_number", distinct=True),
                          original_days=ArrayAgg("day_number", distinct=True, filter=Q(original=True), default=[]),
                          n=Count("pk", filter=in_month), originals=Count("pk", filter=in_month & Q(original=True)))
                .values_list("account_id", "days", "original_days", "n", "originals")
            )
            sql, params = grouped.query.sql_with_params()
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql, params)
                while chunk := cursor.fetchmany(5000):
                    for account_id, all_days, originals, n, n_originals in chunk:
                        days[account_id] = set(all_days)
                        original_days[account_id] = set(originals or ())
                        if n:
                            counts[account_id] = {"n": n, "originals": n_originals}
        elif not light:
            for account_id, day, original in _stream(updates.values_list("account_id", "day", "original").order_by().distinct()):
                days[account_id].add(day)
                if original:
                    original_days[account_id].add(day)
        messages = self._message_figures(Message.objects.filter(account_id__in=ids), "account_id")
        result = []
        weeks = _weeks(self.period.start, self.as_of)
        no_updates = {"n": 0, "originals": 0}
        # Days as ordinals: a province's month is hundreds of thousands of (account, day) pairs.
        first_day, as_of = self.period.start.toordinal(), self.as_of.toordinal()

        def ordinal(day):
            return day.toordinal() if day else None

        for r in rows.iterator(chunk_size=5000):
            counted = counts.get(r["pk"], no_updates)
            if light:
                figures = {"updates": counted["n"], "originals": counted["originals"],
                           **messages.get(r["pk"], self._empty_messages())}
                result.append({"id": r["pk"], "organisation": r["owner_id"], "organisation_name": r["owner__name"],
                               "figures": figures, "_direct": self._account_reasons(r["pk"], figures)})
                continue
            opened = ordinal(r["opened_on"] or r["created_on"])
            anchor = ordinal(r["last_before"]) or opened
            anchor_original = ordinal(r["last_original_before"]) or opened
            in_period = sorted(d for d in days[r["pk"]] if d >= first_day)
            in_period_original = sorted(d for d in original_days[r["pk"]] if d >= first_day)
            gap = _runs(anchor, in_period, as_of)
            original_gap = _runs(anchor_original, in_period_original, as_of)
            missed = _missed_weeks(days[r["pk"]], weeks, opened)
            figures = {
                "updates": counted["n"],
                "update_days": len(in_period),
                "originals": counted["originals"],
                "longest_gap_days": gap,
                "longest_original_gap_days": original_gap,
                "weeks_without_update": missed,
                "has_interaction": r["has_interaction"],
                **messages.get(r["pk"], self._empty_messages()),
            }
            result.append({
                "id": r["pk"], "name": r["name"], "platform": r["platform"],
                "platform_label": PLATFORM_LABELS.get(r["platform"], r["platform"]),
                "status": r["status"], "organisation": r["owner_id"], "organisation_name": r["owner__name"],
                "figures": figures, "_direct": self._account_reasons(r["pk"], figures),
            })
        return result

    def _account_reasons(self, account_id: int, figures: dict) -> list:
        """The verdicts are the inspection's of the period's last day (inspections.checks, the same rule
        definitions and the thresholds in force for the account's unit); the figures describe the month."""
        direct = self._verdicts_for(ACCOUNT_VERDICTS, account_id)
        if figures["messages_late"] or figures["messages_overdue"]:
            direct.append(("message_late", {"late": figures["messages_late"], "overdue": figures["messages_overdue"]}))
        return direct

    # --- sites ----------------------------------------------------------------------------------------------
    def sites(self) -> list[dict]:
        start_at, end_at = self.start_at, self.end_at
        subjects = (
            Site.objects.filter(owner__in=self.orgs.values("pk"), status=SiteStatus.RUNNING)
            .filter(Q(launched_on__isnull=True, created_at__lt=end_at) | Q(launched_on__lte=self.as_of))
        )
        rows = list(
            subjects.values("pk", "name", "url", "owner_id", "owner__name", "has_consultation_channel")
            .order_by("owner__path", "name", "pk")
        )
        ids = subjects.values("pk")
        # The month's probes only (a grouped pass bounded by the period, not a join over every probe ever made).
        probes = {} if self.comparison_only else {
            r["site_id"]: r
            for r in Probe.objects.filter(site_id__in=ids, checked_at__gte=start_at, checked_at__lt=end_at)
            .values("site_id").annotate(total=Count("pk"), failed=Count("pk", filter=Q(ok=False))).order_by()
        }
        column_updates = dict(
            ColumnUpdate.objects.filter(column__site_id__in=ids, published_at__gte=start_at, published_at__lt=end_at)
            .values("column__site_id").annotate(n=Count("pk")).order_by().values_list("column__site_id", "n")
        )
        # Figures only the month's own report shows (availability above too): not read by the comparison.
        columns = {} if self.comparison_only else self._column_states(ids)
        long_unanswered = {} if self.comparison_only else self._long_unanswered(ids)
        messages = self._message_figures(Message.objects.filter(site_id__in=ids), "site_id")
        errors = self._message_figures(ErrorReport.objects.filter(site_id__in=ids), "site_id", valid=False)
        broken = {
            row["site_id"]: row
            for row in BrokenLink.objects.filter(site_id__in=ids, first_seen_at__lt=end_at)
            .values("site_id")
            .order_by()
            .annotate(
                found=Count("pk", filter=Q(first_seen_at__gte=start_at)),
                open_at_end=Count("pk", filter=Q(fixed_at__isnull=True) | Q(fixed_at__gte=end_at)),
            )
        }
        column_hits = self.column_verdicts()
        result = []
        for r in rows:
            probed = probes.get(r["pk"], {"total": 0, "failed": 0})
            total, failed = probed["total"], probed["failed"]
            col = columns.get(r["pk"], {"columns": 0, "stale": 0, "key_stale": 0, "blank": 0})
            link = broken.get(r["pk"], {"found": 0, "open_at_end": 0})
            figures = {
                "updates": column_updates.get(r["pk"], 0),
                "columns": col["columns"], "stale_columns": col["stale"], "stale_key_columns": col["key_stale"],
                "blank_columns": col["blank"],
                "probes": total, "probes_failed": failed, "availability": None if not total else round(1 - failed / total, 4),
                "availability_percent": None if not total else round(100 * (1 - failed / total), 1),
                "broken_links_found": link["found"], "broken_links_open": link["open_at_end"],
                "has_consultation_channel": r["has_consultation_channel"],
                "messages_unanswered_over_limit": long_unanswered.get(r["pk"], 0),
                **messages.get(r["pk"], self._empty_messages()),
                **{f"error_reports_{k.removeprefix('messages_')}": v for k, v in errors.get(r["pk"], self._empty_messages()).items()},
            }
            direct = self._verdicts_for(SITE_VERDICTS, r["pk"])
            for code in ("column_stale", "column_blank"):
                columns_found = column_hits[code][r["pk"]]
                if columns_found:
                    direct.append((code, {"columns": columns_found}))
            if figures["messages_late"] or figures["messages_overdue"]:
                direct.append(("message_late", {"late": figures["messages_late"], "overdue": figures["messages_overdue"]}))
            if figures["error_reports_late"] or figures["error_reports_overdue"]:
                direct.append(("error_report_late", {"late": figures["error_reports_late"],
                                                     "overdue": figures["error_reports_overdue"]}))
            result.append({
                "id": r["pk"], "name": r["name"], "url": r["url"], "organisation": r["owner_id"],
                "organisation_name": r["owner__name"], "figures": figures, "_direct": direct,
            })
        return result

    def _column_states(self, site_ids: list[int]) -> dict[int, dict]:
        """Per site, as of the period's last day: columns, stale ones (key categories apart) and blank ones.

        One grouped query: each column's newest update up to the period's end (rules.countdown.column_judged: the
        denormalised last-update date when it is not later, else one correlated subquery), and "stale" is that
        day (or, for a blank column, its opening date) before its category's cutoff."""
        periods = self.checklist.threshold("column_stale", "periods")
        key_categories = list(self.checklist.threshold("site_columns_veto", "key_categories"))
        stale = Q(pk__in=[])
        categories = {c for c, _label in Column._meta.get_field("category").choices}
        for category in categories:
            period = periods.get(category) or periods.get("other")
            if not isinstance(period, dict):
                continue
            cutoff = stale_cutoff(self.as_of, period)
            cutoff_at = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
            never = Q(last__isnull=True) & (
                Q(opened_on__lt=cutoff) | Q(opened_on__isnull=True, created_at__lt=cutoff_at)
            )
            stale |= Q(category=category) & (Q(last__lt=cutoff) | never)
        judged = column_judged(
            Column.objects.filter(site_id__in=site_ids)
            .filter(Q(opened_on__isnull=True, created_at__lt=self.end_at) | Q(opened_on__lte=self.as_of)),
            self.as_of,
        )
        rows = (
            judged.annotate(last=F("judged_last"))
            .values("site_id")
            .annotate(
                columns=Count("pk"),
                blank=Count("pk", filter=Q(last__isnull=True)),
                stale=Count("pk", filter=stale),
                key_stale=Count("pk", filter=stale & Q(category__in=key_categories)),
            )
            .order_by()
        )
        return {r["site_id"]: {k: r[k] for k in ("columns", "stale", "key_stale", "blank")} for r in rows}

    def _long_unanswered(self, site_ids: list[int]) -> dict[int, int]:
        """Valid messages received in the year before the period's end and still unanswered more than the
        checklist's limit (3 months) after they came in (checklist veto 互动回应差)."""
        months = int(self.checklist.threshold("site_interaction_veto", "unanswered_months"))
        lookback = int(self.checklist.threshold("site_interaction_veto", "lookback_months"))
        year_ago = timezone.make_aware(dt.datetime.combine(add_months(self.as_of, -lookback), dt.time.min))
        limit = timezone.make_aware(dt.datetime.combine(add_months(self.as_of, -months), dt.time.min))
        return dict(
            Message.objects.filter(site_id__in=site_ids, valid=True, received_at__gte=year_ago, received_at__lt=limit)
            .filter(Q(replied_at__isnull=True) | Q(replied_at__gte=self.end_at))
            .values("site_id").annotate(n=Count("pk")).order_by().values_list("site_id", "n")
        )

    @staticmethod
    def _empty_messages() -> dict:
        return {"messages_received": 0, "messages_on_time": 0, "messages_late": 0, "messages_overdue": 0, "messages_pending": 0}

    def _message_figures(self, queryset, key: str, valid: bool = True) -> dict[int, dict]:
        """Received in the period; of those, answered by their due day, answered late, past due and unanswered
        at the period's end, and not yet due — all judged as of the period's end."""
        end_at, as_of = self.end_at, self.as_of
        if valid:
            queryset = queryset.filter(valid=True)
        replied = Q(replied_at__isnull=False, replied_at__lt=end_at)
        rows = (
            queryset.filter(received_at__gte=self.start_at, received_at__lt=end_at)
            .values(key)
            .order_by()
            .annotate(
                received=Count("pk"),
                replied_in=Count("pk", filter=replied),
                unanswered_overdue=Count("pk", filter=~replied & Q(due_on__lt=as_of)),
                unanswered_pending=Count("pk", filter=~replied & Q(due_on__gte=as_of)),
            )
        )
        result = {row[key]: row for row in rows}
        # On time = replied on or before the due day (Asia/Shanghai): one query over the replied ones' dates.
        on_time: dict[int, int] = defaultdict(int)
        for subject, replied_day, due in (
            queryset.filter(received_at__gte=self.start_at, received_at__lt=end_at).filter(replied)
            .annotate(replied_day=TruncDate("replied_at", tzinfo=SHANGHAI))
            .values_list(key, "replied_day", "due_on")
        ):
            if replied_day <= due:
                on_time[subject] += 1
        return {
            subject: {
                "messages_received": row["received"],
                "messages_on_time": on_time[subject],
                "messages_late": row["replied_in"] - on_time[subject],
                "messages_overdue": row["unanswered_overdue"],
                "messages_pending": row["unanswered_pending"],
            }
            for subject, row in result.items()
        }

    # --- findings ---------------------------------------------------------------------------------------------
    def findings(self) -> list[dict]:
        """Findings of the scope that were unresolved at some time in the period (found by then, not rectified
        before it began), a column's with its site (one index probe per column finding in the same query)."""
        start, end = self.period.start, self.as_of
        site_of_column = Subquery(Column.objects.filter(pk=OuterRef("subject_id")).values("site_id")[:1])
        rows = list(
            Finding.objects.filter(organisation__in=self.orgs.values("pk"), found_on__lte=end)
            .filter(Q(rectified_on__isnull=True) | Q(rectified_on__gte=start))
            .annotate(column_site=Case(When(subject_type="column", then=site_of_column), default=None))
            .values("pk", "rule", "severity", "subject_type", "subject_id", "subject_name", "organisation_id",
                    "organisation__name", "found_on", "due_on", "rectified_on", "status", "column_site")
            .order_by("organisation__path", "found_on", "pk")
        )
        out = []
        for r in rows:
            # A rectification after the period's end is not yet known to the period's report.
            rectified_on = r["rectified_on"] if r["rectified_on"] and r["rectified_on"] <= end else None
            out.append({
                "id": r["pk"], "rule": r["rule"], "rule_label": definitions.label(r["rule"]), "severity": r["severity"],
                "subject_type": r["subject_type"], "subject_id": r["subject_id"], "subject_name": r["subject_name"],
                "organisation": r["organisation_id"], "organisation_name": r["organisation__name"],
                "found_on": r["found_on"].isoformat(), "due_on": r["due_on"].isoformat(),
                "rectified_on": rectified_on.isoformat() if rectified_on else None,
                # The status as it stood at the period's end, so an old report does not change later.
                "status": self._status_at_end(r),
                "opened_in_period": start <= r["found_on"] <= end,
                "rectified_in_period": bool(rectified_on and start <= rectified_on <= end),
                "overdue_in_period": start <= r["due_on"] <= end and (rectified_on is None or rectified_on > r["due_on"])
                and r["due_on"] < end,
                "site": r["column_site"],
            })
        return out

    def _status_at_end(self, r: dict) -> str:
        if r["rectified_on"] and r["rectified_on"] <= self.as_of:
            return "rectified"
        return "overdue" if r["due_on"] < self.as_of else "open"

    # --- assembly ---------------------------------------------------------------------------------------------
    def _judge(self, subject: dict, findings: list[dict], subject_type: str) -> None:
        """Verdict and score of one subject from its direct checks and the findings on it in the period."""
        if not subject["_direct"] and not findings:
            # Most subjects of a province: nothing against them (no reason to sort, no points to add up).
            del subject["_direct"]
            subject.update(vetoes=[], deductions=[], score=FULL_SCORE, verdict="pass", findings=[], findings_opened=0,
                           findings_rectified=0, findings_overdue=0)
            return
        reasons: dict[str, dict] = {}
        for code, detail in subject.pop("_direct"):
            if self.checklist.enabled(code):
                reasons[code] = {"rule": code, "label": definitions.label(code), "detail": detail, "source": "figures"}
        for f in findings:
            reasons.setdefault(f["rule"], {"rule": f["rule"], "label": f["rule_label"], "detail": {"finding": f["id"]},
                                           "source": "finding", "severity": f["severity"]})
        vetoes, deductions = [], []
        for code, reason in sorted(reasons.items()):
            default = reason.get("severity") or ("veto" if code in definitions.VETO_CODES else "deduction")
            kind = self.checklist.kind(code, default)
            if kind == "veto":
                vetoes.append(reason)
            elif kind == "deduction":
                deductions.append({**reason, "points": self.checklist.points(code)})
        subject["vetoes"] = vetoes
        subject["deductions"] = deductions
        subject["score"] = round(max(0.0, FULL_SCORE - sum(d["points"] for d in deductions)), 1)
        subject["verdict"] = "fail" if vetoes else "pass"
        subject["findings"] = [f["id"] for f in findings]
        subject["findings_opened"] = sum(1 for f in findings if f["opened_in_period"])
        subject["findings_rectified"] = sum(1 for f in findings if f["rectified_in_period"])
        subject["findings_overdue"] = sum(1 for f in findings if f["overdue_in_period"])

    def build(self, with_previous: bool = True) -> dict:
        # The month before, for the comparison: as issued, else built for it alone — beside this month's build
        # on a connection of its own where that sees the same data (govmedia.core.parallel), so that one's
        # Python runs while the other waits on the database.
        previous = None
        if with_previous:
            issued = self._issued_previous()
            previous = (lambda: issued) if issued is not None else alongside(self._comparison_build)
        self.progress(1, 5, "统计账号更新与互动")
        accounts = self.accounts()
        self.progress(2, 5, "统计网站栏目、可用性与错链")
        sites = self.sites()
        self.progress(3, 5, "汇总检查发现的问题")
        findings = self.findings()
        by_subject: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for f in findings:
            if f["subject_type"] in ("site", "account"):
                by_subject[(f["subject_type"], f["subject_id"])].append(f)
            elif f["subject_type"] == "column" and f["site"]:
                by_subject[("site", f["site"])].append(f)
        for a in accounts:
            self._judge(a, by_subject[("account", a["id"])], "account")
        for s in sites:
            self._judge(s, by_subject[("site", s["id"])], "site")
        units = self._units(accounts, sites, findings)
        report = {
            "kind": "quarterly" if self.period.is_quarter else "monthly",
            "organisation": {"id": self.organisation.pk, "name": self.organisation.name},
            "period": {"key": self.period.key, "label": self.period.label, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(), "as_of": self.as_of.isoformat(), "complete": self.complete},
            "checklist_version": self.checklist.version,
            "totals": self._totals(accounts, sites, findings),
            "units": units,
            "sites": sites,
            "accounts": accounts,
            "findings": findings,
        }
        if previous is not None:
            self.progress(4, 5, "对比上期")
            self._compare(report, previous())
        self.progress(5, 5, "完成")
        return report

    def _comparison_build(self) -> dict:
        """The month before as far as `_compare` reads it (with JIT off on whichever connection builds it)."""
        with without_jit():
            return ReportBuilder(self.organisation, self.period.previous(), user=self.user, today=self.today,
                                 comparison_only=True).build(with_previous=False)

    def _issued_previous(self) -> dict | None:
        """Last month as issued (its newest revision), when the report covers the whole region it was issued
        for: the change is measured against what was issued, and last month is not built a second time."""
        if self.period.is_quarter or (self.user is not None and not access.covers_region(self.user, self.organisation)):
            return None
        revisions = ReportRevision.objects.filter(organisation=self.organisation, period=self.period.previous().key)
        if connection.vendor != "postgresql":
            return revisions.order_by("-revision").values_list("data", flat=True).first()
        # What `_compare` reads of it, cut out by the database: a region's issued month is megabytes of JSON
        # (decoding all of it cost more than building the month again for the comparison).
        compared = RawSQL(_COMPARED_SQL.format(data=f'"{ReportRevision._meta.db_table}"."data"'), [],
                          output_field=JSONField())
        return revisions.order_by("-revision").annotate(compared=compared).values_list("compared", flat=True).first()

    def _units(self, accounts, sites, findings) -> list[dict]:
        units: dict[int, dict] = {}

        def unit(org_id, name):
            return units.setdefault(org_id, {
                "organisation": org_id, "organisation_name": name, "sites": 0, "accounts": 0, "failing_sites": 0,
                "failing_accounts": 0, "scores": [], "findings_opened": 0, "findings_rectified": 0,
                "findings_overdue": 0, "findings_unresolved": 0,
            })

        for s in sites:
            u = unit(s["organisation"], s["organisation_name"])
            u["sites"] += 1
            u["failing_sites"] += s["verdict"] == "fail"
            u["scores"].append(s["score"])
        for a in accounts:
            u = unit(a["organisation"], a["organisation_name"])
            u["accounts"] += 1
            u["failing_accounts"] += a["verdict"] == "fail"
            u["scores"].append(a["score"])
        for f in findings:
            u = unit(f["organisation"], f["organisation_name"])
            u["findings_opened"] += f["opened_in_period"]
            u["findings_rectified"] += f["rectified_in_period"]
            u["findings_overdue"] += f["overdue_in_period"]
            u["findings_unresolved"] += f["status"] != "rectified"
        for u in units.values():
            scores = u.pop("scores")
            u["average_score"] = round(sum(scores) / len(scores), 1) if scores else None
            u["failing"] = u["failing_sites"] + u["failing_accounts"]
        for u in units.values():
            subjects = u["sites"] + u["accounts"]
            u["failing_share"] = round(u["failing"] / subjects, 4) if subjects else 0.0

        # Ranked: smallest share of failing subjects (a unit with many accounts is not punished for having
        # them), then best average score, then fewest unresolved findings.
        def order(u):
            score = u["average_score"] if u["average_score"] is not None else FULL_SCORE
            return (u["failing_share"], -score, u["findings_unresolved"], u["organisation_name"])

        ranked = sorted(units.values(), key=order)
        for position, u in enumerate(ranked, start=1):
            u["rank"] = position
        return ranked

    @staticmethod
    def _totals(accounts, sites, findings) -> dict:
        scores = [x["score"] for x in (*sites, *accounts)]
        return {
            "sites": len(sites), "accounts": len(accounts),
            "failing_sites": sum(s["verdict"] == "fail" for s in sites),
            "failing_accounts": sum(a["verdict"] == "fail" for a in accounts),
            "average_score": round(sum(scores) / len(scores), 1) if scores else None,
            "account_updates": sum(a["figures"]["updates"] for a in accounts),
            "account_originals": sum(a["figures"]["originals"] for a in accounts),
            "site_updates": sum(s["figures"]["updates"] for s in sites),
            "messages_received": sum(x["figures"]["messages_received"] for x in (*sites, *accounts)),
            "messages_on_time": sum(x["figures"]["messages_on_time"] for x in (*sites, *accounts)),
            "error_reports_received": sum(s["figures"]["error_reports_received"] for s in sites),
            "error_reports_on_time": sum(s["figures"]["error_reports_on_time"] for s in sites),
            "broken_links_found": sum(s["figures"]["broken_links_found"] for s in sites),
            "findings_opened": sum(f["opened_in_period"] for f in findings),
            "findings_rectified": sum(f["rectified_in_period"] for f in findings),
            "findings_overdue": sum(f["overdue_in_period"] for f in findings),
            "findings_unresolved": sum(f["status"] != "rectified" for f in findings),
        }

    @staticmethod
    def _compare(report: dict, previous: dict) -> None:
        report["previous"] = {"period": previous["period"], "totals": previous["totals"]}
        report["change"] = {
            key: round(value - previous["totals"][key], 1) if isinstance(value, (int, float)) and isinstance(previous["totals"].get(key), (int, float)) else None
            for key, value in report["totals"].items()
        }
        for kind in ("sites", "accounts"):
            before = {x["id"]: x for x in previous[kind]}
            for x in report[kind]:
                old = before.get(x["id"])
                x["previous_score"] = old["score"] if old else None
                x["previous_verdict"] = old["verdict"] if old else None
                x["score_change"] = round(x["score"] - old["score"], 1) if old else None
                x["updates_change"] = x["figures"]["updates"] - old["figures"]["updates"] if old else None
        before_units = {u["organisation"]: u for u in previous["units"]}
        for u in report["units"]:
            old = before_units.get(u["organisation"])
            u["previous_rank"] = old["rank"] if old else None
            u["previous_average_score"] = old["average_score"] if old else None


@contextmanager
def without_jit():
    """On PostgreSQL, the build's queries without JIT compilation: they are many short index probes whose
    estimated cost crosses the JIT threshold, and compiling them costs more than running them (measured: about
    0.2 s a query at a county's size). Session-wide for the build's duration, not a transaction: the export's
    progress, written meanwhile, must stay visible to the page and the sweeper."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


@contextmanager
def without_gc():
    """Python's cyclic garbage collector paused while a report is shaped: a province's build allocates
    hundreds of thousands of dicts and lists without cycles, and each collection of the oldest generation walks
    them all again (measured: 40 % of the build's Python time at a fifth of a province). Resumed after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_report(organisation: Organisation, period: Period, *, user=None, progress=None, today=None) -> dict:
    """The report of `organisation` and everything below it (within `user`'s scope) for `period`."""
    with without_jit(), without_gc():
        return ReportBuilder(organisation, period, user=user, progress=progress, today=today).build()
