"""The calendar as the offices keep it (issue 10, item 6): national days by the system administrator only, a
region's own days by its supervisors, a year's State Council notice pasted as text, and every stored due date a
change moves recomputed in one pass per table, audited.

chinesecalendar 1.11 knows the years up to 2026 only, so 2027 is the year "entered in a month": until its
notice is entered, 1 Jan 2027 (a Friday) counts as a working day by the weekday fallback."""
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from govmedia.core import workdays
from govmedia.core.models import AuditEntry, CalendarDay, CalendarYear
from inspections import services as inspection_services
from inspections.models import Finding
from organisations.calendar_changes import parse_notice
from organisations.models import AdminRole, RegionCalendarDay
from tests.factories import FilingFactory, FindingFactory, MessagePolicyFactory, SiteFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")

# 国办发明电〔2025〕7号 as published (the 2026 schedule), in the State Council's own wording.
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""
# A 2027 notice in the same wording (its 元旦 as any schedule has it; the package does not know 2027).
NOTICE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（农历腊月三十、周六）至14日（农历正月初八、周日）放假调休，共9天。2月20日（周六）上班。
"""


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sysadmin", admin_role=AdminRole.SYSTEM)


def test_the_2026_notice_parses_to_exactly_what_chinesecalendar_holds():
    days = parse_notice(2026, NOTICE_2026)
    assert len(days) == 33 + 6  # 33 days off in the spans, 6 make-up working days
    for day, is_workday, _note in days:
        assert chinese_calendar.is_workday(day) == is_workday, day
    notes = {d: n for d, _w, n in days}
    assert notes[dt.date(2026, 10, 10)] == "国庆节调休上班" and notes[dt.date(2026, 2, 17)] == "春节"
    assert parse_notice(2026, "没有日期的文字") == []


@pytest.mark.django_db
def test_national_days_by_the_system_administrator_only(api, region, sysadmin):
    day = {"date": "2027-02-20", "is_workday": True, "note": "春节调休上班"}
    assert api.as_user(region.supervisor).post("/api/v1/calendar/", day, format="json").status_code == 403
    assert api.as_user(region.member).post("/api/v1/calendar/", day, format="json").status_code == 403
    response = api.as_user(sysadmin).post("/api/v1/calendar/", day, format="json")
    assert response.status_code == 201 and response.json()["source"] == "office"
    assert CalendarDay.objects.filter(date=dt.date(2027, 2, 20), is_workday=True).exists()
    assert api.as_user(region.supervisor).delete("/api/v1/calendar/2027-02-20/").status_code == 403
    assert api.as_user(sysadmin).delete("/api/v1/calendar/2027-02-20/").status_code == 204


@pytest.mark.django_db
def test_a_regions_own_days_by_its_supervisors_for_itself(api, region):
    # 甲县 gives its units 2 Nov 2026 (a Monday) off; 乙县 and the national calendar keep it a working day.
    day = {"date": "2026-11-02", "is_workday": False, "note": "县庆", "organisation": region.county.pk}
    assert api.as_user(region.auditor).post("/api/v1/calendar/", day, format="json").status_code == 403
    assert api.as_user(region.member).post("/api/v1/calendar/", day, format="json").status_code == 404  # not theirs to see
    other = {**day, "organisation": region.other_county.pk}
    assert api.as_user(region.supervisor).post("/api/v1/calendar/", other, format="json").status_code == 404
    response = api.as_user(region.supervisor).post("/api/v1/calendar/", day, format="json")
    assert response.status_code == 201 and response.json()["is_workday"] is False
    assert RegionCalendarDay.objects.filter(organisation=region.county).count() == 1
    friday = dt.date(2026, 10, 30)
    assert workdays.add_workdays(friday, 1) == dt.date(2026, 11, 2)
    assert workdays.add_workdays(friday, 1, region.bureau) == dt.date(2026, 11, 3)  # below 甲县: its day counts
    assert workdays.add_workdays(friday, 1, region.other_county_bureau) == dt.date(2026, 11, 2)
    # A message to a 甲县 unit received that Friday, due in 1 working day, was stored as 2 Nov: entering the
    # day moved it (this one was stored before; see the next test for the recomputation itself).
    response = api.as_user(region.supervisor).delete(f"/api/v1/calendar/2026-11-02/?organisation={region.county.pk}")
    assert response.status_code == 204
    assert workdays.add_workdays(friday, 1, region.bureau) == dt.date(2026, 11, 2)


@pytest.mark.django_db
def test_entering_2027_moves_every_stored_due_date_it_crosses(api, region, sysadmin):
    site = SiteFactory(owner=region.bureau)
    MessagePolicyFactory(organisation=region.bureau, reply_workdays=3)
    received = dt.datetime(2026, 12, 30, 10, tzinfo=SH)
    with mock.patch("django.utils.timezone.now", return_value=received + dt.timedelta(hours=1)):
        message = inspection_services.message_create(received_at=received, content="咨询", site=site)
        report = inspection_services.error_report_create(site=site, received_at=received, content="错字")
    filing = FilingFactory(account__owner=region.bureau, event_date=dt.date(2026, 12, 30),
                           due_on=workdays.add_workdays(dt.date(2026, 12, 30), 3))
    finding = FindingFactory(organisation=region.bureau, found_on=dt.date(2026, 12, 25), due_on=dt.date(2027, 1, 1),
                             detail={"rectify_days": 7})
    # Before 2027 is entered, 1 Jan 2027 counts as a working day: 30 Dec + 3 working days is 4 Jan.
    assert (message.due_on, filing.due_on, report.due_on) == (dt.date(2027, 1, 4), dt.date(2027, 1, 4), dt.date(2026, 12, 31))
    response = api.as_user(sysadmin).post("/api/v1/calendar/notice/", {
        "year": 2027, "text": NOTICE_2027, "announcement": "国办发明电〔2026〕X号"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"date": "2027-01-01", "is_workday": False, "note": "元旦"} in body["days"]
    assert {"date": "2027-02-20", "is_workday": True, "note": "春节调休上班"} in body["days"]
    assert body["moved"] == {"error_reports": 0, "messages": 1, "findings": 1, "filings": 1, "accounts": 0}
    message.refresh_from_db()
    report.refresh_from_db()
    filing.refresh_from_db()
    finding.refresh_from_db()
    assert message.due_on == dt.date(2027, 1, 5) and filing.due_on == dt.date(2027, 1, 5)
    assert report.due_on == dt.date(2026, 12, 31)  # its span does not reach the new days
    assert finding.due_on == dt.date(2027, 1, 4)  # 25 Dec + 7 days is 1 Jan, now a day off: the next working day
    assert CalendarYear.objects.filter(year=2027).exists()
    entry = AuditEntry.objects.filter(changes__icontains="moved_due_dates").latest("pk")
    assert entry.actor == sysadmin and "2027-01-01" in str(entry.changes)
    # Removing the day moves them back.
    assert api.as_user(sysadmin).delete("/api/v1/calendar/2027-01-01/").status_code == 204
    message.refresh_from_db()
    assert message.due_on == dt.date(2027, 1, 4)


@pytest.mark.django_db
def test_a_finding_due_inside_national_day_is_due_the_next_working_day():
    from rules.dates import rectification_due

    # 30 Sep 2026 + 7 days is 7 Oct, the last day of 国庆 2026 (chinesecalendar: 1–7 Oct off, 8 Oct a Thursday at work).
    assert rectification_due(dt.date(2026, 9, 30), 7) == dt.date(2026, 10, 8)
    assert rectification_due(dt.date(2026, 9, 20), 7) == dt.date(2026, 9, 28)  # 27 Sep: 中秋, a Sunday off
    assert rectification_due(dt.date(2026, 10, 3), 7) == dt.date(2026, 10, 10)  # a Saturday make-up working day
    assert Finding.objects.count() == 0
