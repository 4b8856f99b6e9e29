"""Numbers of the rules for page text: `{% rule_value "error_report_late" "workdays" as days %}` gives the
threshold in force for the signed-in person's own unit (the national value for someone without one), so no
page repeats a number the checklist may change."""
from django import template
from django.utils import timezone

from rules import thresholds
from rules.definitions import default_thresholds

register = template.Library()


@register.simple_tag(takes_context=True)
def rule_value(context, code: str, key: str, organisation=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    unit = organisation or getattr(user, "home_organisation", None)
    try:
        items = thresholds.items_for(unit, timezone.localdate())
    except thresholds.NoChecklist:
        return None
    item = items.get(code)
    return {**default_thresholds(code), **((item.thresholds or {}) if item else {})}.get(key)
