"""Working days by the official Chinese calendar: the one place every deadline goes through.

Sources, in order: a date the office entered (CalendarDay); the chinesecalendar package for the years it
covers; the office's announced schedule for a year it entered (CalendarYear, weekday rule for the rest);
otherwise the weekday rule as a fallback, reported as such so that supervisors are warned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

PACKAGE = "package"
OFFICE = "office"
WEEKDAY_FALLBACK = "weekday-fallback"


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
    """Answers for a span of dates with one query for the office's entries in that span."""

    def __init__(self, start: dt.date, end: dt.date):
        from .models import CalendarDay, CalendarYear

        self.overrides = dict(
            CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
        )
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


def day(date: dt.date) -> Day:
    return Calendar(date, date).day(date)


def is_workday(date: dt.date) -> bool:
    return day(date).is_workday


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day strictly after `start` (SPEC: "N working days after D")."""
    if days < 1:
        raise ValueError("days must be at least 1")
    # Long holidays (Spring Festival, National Day) are at most 9 days off in a row; this span always suffices.
    span_end = start + dt.timedelta(days=days * 2 + 20)
    calendar = Calendar(start, span_end)
    current, counted = start, 0
    while counted < days:
        current += dt.timedelta(days=1)
        if current > span_end:
            calendar = Calendar(current, current + dt.timedelta(days=days * 2 + 20))
            span_end = current + dt.timedelta(days=days * 2 + 20)
        if calendar.day(current).is_workday:
            counted += 1
    return current


def uncovered_years(years) -> list[int]:
    """Years neither the package nor the office covers: deadlines there use the weekday fallback."""
    from .models import CalendarYear

    entered = set(CalendarYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
    return [y for y in years if not package_covers(y) and y not in entered]
