"""Changing the working-day calendar: national days (system administrators), a region's own days (its
supervisors), and a year's State Council notice pasted as text. Every change recomputes the due dates it moves
(each app's receiver of `calendar_changed`, one set-based pass per table) and is audited with what moved."""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from govmedia.core import audit, workdays
from govmedia.core.models import CalendarDay, CalendarYear
from organisations import access
from organisations.models import RegionCalendarDay

NATIONAL_ONLY = "只有系统管理员可以维护全国工作日历。"
REGION_ONLY = "只有本地区的主管人员可以维护本地区的工作日历。"

_DATE = r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
_RANGE = re.compile(_DATE + r"至" + r"(?:(?:(\d{4})年)?(\d{1,2})月)?(\d{1,2})日")
_ONE = re.compile(_DATE)
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_HOLIDAY_NAME = re.compile(r"^\s*[一二三四五六七八九十]+、\s*([^：:]+)[：:]")


def parse_notice(year: int, text: str) -> list[tuple[dt.date, bool, str]]:
    """The days of a State Council holiday notice (国务院办公厅关于…部分节假日安排的通知): every day of a "放假"
    span is a day off, every date of a "上班" sentence a working day; the note is the holiday's name. Dates
    without a year are of `year` (an explicit year, as in 元旦 spans that begin in December, is kept)."""
    days: dict[dt.date, tuple[bool, str]] = {}
    for line in text.splitlines():
        name_match = _HOLIDAY_NAME.match(line)
        name = name_match.group(1).strip() if name_match else ""
        body = _BRACKETS.sub("", line[name_match.end():] if name_match else line)
        for sentence in re.split(r"[。；;]", body):
            if "放假" in sentence:
                spans = list(_RANGE.finditer(sentence))
                for m in spans:
                    y1 = int(m.group(1) or year)
                    start = dt.date(y1, int(m.group(2)), int(m.group(3)))
                    end = dt.date(int(m.group(4) or y1), int(m.group(5) or m.group(2)), int(m.group(6)))
                    while start <= end:
                        days[start] = (False, name)
                        start += dt.timedelta(days=1)
                if not spans:
                    m = _ONE.search(sentence)
                    if m:
                        days[dt.date(int(m.group(1) or year), int(m.group(2)), int(m.group(3)))] = (False, name)
            if "上班" in sentence:
                for m in _ONE.finditer(sentence):
                    days[dt.date(int(m.group(1) or year), int(m.group(2)), int(m.group(3)))] = (True, f"{name}调休上班" if name else "调休上班")
    return sorted((day, workday, note[:100]) for day, (workday, note) in days.items())


def _check(user, organisation) -> str:
    """The unit path the change concerns ("" nationally), once the user may make it."""
    if organisation is None:
        if not access.can_edit_national_calendar(user):
            raise PermissionDenied(NATIONAL_ONLY)
        return ""
    if not access.can_edit_region_calendar(user, organisation):
        raise PermissionDenied(REGION_ONLY)
    return organisation.path


def _statuses(dates, unit_path: str) -> dict[dt.date, bool]:
    if not dates:
        return {}
    calendar = workdays.Calendar(min(dates), max(dates), unit_path or None)
    return {d: calendar.day(d).is_workday for d in dates}


def _recompute(user, before: dict, unit_path: str, anchor, action: str) -> dict:
    after = _statuses(list(before), unit_path)
    changes = {d: (before[d], after[d]) for d in before if before[d] != after[d]}
    moved: dict[str, int] = {}
    if changes:
        for _receiver, result in workdays.calendar_changed.send(sender=anchor.__class__, changes=changes,
                                                                unit_path=unit_path, actor=user):
            for table, count in (result or {}).items():
                moved[table] = moved.get(table, 0) + count
    audit.record_action(anchor, action, actor=user, changes={
        "dates": [[d.isoformat(), before[d], after[d]] for d in sorted(before)],
        "region": unit_path or None, "moved_due_dates": moved,
    })
    return {"changed": sorted(d.isoformat() for d in changes), "moved": moved}


@transaction.atomic
def calendar_set_days(*, user, entries, organisation=None, action: str = "calendar_set") -> dict:
    """Enter days ([(date, is_workday, note)]) nationally or for `organisation`'s region; returns what changed
    and how many stored due dates moved per table."""
    unit_path = _check(user, organisation)
    if not entries:
        raise ValidationError({"dates": "没有要录入的日期。"})
    before = _statuses([d for d, _w, _n in entries], unit_path)
    anchor = None
    for day, is_workday, note in entries:
        if organisation is None:
            anchor, _ = CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": is_workday, "note": note, "entered_by": user})
        else:
            anchor, _ = RegionCalendarDay.objects.update_or_create(
                organisation=organisation, date=day, defaults={"is_workday": is_workday, "note": note, "entered_by": user})
    return _recompute(user, before, unit_path, anchor if len(entries) == 1 else (organisation or anchor), action)


@transaction.atomic
def calendar_remove_day(*, user, date: dt.date, organisation=None) -> dict | None:
    """Remove an entered day (None when there was none); the days it moved move back."""
    unit_path = _check(user, organisation)
    rows = (CalendarDay.objects.filter(date=date) if organisation is None
            else RegionCalendarDay.objects.filter(organisation=organisation, date=date))
    entry = rows.first()
    if entry is None:
        return None
    before = _statuses([date], unit_path)
    rows.delete()
    return _recompute(user, before, unit_path, entry, "calendar_remove")


@transaction.atomic
def calendar_enter_notice(*, user, year: int, text: str, organisation=None, announcement: str = "") -> dict:
    """Enter a year's State Council notice: its days off and make-up working days; nationally, the year is then
    marked entered in full (the rest follows the weekday rule with authority)."""
    entries = parse_notice(year, text)
    if not entries:
        raise ValidationError({"text": "未能从通知中识别出放假或调休上班的日期，请粘贴通知正文（如“一、元旦：1月1日至3日放假调休，共3天。”）。"})
    result = calendar_set_days(user=user, entries=entries, organisation=organisation, action="calendar_notice")
    if organisation is None:
        CalendarYear.objects.update_or_create(year=year, defaults={"announcement": announcement[:200], "entered_by": user})
    result["days"] = [{"date": d.isoformat(), "is_workday": w, "note": n} for d, w, n in entries]
    return result


def region_days(path: str, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The days of the regions above or at `path` between start and end, the nearest region's last (it wins)."""
    ancestors = ["/" + "/".join(path.strip("/").split("/")[:i + 1]) + "/" for i in range(path.strip("/").count("/") + 1)] \
        if path.strip("/") else []
    rows = sorted(
        RegionCalendarDay.objects.filter(organisation__path__in=ancestors, date__range=(start, end))
        .values_list("organisation__path", "date", "is_workday"),
        key=lambda row: len(row[0]),
    )
    return {day: workday for _path, day, workday in rows}


def region_paths(start: dt.date, end: dt.date) -> list[str]:
    return list(RegionCalendarDay.objects.filter(date__range=(start, end))
                .values_list("organisation__path", flat=True).distinct())
