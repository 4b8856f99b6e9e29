"""Working days by the official Chinese calendar: the one place every deadline goes through.

Sources, in order: a day a region entered for itself (for a unit in that region, when the organisations app
has registered where those live; the nearest region wins); a date entered nationally (CalendarDay); the
chinesecalendar package for the years it covers; the announced schedule for a year entered in full
(CalendarYear, weekday rule for the rest); otherwise the weekday rule as a fallback, reported as such so that
supervisors are warned.

Entering or removing a day sends `calendar_changed`: each app recomputes the due dates it stores (its own
tables, one set-based pass each), so core never needs to know them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.dispatch import Signal

PACKAGE = "package"
OFFICE = "office"
WEEKDAY_FALLBACK = "weekday-fallback"


# Sent with `dates` (the days whose status changed) and `unit_path` ("" for a national change, else the region's
# path: only units under it are concerned) and `actor`. Receivers recompute their stored due dates.
calendar_changed = Signal()

# (unit path, start, end) -> {date: is_workday}: the region days that apply to a unit, registered by the app
# that keeps them (organisations), so this module imports no app.
_region_days = None
# (start, end) -> the paths of the regions that entered days of their own in that span.
_region_paths = None


def register_region_days(provider, paths) -> None:
    global _region_days, _region_paths
    _region_days, _region_paths = provider, paths


def region_paths(start: dt.date, end: dt.date) -> list[str]:
    """Regions with days of their own between start and end: only their units need a calendar of their own."""
    return list(_region_paths(start, end)) if _region_paths is not None else []


@dataclass(frozen=True)
class Day:
    date: dt.date
    is_workday: bool
    source: str


@lru_cache(maxsize=None)
def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class Calendar:
    """Answers for a span of dates with one query for the national entries in that span (and one for the
    region's, given a unit: anything with a materialised `path`)."""

    def __init__(self, start: dt.date, end: dt.date, unit=None):
        from .models import CalendarDay, CalendarYear

        self.overrides = dict(
            CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
        )
        path = unit if isinstance(unit, str) else getattr(unit, "path", None)
        if path and _region_days is not None:
            self.overrides.update(_region_days(path, start, end))
        self.office_years = set(
            CalendarYear.objects.filter(year__range=(start.year, end.year)).values_list("year", flat=True)
        )

    def day(self, date: dt.date) -> Day:
        if date in self.overrides:
            return Day(date, self.overrides[date], OFFICE)
        if package_covers(date.year):
            return Day(date, chinese_calendar.is_workday(date), PACKAGE)
        weekday_rule = date.weekday() < 5
        if date.year in self.office_years:
            return Day(date, weekday_rule, OFFICE)
        return Day(date, weekday_rule, WEEKDAY_FALLBACK)


def day(date: dt.date, unit=None) -> Day:
    return Calendar(date, date, unit).day(date)


def is_workday(date: dt.date, unit=None) -> bool:
    return day(date, unit).is_workday


def add_workdays(start: dt.date, days: int, unit=None) -> dt.date:
    """The `days`-th working day strictly after `start` (SPEC: "N working days after D"), by the calendar of
    `unit`'s region when given."""
    if days < 1:
        raise ValueError("days must be at least 1")
    # Long holidays (Spring Festival, National Day) are at most 9 days off in a row; this span always suffices.
    span_end = start + dt.timedelta(days=days * 2 + 20)
    calendar = Calendar(start, span_end, unit)
    current, counted = start, 0
    while counted < days:
        current += dt.timedelta(days=1)
        if current > span_end:
            calendar = Calendar(current, current + dt.timedelta(days=days * 2 + 20), unit)
            span_end = current + dt.timedelta(days=days * 2 + 20)
        if calendar.day(current).is_workday:
            counted += 1
    return current


def on_or_after(date: dt.date, unit=None) -> dt.date:
    """`date` when it is a working day, else the next working day (a due date never falls on a day off)."""
    calendar = Calendar(date, date + dt.timedelta(days=30), unit)
    while not calendar.day(date).is_workday:
        date += dt.timedelta(days=1)
    return date


def uncovered_years(years) -> list[int]:
    """Years neither the package nor the office covers: deadlines there use the weekday fallback."""
    from .models import CalendarYear

    entered = set(CalendarYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
    return [y for y in years if not package_covers(y) and y not in entered]


def recount(start: dt.date, old_due: dt.date, changes: dict, unit=None) -> dt.date:
    """A due date stored as "N working days after `start`" (N not stored), recounted after a calendar change:
    N is counted over (start, old_due] with the changed days as they were, then added again as they are now.
    `changes` maps each changed date to (was_workday, is_workday)."""
    if old_due <= start:
        return old_due
    calendar = Calendar(start, old_due, unit)
    current, counted = start, 0
    while current < old_due:
        current += dt.timedelta(days=1)
        counted += changes[current][0] if current in changes else calendar.day(current).is_workday
    return add_workdays(start, counted, unit) if counted else old_due


def moved(rows, changes: dict, recompute) -> dict[dt.date, list[int]]:
    """Group the rows a calendar change moves by their new due date: {new due: [pk, …]}, for one UPDATE per
    table. `rows` yields (pk, key, old_due); `recompute(key, old_due)` gives the new due date and is asked once
    per distinct (key, old_due)."""
    answers: dict = {}
    result: dict[dt.date, list[int]] = {}
    for pk, key, old_due in rows:
        if (key, old_due) not in answers:
            answers[(key, old_due)] = recompute(key, old_due)
        new_due = answers[(key, old_due)]
        if new_due != old_due:
            result.setdefault(new_due, []).append(pk)
    return result


def update_moved(queryset, field: str, groups: dict[dt.date, list[int]]) -> int:
    """One UPDATE setting `field` of each moved row to its new date; returns the number of rows moved."""
    from django.db.models import Case, DateField, Value, When

    ids = [pk for pks in groups.values() for pk in pks]
    if not ids:
        return 0
    value = Case(*[When(pk__in=pks, then=Value(day)) for day, pks in groups.items()], output_field=DateField())
    return queryset.filter(pk__in=ids).update(**{field: value})
