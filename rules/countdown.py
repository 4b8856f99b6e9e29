"""The deadline of every staleness rule as a queryset expression, in one place: the inspection's checks, the
countdown (`deadline`, `days_left`) of every API and page, the dashboard and the monthly report all build on
these, so a subject is overdue (`days_left < 0`) exactly when the inspection of that day finds it.

A deadline is the last day a subject still keeps its rule, judged with the thresholds in force for the
subject's own unit: `with_unit_items` wraps the per-rule expressions in one CASE over the few chains of
checklist versions (national plus each local override), so a list of 100,000 subjects still gets its
countdown in one query. Month periods use the database's own month arithmetic clamped at month ends
(PostgreSQL's `date + interval` clamps; on SQLite the same clamp is spelt out).
"""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import (
    Case, Count, DateField, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.db.models.lookups import LessThan

from govmedia.core import memo, statements

from .dates import SHANGHAI, end_of_day, start_of_day, week_before
from .definitions import default_thresholds
from .thresholds import groups_for

# The deadline of a subject no rule in force can break (a sentinel the database orders after every real date).
NEVER = dt.date(9999, 12, 31)
# The rules each kind of subject has a countdown for (staleness rules: the ones with a deadline of their own).
COLUMN_RULES = ("column_stale", "column_blank")
ACCOUNT_RULES = ("account_stale", "account_original", "account_weekly")


class AddMonths(Func):
    """date + N calendar months, clamped at the month's end."""

    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + INTERVAL '{self.months} months' AS date)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # date(x, '+N months') overflows (31 Jan + 1 month = 2 Mar); the end of the target month bounds it.
        return (
            f"MIN(date({sql}, '+{self.months} months'), date({sql}, 'start of month', '+{self.months + 1} months', '-1 day'))",
            params * 2,
        )


class AddDays(Func):
    output_field = DateField()

    def __init__(self, expression, days: int, **extra):
        self.days = int(days)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + {self.days} AS date)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{self.days:+d} days')", params


class DaysUntil(Func):
    """(deadline − today) in days."""

    output_field = IntegerField()

    def __init__(self, expression, today: dt.date, **extra):
        self.today = today
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - %s::date)", [*params, self.today.isoformat()]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - julianday(%s) AS integer)", [*params, self.today.isoformat()]


class CompiledOnce(ExpressionWrapper):
    """An annotation that later annotations read (`judged_last`, each rule's deadline, `deadline`), written into
    the SQL as often as they read it but compiled once per statement: a reference to an annotation resolves to
    the annotation's own expression object, so the compiler meets the same object again and reuses its SQL
    (the column countdown's CASE repeats `judged_last`, with its subquery, 18 times)."""

    def __init__(self, expression):
        super().__init__(expression, output_field=DateField())

    def as_sql(self, compiler, connection):
        compiled = compiler.__dict__.setdefault("_countdown_compiled", {})
        if id(self) not in compiled:
            # The object itself is kept beside its SQL: its id cannot be reused while the compiler lives.
            compiled[id(self)] = (self, *compiler.compile(self.expression))
        _, sql, params = compiled[id(self)]
        return sql, list(params)


def _shift(expression, period: dict):
    if "months" in period:
        return AddMonths(expression, period["months"])
    return AddDays(expression, period["days"])


def _date(value: dt.date):
    return Value(value, output_field=DateField())


def _updates(model):
    """The update rows of a column or an account (its reverse relation `updates`) and their foreign key."""
    relation = model._meta.get_field("updates")
    return relation.related_model.objects.all(), relation.field.name


def opened():
    """The day a subject began: its opening date, else the day it was entered."""
    return Coalesce("opened_on", TruncDate("created_at", tzinfo=SHANGHAI), output_field=DateField())


def last_as_of(model, field_name: str, as_of: dt.date, **extra):
    """The newest update date up to the end of `as_of`: the denormalised field when it is not later, else one
    correlated subquery (only for the rows updated since), so a past date is judged by what was then."""
    updates, fk = _updates(model)
    newest = updates.filter(**{fk: OuterRef("pk")}, published_at__lt=end_of_day(as_of), **extra).order_by("-published_at")
    return Case(
        When(**{f"{field_name}__lte": as_of}, then=F(field_name)),
        default=TruncDate(Subquery(newest.values("published_at")[:1]), tzinfo=SHANGHAI),
        output_field=DateField(),
    )


def in_force(items: dict, code: str) -> bool:
    item = items.get(code)
    return item is not None and item.enabled


def thresholds_in(items: dict, code: str) -> dict:
    """The thresholds of `code` in `items`, its defaults filling what the item does not name."""
    item = items.get(code)
    return {**default_thresholds(code), **((item.thresholds or {}) if item else {})}


# --- the deadline of each rule, for one set of thresholds -----------------------------------------------------

def column_deadline(model, as_of: dt.date, periods: dict, *, stale: bool = True, blank: bool = True):
    """Columns: the day the column's period since its last update (or its opening, when blank) runs out.
    `column_stale` judges updated columns, `column_blank` never-updated ones; both by the stale periods."""
    if not (stale or blank):
        return _date(NEVER)
    base = Coalesce("judged_last", "opened_on", TruncDate("created_at", tzinfo=SHANGHAI), output_field=DateField())
    whens = []
    if not stale:
        whens.append(When(judged_last__isnull=False, then=_date(NEVER)))
    if not blank:
        whens.append(When(judged_last__isnull=True, then=_date(NEVER)))
    whens += [When(category=category, then=_shift(base, period)) for category, period in periods.items()]
    default = _shift(base, periods["other"]) if "other" in periods else _date(NEVER)
    return Case(*whens, default=default, output_field=DateField())


def account_stale_deadline(model, as_of: dt.date, th: dict):
    return AddDays(Coalesce("judged_last", "opened", output_field=DateField()), int(th["days"]))


def account_original_deadline(model, as_of: dt.date, th: dict):
    return AddDays(Coalesce("judged_last_original", "opened", output_field=DateField()), int(th["days"]))


def account_weekly_deadline(model, as_of: dt.date, th: dict):
    """The weekly rule judges whole natural weeks the account existed for. Broken last week (fewer updates
    than the minimum in the last complete week, what the inspection of `as_of` judges): that Sunday, already
    past. Otherwise, while this week still lacks its updates: this week's Sunday. Else no deadline."""
    minimum = int(th["updates_per_week"])
    last_monday, last_sunday = week_before(as_of)
    this_monday, this_sunday = last_sunday + dt.timedelta(days=1), last_sunday + dt.timedelta(days=7)
    # The denormalised last update settles most accounts without counting; the count runs only for the rest.
    none_since_last = Q(last_updated_on__isnull=True) | Q(last_updated_on__lt=last_monday)
    none_since_this = Q(last_updated_on__isnull=True) | Q(last_updated_on__lt=this_monday)
    last_week = _updates_between(model, last_monday, end_of_day(last_sunday))
    this_week = _updates_between(model, this_monday, end_of_day(as_of))
    return Case(
        When(Q(opened__lte=last_monday) & (none_since_last | LessThan(last_week, minimum)), then=_date(last_sunday)),
        When(Q(opened__lte=this_monday) & (none_since_this | LessThan(this_week, minimum)), then=_date(this_sunday)),
        default=_date(NEVER),
        output_field=DateField(),
    )


def _updates_between(model, start: dt.date, end_before: dt.datetime):
    updates, fk = _updates(model)
    counted = (
        updates.filter(**{fk: OuterRef("pk")}, published_at__gte=start_of_day(start), published_at__lt=end_before)
        .order_by().values(fk).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


ACCOUNT_DEADLINES = {
    "account_stale": account_stale_deadline,
    "account_original": account_original_deadline,
    "account_weekly": account_weekly_deadline,
}


def column_judged(queryset, as_of: dt.date):
    """The annotations a column's deadline reads: its newest update as of `as_of` (`judged_last`)."""
    return queryset.annotate(judged_last=CompiledOnce(last_as_of(queryset.model, "last_updated_on", as_of)))


def account_judged(queryset, as_of: dt.date):
    """The annotations an account's deadlines read: opening day, newest update and original as of `as_of`."""
    model = queryset.model
    return queryset.annotate(
        opened=CompiledOnce(opened()),
        judged_last=CompiledOnce(last_as_of(model, "last_updated_on", as_of)),
        judged_last_original=CompiledOnce(last_as_of(model, "last_original_on", as_of, original=True)),
    )


# --- per unit: one CASE over the chains of versions ----------------------------------------------------------

def unit_groups(on: dt.date) -> list:
    """The chains of checklist versions in force on `on`, deepest first (one read of the checklist per request:
    rules.thresholds forgets it when a version, an item or a unit's place changes). Callers only read them."""
    if not memo.active():  # a task or a command: another process may change the checklist under it
        statements.depends_on("rules_checklist", None)
        return _read_groups(on)
    stamp, groups = memo.remember(("rules.unit_groups", on), lambda: _groups_as_stamped(on))
    # A list statement kept across requests (govmedia.core.statements) built on these groups is tied to the
    # fingerprint they were read under (None on SQLite: not kept).
    statements.depends_on("rules_checklist", stamp)
    return groups


def _read_groups(on: dt.date) -> list:
    return sorted(groups_for(None, on), key=lambda g: len(g.include), reverse=True)


# The checklist as a request of this process last read it, per day, beside the fingerprint of the rows it came
# from (`checklist_stamp`). A later request compares one small fingerprint query instead of reading and merging
# the versions and items again; any change, from any process, changes the fingerprint.
_read_checklists: dict[dt.date, tuple[str, list]] = {}

# Every checklist version with its unit's path (a unit that moves changes the chains) and every item, as text.
_STAMP_SQL = """
SELECT md5(
    COALESCE((SELECT string_agg(v::text || COALESCE((SELECT o.path FROM organisations_organisation o
                                                     WHERE o.id = v.organisation_id), ''), ',' ORDER BY v.id)
              FROM rules_checklistversion v), '')
    || '|' || COALESCE((SELECT string_agg(i::text, ',' ORDER BY i.id) FROM rules_checklistitem i), '')
)
"""


def checklist_stamp() -> str | None:
    """A fingerprint of everything `groups_for` reads (PostgreSQL, which spells a whole row as text; None elsewhere:
    there a request reads the checklist itself)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        return cursor.fetchone()[0]


# A list statement kept across requests (govmedia.core.statements) that read the checklist is reused only while
# this fingerprint is unchanged.
statements.register_fingerprint("rules_checklist", checklist_stamp)


def _groups_as_stamped(on: dt.date) -> tuple[str | None, list]:
    """(fingerprint, groups): the fingerprint read before the groups (a change committed in between only makes
    the next request read them again)."""
    stamp = checklist_stamp()
    kept = _read_checklists.get(on)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept
    groups = _read_groups(on)
    if stamp is not None:
        if len(_read_checklists) > 3:  # a few days at most (a request asks for today, a report for its month's end)
            _read_checklists.clear()
        _read_checklists[on] = (stamp, groups)
    return stamp, groups


def with_unit_items(organisation_lookup: str, groups: list, build):
    """`build(items)` for each chain of checklist versions (`unit_groups`), chosen per row by the row's unit
    (`organisation_lookup`, e.g. "owner" or "site__owner"): the deepest local override wins."""
    default = None
    whens = []
    for group in groups:
        expression = build(group.items)
        if group.include:
            whens.append(When(**{f"{organisation_lookup}__path__startswith": group.include}, then=expression))
        else:
            default = expression
    if not whens:
        return default
    return Case(*whens, default=default, output_field=DateField())


def items_by_unit(on: dt.date):
    """A function from a unit's path to the items in force there on `on` (one read of the checklist for all)."""
    groups = unit_groups(on)

    def items(path: str) -> dict:
        return next(g.items for g in groups if path.startswith(g.include))

    return items


def columns_with_countdown(queryset, *, today: dt.date):
    """Annotate columns with `deadline` (the last day still fine, by the site owner's checklist) and `days_left`."""
    model = queryset.model

    def build(items):
        if not (in_force(items, "column_stale") or in_force(items, "column_blank")):
            return _date(NEVER)
        return column_deadline(model, today, thresholds_in(items, "column_stale")["periods"],
                               stale=in_force(items, "column_stale"), blank=in_force(items, "column_blank"))

    return (
        column_judged(queryset, today)
        .annotate(deadline=CompiledOnce(with_unit_items("site__owner", unit_groups(today), build)))
        .annotate(days_left=DaysUntil(F("deadline"), today))
    )


def accounts_with_countdown(queryset, *, today: dt.date):
    """Annotate accounts with each staleness rule's deadline (`stale_deadline`, `original_deadline`,
    `weekly_deadline`, by the owner's checklist; far in the future for a rule not in force), the nearest of
    them (`deadline`) and `days_left`."""
    model = queryset.model
    groups = unit_groups(today)

    def per_rule(code, rule_deadline):
        def build(items):
            if not in_force(items, code):
                return _date(NEVER)
            return rule_deadline(model, today, thresholds_in(items, code))
        return with_unit_items("owner", groups, build)

    deadlines = {
        f"{code.removeprefix('account_')}_deadline": CompiledOnce(per_rule(code, fn)) for code, fn in ACCOUNT_DEADLINES.items()
    }
    return (
        account_judged(queryset, today)
        .annotate(**deadlines)
        .annotate(deadline=CompiledOnce(Least(*deadlines.keys(), output_field=DateField())))
        .annotate(days_left=DaysUntil(F("deadline"), today))
    )
