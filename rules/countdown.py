"""Days left before a column or an account breaks its update rule, as a queryset annotation.

`days_left` is 0 on the last day the subject is still fine and negative once it is broken. Month periods
use the database's own month arithmetic clamped at month ends (PostgreSQL's `date + interval` clamps; on
SQLite the same clamp is spelt out), so a list of thousands stays one query.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Least, TruncDate

from .dates import SHANGHAI, period_end
from .definitions import RULES
from .thresholds import items_for


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


def _shift(expression, period: dict):
    if "months" in period:
        return AddMonths(expression, period["months"])
    return AddDays(expression, period["days"])


def _opened():
    return Coalesce("opened_on", TruncDate("created_at", tzinfo=SHANGHAI), output_field=DateField())


def columns_with_countdown(queryset, *, today: dt.date, organisation=None):
    """Annotate columns with `deadline` (the last day still fine) and `days_left`."""
    periods = items_for(organisation, today)["column_stale"].thresholds["periods"]
    base = Coalesce("last_updated_on", "opened_on", TruncDate("created_at", tzinfo=SHANGHAI), output_field=DateField())
    deadline = Case(
        *[When(category=category, then=_shift(base, period)) for category, period in periods.items()],
        output_field=DateField(),
    )
    return queryset.annotate(deadline=deadline).annotate(days_left=DaysUntil(F("deadline"), today))


def accounts_with_countdown(queryset, *, today: dt.date, organisation=None):
    """Annotate accounts with the nearest of their deadlines: 14 days since the last update, 14 days since
    the last original, and the end of this week when nothing was published yet this week."""
    items = items_for(organisation, today)
    stale_days = int(items["account_stale"].thresholds.get("days", RULES["account_stale"].threshold("days")))
    original_days = int(items["account_original"].thresholds.get("days", RULES["account_original"].threshold("days")))
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    stale = AddDays(Coalesce("last_updated_on", _opened(), output_field=DateField()), stale_days)
    original = AddDays(Coalesce("last_original_on", _opened(), output_field=DateField()), original_days)
    # The weekly rule judges only whole weeks the account existed for; an update this week settles it.
    weekly = Case(
        When(Q(opened__lte=monday) & (Q(last_updated_on__isnull=True) | Q(last_updated_on__lt=monday)), then=Value(sunday)),
        default=Value(dt.date(9999, 12, 31)),
        output_field=DateField(),
    )
    return (
        queryset.annotate(opened=_opened())
        .annotate(stale_deadline=stale, original_deadline=original, weekly_deadline=weekly)
        .annotate(deadline=Least("stale_deadline", "original_deadline", "weekly_deadline", output_field=DateField()))
        .annotate(days_left=DaysUntil(F("deadline"), today))
    )


def column_deadline(column, *, periods: dict) -> dt.date:
    """One column's deadline in Python (for a single page); the same rule as the annotation."""
    base = column.last_updated_on or column.opened_on or column.created_at.astimezone(SHANGHAI).date()
    return period_end(base, periods[column.category])
