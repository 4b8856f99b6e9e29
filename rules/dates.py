"""Calendar arithmetic the rules share: months clamped at month ends, day boundaries in Asia/Shanghai, and
the cutoffs that turn a per-subject "last update + period < as_of" into one comparison for a whole query."""
from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from govmedia.core import workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped at the month's end (2024-01-31 + 1 month = 2024-02-29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(last: dt.date, period: dict) -> dt.date:
    """The last day on which a subject updated on `last` still keeps a period of {"days": n} or {"months": n}."""
    if "months" in period:
        return add_months(last, int(period["months"]))
    return last + dt.timedelta(days=int(period["days"]))


def stale_cutoff(as_of: dt.date, period: dict) -> dt.date:
    """The smallest last-update date that is NOT stale as of `as_of`: stale ⇔ last < cutoff.

    period_end is monotone in `last`, so the stale dates are exactly those before one cutoff; month clamping
    makes the neighbourhood irregular, hence the short walk from the first guess.
    """
    if "months" in period:
        guess = add_months(as_of, -int(period["months"]))
    else:
        guess = as_of - dt.timedelta(days=int(period["days"]))
    while period_end(guess, period) < as_of:
        guess += ONE_DAY
    while period_end(guess - ONE_DAY, period) >= as_of:
        guess -= ONE_DAY
    return guess


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day` (Asia/Shanghai): a time before it is on or before `day`."""
    return start_of_day(day + ONE_DAY)


def week_before(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete natural week (Monday–Sunday) that ended before `as_of`."""
    sunday = as_of - dt.timedelta(days=as_of.isoweekday() % 7 or 7)
    return sunday - dt.timedelta(days=6), sunday


def rectification_due(found_on: dt.date, days: int, unit=None) -> dt.date:
    """When a finding must be rectified: `days` calendar days after it was found, moved to the next working
    day when that falls on a day off (2026-09-30 + 7 = 10-07, inside 国庆, is due 10-09), by the calendar of
    `unit`'s region (a unit or its path)."""
    return workdays.on_or_after(found_on + dt.timedelta(days=int(days)), unit)
