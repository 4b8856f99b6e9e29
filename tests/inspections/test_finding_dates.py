"""Dates of findings (issue 10, item 4): the rectification period runs from the day the run is made (a run for a
past date makes nobody overdue before they could know), and a due date never falls on a day off."""
import datetime as dt
from unittest import mock

import pytest

from inspections import services
from inspections.models import Finding, FindingStatus
from tests.factories import AccountFactory


def run(as_of, today):
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        result = services.inspect(as_of=as_of)
    assert result.status == "finished", result.error
    return result


@pytest.mark.django_db
def test_a_run_for_a_day_40_days_back_makes_nobody_overdue_the_next_day(region):
    accounts = [AccountFactory(owner=region.bureau, platform=p, opened_on=dt.date(2026, 6, 1)) for p in ("wechat", "weibo")]
    today = dt.date(2026, 11, 9)
    run(today - dt.timedelta(days=40), today)  # 30 Sep, made on 9 Nov
    found = Finding.objects.filter(rule="account_stale")
    assert {f.subject_id for f in found} == {a.pk for a in accounts}
    assert {f.found_on for f in found} == {dt.date(2026, 9, 30)}
    # Due a period after the unit could know: 9 Nov + 7 days = 16 Nov (a Monday).
    assert {f.due_on for f in found} == {dt.date(2026, 11, 16)}
    run(today + dt.timedelta(days=1), today + dt.timedelta(days=1))
    assert not Finding.objects.filter(status=FindingStatus.OVERDUE).exists()
    assert not Finding.objects.filter(rule="rectification_overdue").exists()
    # Once a real run's day passes the due date, they are overdue.
    run(dt.date(2026, 11, 17), dt.date(2026, 11, 17))
    assert Finding.objects.filter(rule="account_stale", status=FindingStatus.OVERDUE).count() == 2


@pytest.mark.django_db
def test_a_finding_of_30_september_2026_is_due_after_national_day(region):
    account = AccountFactory(owner=region.bureau, opened_on=dt.date(2026, 6, 1))
    run(dt.date(2026, 9, 30), dt.date(2026, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    # 30 Sep + 7 days = 7 Oct, the last day of 国庆 2026 (chinesecalendar: 1–7 Oct): due Thursday 8 Oct.
    assert finding.due_on == dt.date(2026, 10, 8)
    assert finding.detail["rectify_days"] == 7
