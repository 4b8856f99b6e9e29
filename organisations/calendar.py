"""The working-day calendar: its page and its `calendar/` endpoints. The data and the arithmetic live in
core (workdays); who may edit it is an organisations question."""
import calendar as month_calendar
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as PagePermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from govmedia.core import selectors, workdays
from govmedia.core.api import AuditedViewMixin
from govmedia.core.forms import DateInput
from govmedia.core.models import CalendarDay, CalendarYear
from organisations.access import can_edit_calendar

MAX_SPAN_DAYS = 400
# Dates the calendar answers for: wide enough for any deadline, narrow enough that adding a year of working
# days never runs past the last date Python can hold (9999-12-31 used to answer 500).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
RANGE_MESSAGE = f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间。"


def in_calendar_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(RANGE_MESSAGE)
    return day


class CalendarDateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(validators=[in_calendar_range], **kwargs)


class CalendarDaySerializer(serializers.Serializer):
    date = CalendarDateField()
    is_workday = serializers.BooleanField()
    source = serializers.CharField(read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=100)


@extend_schema_serializer(many=False)  # the list is one object, not an array of days (the schema said so)
class CalendarListSerializer(serializers.Serializer):
    results = CalendarDaySerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField(), help_text="未被日历包覆盖且未录入的年份")


class CalendarQuerySerializer(serializers.Serializer):
    date = CalendarDateField(required=False, help_text="one day (the same as start=end=date)")
    start = CalendarDateField(required=False)
    end = CalendarDateField(required=False)

    def validate(self, attrs):
        today = timezone.localdate()
        if attrs.get("date"):
            if attrs.get("start") or attrs.get("end"):
                raise serializers.ValidationError({"date": "date 与 start/end 不能同时使用。"})
            return {"start": attrs["date"], "end": attrs["date"]}
        start = attrs.get("start") or today.replace(day=1)
        end = attrs.get("end") or min((start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1), LAST_DAY)
        if end < start:
            raise serializers.ValidationError({"end": "结束日期不能早于开始日期。"})
        if (end - start).days > MAX_SPAN_DAYS:
            raise serializers.ValidationError({"end": f"一次最多查询{MAX_SPAN_DAYS}天。"})
        return {"start": start, "end": end}


class AddWorkdaysSerializer(serializers.Serializer):
    start = CalendarDateField()
    days = serializers.IntegerField(min_value=1, max_value=366)


class CalendarYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarYear
        fields = ["year", "announcement"]

    def validate_year(self, year):
        if not 2000 <= year <= 2100:
            raise serializers.ValidationError("年份超出范围。")
        return year


class CalendarViewSet(AuditedViewMixin, viewsets.ViewSet):
    """The working-day calendar: package data, the office's entries and the weekday fallback."""

    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"
    serializer_class = CalendarDaySerializer

    @extend_schema(
        parameters=[CalendarQuerySerializer],
        responses=CalendarListSerializer,
    )
    def list(self, request):
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = selectors.calendar_days(query.validated_data["start"], query.validated_data["end"])
        notes = dict(
            CalendarDay.objects.filter(date__range=(days[0].date, days[-1].date)).values_list("date", "note")
        )
        results = [
            {"date": d.date, "is_workday": d.is_workday, "source": d.source, "note": notes.get(d.date, "")} for d in days
        ]
        years = sorted({d.date.year for d in days})
        warnings = [f"{y}年未被日历包覆盖且尚未录入，按周一至周五计算。" for y in workdays.uncovered_years(years)]
        return Response({"results": CalendarDaySerializer(results, many=True).data, "warnings": warnings})

    @extend_schema(parameters=[OpenApiParameter("date", str, OpenApiParameter.PATH, description="YYYY-MM-DD")],
                   responses=CalendarDaySerializer)
    def retrieve(self, request, date=None):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return Response({"date": ["日期格式应为 YYYY-MM-DD。"]}, status=status.HTTP_400_BAD_REQUEST)
        if not FIRST_DAY <= day <= LAST_DAY:
            return Response({"date": [RANGE_MESSAGE]}, status=status.HTTP_400_BAD_REQUEST)
        found = workdays.day(day)
        note = CalendarDay.objects.filter(date=day).values_list("note", flat=True).first() or ""
        return Response({"date": found.date, "is_workday": found.is_workday, "source": found.source, "note": note})

    @extend_schema(request=CalendarDaySerializer, responses=CalendarDaySerializer)
    def create(self, request):
        """Enter or correct one date (e.g. a make-up working day of a year the package does not cover)."""
        if not can_edit_calendar(request.user):
            raise PermissionDenied("只有政府办公室的主管人员可以维护工作日历。")
        serializer = CalendarDaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            entry, _ = CalendarDay.objects.update_or_create(
                date=data["date"],
                defaults={"is_workday": data["is_workday"], "note": data.get("note", ""), "entered_by": request.user},
            )
        found = workdays.day(entry.date)
        return Response(
            {"date": entry.date, "is_workday": found.is_workday, "source": found.source, "note": entry.note},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=[OpenApiParameter("date", str, OpenApiParameter.PATH, description="YYYY-MM-DD")],
                   responses={204: None})
    def destroy(self, request, date=None):
        if not can_edit_calendar(request.user):
            raise PermissionDenied("只有政府办公室的主管人员可以维护工作日历。")
        deleted, _ = CalendarDay.objects.filter(date=date).delete()
        if not deleted:
            return Response({"detail": "该日期没有办公室录入的调整。"}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[AddWorkdaysSerializer],
        responses=inline_serializer("AddWorkdays", {"date": serializers.DateField(), "source": serializers.CharField()}),
    )
    @action(detail=False, methods=["get"], url_path="add-workdays")
    def add_workdays(self, request):
        query = AddWorkdaysSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = workdays.add_workdays(query.validated_data["start"], query.validated_data["days"])
        years = sorted({query.validated_data["start"].year, result.year})
        fallback = workdays.uncovered_years(years)
        body = {"date": result, "source": workdays.WEEKDAY_FALLBACK if fallback else workdays.day(result).source}
        if fallback:
            body["warnings"] = [f"{y}年按周一至周五计算（尚无官方安排）。" for y in fallback]
        return Response(body)

    @extend_schema(request=CalendarYearSerializer, responses=CalendarYearSerializer(many=True))
    @action(detail=False, methods=["get", "post"], url_path="years")
    def years(self, request):
        """Years whose State Council schedule the office has entered in full."""
        if request.method == "POST":
            if not can_edit_calendar(request.user):
                raise PermissionDenied("只有政府办公室的主管人员可以维护工作日历。")
            serializer = CalendarYearSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            year, _ = CalendarYear.objects.update_or_create(
                year=serializer.validated_data["year"],
                defaults={"announcement": serializer.validated_data.get("announcement", ""), "entered_by": request.user},
            )
            return Response(CalendarYearSerializer(year).data, status=status.HTTP_201_CREATED)
        return Response(CalendarYearSerializer(CalendarYear.objects.all(), many=True).data)


# --- The page ---------------------------------------------------------------------------------------------


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=DateInput())
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
            raise PagePermissionDenied("只有政府办公室的主管人员可以维护工作日历。")
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
