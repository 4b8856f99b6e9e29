import datetime as dt

from organisations.models import Organisation

from . import workdays
from .models import AuditEntry


def calendar_days(start: dt.date, end: dt.date) -> list[workdays.Day]:
    calendar = workdays.Calendar(start, end)
    return [calendar.day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def audit_entries_for(user):
    """Audit entries about the organisations the user supervises or audits (superusers: all)."""
    qs = AuditEntry.objects.select_related("actor", "content_type")
    if user.is_superuser:
        return qs
    from organisations.models import REGIONAL_ROLES, Membership
    from django.db.models import Q

    paths = Membership.objects.filter(user=user, role__in=REGIONAL_ROLES).values_list("organisation__path", flat=True)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return qs.filter(organisation_id__in=Organisation.objects.filter(condition).values("pk"))


def calendar_warnings(today: dt.date) -> list[str]:
    """Years around today that fall back to the weekday rule: supervisors must enter their schedule."""
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    return [
        f"{year}年的法定节假日安排尚未录入（日历包未覆盖），该年的工作日暂按周一至周五计算，"
        f"请在“工作日历”中录入国务院办公厅公布的{year}年安排。"
        for year in workdays.uncovered_years(years)
    ]
