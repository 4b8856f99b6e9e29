"""How numbers and periods read on pages and in documents: one place, so a page and its PDF never differ."""
from __future__ import annotations

import datetime as dt


def week_label(key: str) -> str:
    """An ISO week key ("2026-W41", as reports store it) as the office says it: 10月第2周（10.05–10.11）.

    A week belongs to the month holding its Thursday (as ISO weeks belong to years), and is that month's
    n-th such week; a key that is not a week is shown as it is."""
    try:
        year, week = key.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, AttributeError):
        return str(key)
    thursday, sunday = monday + dt.timedelta(days=3), monday + dt.timedelta(days=6)
    number = (thursday.day - 1) // 7 + 1
    return f"{thursday.month}月第{number}周（{monday:%m.%d}–{sunday:%m.%d}）".replace("（0", "（").replace("–0", "–")


def week_labels(keys) -> str:
    return "、".join(week_label(k) for k in keys or [])


def one_decimal(value):
    """A score or average as people write it: one decimal (87.6, never 87.60000000000001); None stays None and
    an integer stays an integer. The value stays a number, so a spreadsheet can sum and sort it."""
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    return round(float(value), 1)


def change_value(now, before):
    """The change from `before` to `now` as a number, to one decimal for scores; None when either is missing."""
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return None
    if isinstance(now, int) and isinstance(before, int):
        return now - before
    return round(float(now) - float(before), 1)


def signed(value) -> str:
    """A change as people write it on a page: +1.8, -0.5, 0; "—" when there is nothing to compare."""
    if value is None:
        return "—"
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    if text in ("0.0", "-0.0", "0"):
        return "0"
    return f"+{text}" if value > 0 else text
