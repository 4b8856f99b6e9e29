from django import template
from django.utils.html import format_html

from govmedia.core import formatting

register = template.Library()


@register.filter
def week_labels(keys) -> str:
    """ISO week keys as 10月第2周（10.05–10.11）、… (govmedia.core.formatting)."""
    return formatting.week_labels(keys)


@register.simple_tag
def days_left_badge(days_left):
    """The countdown of a column or account as a badge: overdue red, three days or fewer amber."""
    if days_left is None:
        return "—"
    if days_left < 0:
        return format_html('<span class="badge bad" data-days-left="{}">已超期 {} 天</span>', days_left, -days_left)
    if days_left <= 3:
        return format_html('<span class="badge warn" data-days-left="{}">剩 {} 天</span>', days_left, days_left)
    return format_html('<span data-days-left="{}">剩 {} 天</span>', days_left, days_left)
