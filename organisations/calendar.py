"""The working-day calendar: its page and its `calendar/` endpoints. The data and the arithmetic live in
core (workdays); who may edit it is an organisations question."""
import calendar as month_calendar
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import PermissionDenied as PagePermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from govmedia.core import selectors, workdays
from govmedia.core.api import AuditedViewMixin
from govmedia.core.forms import DateInput
from govmedia.core.models import CalendarDay, CalendarYear
from organisations import access, calendar_changes
from organisations.models import Organisation, RegionCalendarDay

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
    organisation = serializers.IntegerField(required=False, allow_null=True, write_only=True,
                                            help_text="地区（单位）编号：录入该地区自己的调整；不填为全国日历（系统管理员）")


class CalendarNoticeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    text = serializers.CharField(max_length=20000, help_text="国务院办公厅节假日安排通知的正文")
    announcement = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organisation = serializers.IntegerField(required=False, allow_null=True)


def _region(user, organisation_id):
    """The organisation of a regional change: out of the caller's scope is not found (404)."""
    if organisation_id in (None, ""):
        return None
    try:
        return access.visible_organisations(user).get(pk=int(organisation_id))
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound("单位不存在或不在您的查看范围内。") from None


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


def _as_api(change):
    """Run a calendar change, its refusals as the API's 403 and 400."""
    try:
        return change()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except DjangoValidationError as exc:
        raise ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from None


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
        """Enter or correct one date: nationally (system administrators) or, with `organisation`, for that region
        (its supervisors). Stored due dates the change moves are recomputed (`moved`)."""
        serializer = CalendarDaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = _region(request.user, data.get("organisation"))
        result = _as_api(lambda: calendar_changes.calendar_set_days(
            user=request.user, entries=[(data["date"], data["is_workday"], data.get("note", ""))], organisation=region))
        found = workdays.day(data["date"], region)
        return Response(
            {"date": data["date"], "is_workday": found.is_workday, "source": found.source, "note": data.get("note", ""),
             "organisation": region.pk if region else None, "moved": result["moved"]},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=[OpenApiParameter("date", str, OpenApiParameter.PATH, description="YYYY-MM-DD"),
                               OpenApiParameter("organisation", int)],
                   responses={204: None})
    def destroy(self, request, date=None):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return Response({"date": ["日期格式应为 YYYY-MM-DD。"]}, status=status.HTTP_400_BAD_REQUEST)
        region = _region(request.user, request.query_params.get("organisation"))
        result = _as_api(lambda: calendar_changes.calendar_remove_day(user=request.user, date=day, organisation=region))
        if result is None:
            return Response({"detail": "该日期没有录入的调整。"}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CalendarNoticeSerializer,
                   responses=inline_serializer("CalendarNoticeResult", {
                       "days": serializers.ListField(child=serializers.DictField()),
                       "changed": serializers.ListField(child=serializers.DateField()),
                       "moved": serializers.DictField(child=serializers.IntegerField())}))
    @action(detail=False, methods=["post"], url_path="notice")
    def notice(self, request):
        """Paste a year's State Council holiday notice: its 放假 spans and 上班 days are entered at once."""
        serializer = CalendarNoticeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = _region(request.user, data.get("organisation"))
        result = _as_api(lambda: calendar_changes.calendar_enter_notice(
            user=request.user, year=data["year"], text=data["text"], organisation=region,
            announcement=data.get("announcement", "")))
        return Response(result, status=status.HTTP_201_CREATED)

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
            if not access.can_edit_national_calendar(request.user):
                raise PermissionDenied(calendar_changes.NATIONAL_ONLY)
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
    region = forms.ModelChoiceField(label="适用范围", queryset=Organisation.objects.none(), required=False,
                                    empty_label="全国（系统管理员）")

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Organisation.objects.none()


class CalendarNoticeForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    announcement = forms.CharField(label="通知文号", max_length=200, required=False)
    text = forms.CharField(label="通知正文", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="粘贴国务院办公厅节假日安排通知的正文，系统识别其中的放假和调休上班日期。")
    region = forms.ModelChoiceField(label="适用范围", queryset=Organisation.objects.none(), required=False,
                                    empty_label="全国（系统管理员）")

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Organisation.objects.none()


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    announcement = forms.CharField(label="国务院办公厅通知文号", max_length=200, required=False)


def _month_from(request) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _moved_text(result) -> str:
    moved = sum((result or {}).get("moved", {}).values())
    return f"，{moved} 个已存期限随之重新计算" if moved else ""


def _page_change(request, change, done: str):
    """Run a change from the page: a refusal is the page's 403, bad input a message."""
    try:
        result = change()
    except DjangoValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    messages.success(request, done + _moved_text(result))
    return result


@login_required
def calendar_page(request):
    month = _month_from(request)
    national = access.can_edit_national_calendar(request.user)
    regions = access.calendar_regions_for(request.user)
    editable = national or regions.exists()
    day_form = CalendarDayForm(regions=regions)
    notice_form = CalendarNoticeForm(regions=regions)
    year_form = CalendarYearForm()
    if request.method == "POST":
        if not editable:
            raise PagePermissionDenied(calendar_changes.REGION_ONLY)
        back = redirect(f"{request.path}?month={month:%Y-%m}")
        if "year" in request.POST and "text" not in request.POST:
            if not national:
                raise PagePermissionDenied(calendar_changes.NATIONAL_ONLY)
            year_form = CalendarYearForm(request.POST)
            if year_form.is_valid():
                CalendarYear.objects.update_or_create(
                    year=year_form.cleaned_data["year"],
                    defaults={"announcement": year_form.cleaned_data["announcement"], "entered_by": request.user},
                )
                messages.success(request, f"已确认 {year_form.cleaned_data['year']} 年安排录入完毕。")
                return back
        elif "text" in request.POST:
            notice_form = CalendarNoticeForm(request.POST, regions=regions)
            if notice_form.is_valid():
                data = notice_form.cleaned_data
                result = _page_change(request, lambda: calendar_changes.calendar_enter_notice(
                    user=request.user, year=data["year"], text=data["text"], organisation=data["region"],
                    announcement=data["announcement"]), f"已按通知录入 {data['year']} 年的放假和调休安排")
                if result is not None:
                    return redirect(f"{request.path}?month={data['year']}-01")
        elif "delete" in request.POST:
            try:
                day = dt.date.fromisoformat(request.POST["delete"])
            except ValueError:
                messages.error(request, "日期格式应为 YYYY-MM-DD。")
                return back
            region = regions.filter(pk=request.POST.get("region") or 0).first()
            _page_change(request, lambda: calendar_changes.calendar_remove_day(
                user=request.user, date=day, organisation=region), "已删除该日期的调整")
            return back
        else:
            day_form = CalendarDayForm(request.POST, regions=regions)
            if day_form.is_valid():
                data = day_form.cleaned_data
                result = _page_change(request, lambda: calendar_changes.calendar_set_days(
                    user=request.user, entries=[(data["date"], data["is_workday"], data["note"])],
                    organisation=data["region"]), f"已保存 {data['date']:%Y-%m-%d}")
                if result is not None:
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
            "editable": editable, "national": national, "day_form": day_form, "year_form": year_form,
            "notice_form": notice_form, "warnings": warnings,
            "overrides": CalendarDay.objects.filter(date__year=month.year).order_by("date"),
            "region_overrides": RegionCalendarDay.objects.filter(organisation__in=regions, date__year=month.year)
            .select_related("organisation").order_by("organisation__path", "date"),
            "years": CalendarYear.objects.all(),
        },
    )
