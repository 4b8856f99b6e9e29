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
