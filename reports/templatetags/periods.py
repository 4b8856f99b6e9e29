"""A quarter picker: a select of the quarters with their Chinese names instead of "2024-Q4" typed by hand."""
from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from reports.periods import quarter_of

register = template.Library()

# The earliest regional rules the product carries are of 2020 (青岛西海岸新区, 烟台市).
FIRST_YEAR = 2020


def quarter_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """(key, label) of every quarter from FIRST_YEAR to the current one, newest first (a quarter not yet
    begun cannot be reported on)."""
    current = quarter_of(today or timezone.localdate())
    out, day = [], current.start
    while day.year >= FIRST_YEAR:
        period = quarter_of(day)
        out.append((period.key, period.label))
        day = period.start - dt.timedelta(days=1)
    return out


@register.simple_tag
def quarter_select(value: str = "", name: str = "quarter"):
    choices = quarter_choices()
    value = (value or "").upper()
    if value and value not in dict(choices):
        choices.insert(0, (value, value))  # an older quarter asked for by URL stays shown as it was asked
    options = format_html_join("", '<option value="{}"{}>{}</option>',
                               ((key, " selected" if key == value else "", label) for key, label in choices))
    return format_html('<select name="{}" required>{}</select>', name, options)
