"""The home page, the working-day calendar page and the audit log page."""
import calendar as month_calendar
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from organisations.models import Membership

from . import audit, selectors
from .api_views import AuditFilter
from .models import CalendarDay, CalendarYear
from .permissions import can_edit_calendar, can_read_audit


@login_required
def home(request):
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__path")
    warnings = selectors.calendar_warnings(timezone.localdate()) if user.is_supervisor else []
    context = {"memberships": memberships, "calendar_warnings": warnings}
    if user.is_supervisor:
        # A supervisor's home page is the region dashboard (reports).
        from reports.dashboard import dashboard_context
        from reports.selectors import default_region

        region = default_region(user)
        if region is not None:
            context.update(dashboard_context(user, region))
    return render(request, "home.html", context)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label="类型", choices=[("0", "休息日（节假日）"), ("1", "工作日（含调休上班）")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="说明", max_length=100, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    announcement = forms.CharField(label="国务院办公厅通知文号", max_length=200, required=False)


def _month_from(request) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def calendar_page(request):
    month = _month_from(request)
    editable = can_edit_calendar(request.user)
    day_form, year_form = CalendarDayForm(), CalendarYearForm()
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有政府办公室的主管人员可以维护工作日历。")
        if "year" in request.POST:
            year_form = CalendarYearForm(request.POST)
            if year_form.is_valid():
                CalendarYear.objects.update_or_create(
                    year=year_form.cleaned_data["year"],
                    defaults={"announcement": year_form.cleaned_data["announcement"], "entered_by": request.user},
                )
                messages.success(request, f"已确认 {year_form.cleaned_data['year']} 年安排录入完毕。")
                return redirect(f"{request.path}?month={month:%Y-%m}")
        elif "delete" in request.POST:
            CalendarDay.objects.filter(date=request.POST["delete"]).delete()
            messages.success(request, "已删除该日期的调整。")
            return redirect(f"{request.path}?month={month:%Y-%m}")
        else:
            day_form = CalendarDayForm(request.POST)
            if day_form.is_valid():
                data = day_form.cleaned_data
                CalendarDay.objects.update_or_create(
                    date=data["date"],
                    defaults={"is_workday": data["is_workday"], "note": data["note"], "entered_by": request.user},
                )
                messages.success(request, f"已保存 {data['date']:%Y-%m-%d}。")
                return redirect(f"{request.path}?month={data['date']:%Y-%m}")
    last_day = month.replace(day=month_calendar.monthrange(month.year, month.month)[1])
    days = {d.date: d for d in selectors.calendar_days(month, last_day)}
    notes = dict(CalendarDay.objects.filter(date__range=(month, last_day)).values_list("date", "note"))
    weeks = []
    for week in month_calendar.Calendar().monthdatescalendar(month.year, month.month):
        weeks.append([(d, days.get(d), notes.get(d, "")) if d.month == month.month else (d, None, "") for d in week])
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = last_day + dt.timedelta(days=1)
    warnings = selectors.calendar_warnings(month)
    return render(
        request,
        "calendar.html",
        {
            "month": month, "weeks": weeks, "previous": previous, "following": following,
            "editable": editable, "day_form": day_form, "year_form": year_form, "warnings": warnings,
            "overrides": CalendarDay.objects.filter(date__year=month.year).order_by("date"),
            "years": CalendarYear.objects.all(),
        },
    )


@login_required
def audit_page(request):
    if not can_read_audit(request.user):
        raise PermissionDenied("只有主管单位和协同监管人员可以查阅审计日志。")
    entries = selectors.audit_entries_for(request.user).order_by("-timestamp", "-id")
    filterset = AuditFilter(request.GET, queryset=entries)
    page = Paginator(filterset.qs.select_related("actor", "content_type"), 50).get_page(request.GET.get("page"))
    page.object_list = audit.describe(page.object_list)
    return render(request, "audit.html", {"page": page, "filter": filterset})


def health(request):
    """Liveness of the database and the broker, for the deployment's health checks."""
    from django.db import connection
    from django.http import JsonResponse

    from govmedia.celery import app

    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise from a health check
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001
        status["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


@login_required
def media(request, path):
    """Uploaded files (QR codes, attachments) for signed-in users only: they are internal records."""
    from django.conf import settings
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)
