"""Report periods: a calendar month (`YYYY-MM`) or a quarter (`YYYY-Qn`), as dates and as Asia/Shanghai instants."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A closed range of dates [start, end] with its key (`2024-10`, `2024-Q4`) and Chinese label."""

    key: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period (exclusive upper bound)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.key

    def previous(self) -> Period:
        if self.is_quarter:
            return quarter_of(_add_months(self.start, -3))
        return month_of(_add_months(self.start, -1))

    def months(self) -> list[Period]:
        result, day = [], self.start
        while day <= self.end:
            result.append(month_of(day))
            day = _add_months(day, 1)
        return result

    def is_complete(self, today: dt.date | None = None) -> bool:
        return self.end < (today or timezone.localdate())


def month_of(day: dt.date) -> Period:
    start = _month_start(day.year, day.month)
    end = _add_months(start, 1) - dt.timedelta(days=1)
    return Period(key=f"{start:%Y-%m}", start=start, end=end, label=f"{start.year}年{start.month}月")


def quarter_of(day: dt.date) -> Period:
    q = (day.month - 1) // 3 + 1
    start = _month_start(day.year, 3 * q - 2)
    end = _add_months(start, 3) - dt.timedelta(days=1)
    return Period(key=f"{day.year}-Q{q}", start=start, end=end, label=f"{day.year}年第{'一二三四'[q - 1]}季度")


def _refuse_future(period: Period, field: str, today: dt.date | None) -> Period:
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationError({field: f"{period.label}尚未开始，不能生成报告。"})
    return period


def parse_month(raw: str | None, *, field: str = "month", today: dt.date | None = None) -> Period:
    """`YYYY-MM` → the month; a clear error naming `field` for anything else or for a month not yet begun."""
    match = MONTH_RE.match((raw or "").strip())
    if not match:
        raise ValidationError({field: "请按 YYYY-MM 格式填写月份，例如 2024-10。"})
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12) or year < 2000:
        raise ValidationError({field: "月份无效：月份应在 01–12 之间，格式 YYYY-MM。"})
    return _refuse_future(month_of(dt.date(year, month, 1)), field, today)


def parse_quarter(raw: str | None, *, field: str = "quarter", today: dt.date | None = None) -> Period:
    """`YYYY-Qn` → the quarter; a clear error naming `field` otherwise."""
    match = QUARTER_RE.match((raw or "").strip())
    if not match or int(match[1]) < 2000:
        raise ValidationError({field: "请按 YYYY-Qn 格式填写季度，例如 2024-Q4。"})
    return _refuse_future(quarter_of(dt.date(int(match[1]), 3 * int(match[2]) - 2, 1)), field, today)


def last_complete_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def last_complete_quarter(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return quarter_of(quarter_of(today).start - dt.timedelta(days=1))
