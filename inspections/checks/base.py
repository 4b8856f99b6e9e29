"""What every check shares: the run's context (date, group of organisations, thresholds in force), a hit, the
binding of a check to its rule definition, and the date expressions the checks build their queries from.

A check is a function `(ctx, thresholds) -> list[Hit]` that asks the database a fixed number of queries about
everything in scope as of `ctx.as_of`; Python only shapes the rows that come back. A check made from `rows`
(`Check.of_rows`) has the database shape its hits too, evidence included (`as_hits`), so that a run can record
them without reading them. Working-day deadlines are either stored when the subject is recorded (`due_on`) or
computed once per distinct date, never per subject.

"As of" a past date: the denormalised last-update dates answer when they are not after `as_of`; otherwise a
correlated subquery (only for those rows) finds the newest update published up to the end of `as_of`.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Callable

from django.db.models import CharField, DateField, F, Func, JSONField, Q, Value
from django.db.models.functions import Coalesce, Concat, JSONObject, TruncDate

from govmedia.core.workdays import Calendar
from organisations.access import under_paths
from rules import countdown
from rules.dates import SHANGHAI, end_of_day
from rules.definitions import Rule, default_thresholds


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
    # Every item in force for this group: a check may read another rule's thresholds (column periods).
    items: dict = field(default_factory=dict)

    def thresholds(self, code: str) -> dict:
        """The thresholds in force for `code`: its item's, over the definition's defaults."""
        item = self.items.get(code)
        return {**default_thresholds(code), **(item.thresholds if item else {})}

    @property
    def end(self) -> dt.datetime:
        return end_of_day(self.as_of)

    def scope(self, organisation_lookup: str) -> Q:
        """Subjects whose organisation (reached by `organisation_lookup`) is in this group."""
        q = Q()
        if self.include:
            q &= Q(**{f"{organisation_lookup}__path__startswith": self.include})
        if self.exclude:
            q &= ~under_paths(self.exclude, f"{organisation_lookup}__path")
        return q


@dataclass(frozen=True)
class Check:
    """A rule definition (code, label, subject type, severity, defaults) and the code that applies it."""

    rule: Rule
    check: Callable
    # The subjects in scope (found or not): open findings of subjects among them that no longer fire close.
    subjects: Callable
    # "subject": one unresolved finding per subject; "period": one per subject and period (weekly rule).
    dedupe: str = "subject"
    # `(ctx, thresholds) -> queryset of hit rows` (`as_hits`) for a check whose hits the database builds whole,
    # evidence included: `check` reads those rows, and a run on PostgreSQL wraps the same query in one
    # INSERT … SELECT (inspections.services) instead of sending each finding through Python.
    rows: Callable | None = None

    @classmethod
    def of_rows(cls, rule: Rule, rows: Callable, subjects: Callable, **kwargs) -> Check:
        return cls(rule, lambda ctx, th: hits_of(rows(ctx, th)), subjects, rows=rows, **kwargs)

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def subject_type(self) -> str:
        return self.rule.subject_type

    def thresholds(self, item_thresholds: dict) -> dict:
        return {**default_thresholds(self.code), **(item_thresholds or {})}

    def run(self, ctx: Context, item_thresholds: dict) -> list[Hit]:
        """The hits as of `ctx.as_of`, by the item's thresholds over the definition's defaults."""
        return self.check(ctx, self.thresholds(item_thresholds))


# The columns of a check's hit rows (`as_hits`), named apart from any model field.
HIT_FIELDS = ("hit_subject", "hit_unit", "hit_name", "hit_period", "hit_detail")


def as_hits(queryset, *, unit, name, period, detail: dict, subject="pk"):
    """A check's rows shaped as hits by the database: subject, responsible unit, name, period key and the
    evidence as one JSON object (`detail`: key -> expression). One definition serves both ways a hit is used:
    read into Python (`hits_of`: reports, SQLite) and inserted as a finding in the database."""
    return queryset.order_by().annotate(
        hit_subject=F(subject), hit_unit=unit, hit_name=name, hit_period=period,
        hit_detail=JSONObject(**detail),
    ).values(*HIT_FIELDS)


def hits_of(rows) -> list[Hit]:
    return [Hit(r["hit_subject"], r["hit_unit"], r["hit_name"], r["hit_detail"], r["hit_period"]) for r in rows]


def since(expression):
    """The period key of a staleness episode: "since:<the date it runs from>"."""
    return Concat(Value("since:"), IsoDate(expression), output_field=CharField())


class IsoDate(Func):
    """A date as YYYY-MM-DD text, whatever the session's DateStyle."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char(({sql}), 'YYYY-MM-DD')", params

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])  # dates are stored as that text already


class JSONLiteral(Func):
    """A constant JSON value (an object, true) inside a JSON object built by the database."""

    output_field = JSONField()

    def __init__(self, value, **extra):
        self.value = value
        super().__init__(**extra)

    def as_sql(self, compiler, connection, **extra):
        return "(%s::jsonb)", [json.dumps(self.value)]

    def as_sqlite(self, compiler, connection, **extra):
        return "json(%s)", [json.dumps(self.value)]


def iso(day) -> str | None:
    return day.isoformat() if day else None


def local_date(moment):
    return moment.astimezone(SHANGHAI).date() if moment else None


def date_of(moment_expr):
    return TruncDate(moment_expr, tzinfo=SHANGHAI)


def last_as_of(field_name: str, updates, fk: str, ctx: Context, **extra):
    """The newest update date up to the end of `as_of` (rules.countdown's one definition)."""
    subject_model = updates.model._meta.get_field(fk).related_model
    return countdown.last_as_of(subject_model, field_name, ctx.as_of, **extra)


def opened():
    return Coalesce("opened_on", date_of("created_at"), output_field=DateField())


def first_found(ctx: Context) -> str:
    return f"since:{ctx.as_of.isoformat()}"


def late_hits(rows, ctx, when_key: str, due_key: str, detail_keys=()):
    """Pending (not done by as_of, due passed) and past (done late) hits from rows with a datetime and a due date."""
    hits = []
    for r in rows:
        done_on = local_date(r[when_key]) if r[when_key] and r[when_key] < ctx.end else None
        detail = {"due_on": iso(r[due_key]), "done_on": iso(done_on), **{k: (iso(r[k]) if isinstance(r[k], dt.date) else r[k]) for k in detail_keys}}
        if done_on is None:
            detail["days_late"] = (ctx.as_of - r[due_key]).days
            hits.append(Hit(r["id"], r["org"], r.get("label", ""), detail))
        else:
            detail["days_late"] = (done_on - r[due_key]).days
            hits.append(Hit(r["id"], r["org"], r.get("label", ""), detail, past=True))
    return hits


def due_map(dates, workdays: int) -> dict[dt.date, dt.date]:
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
