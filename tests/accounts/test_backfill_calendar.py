"""Backfill deadlines move with the calendar (issue 10, item 6): an account brought into the register stores the day
its backfill's working days count from, so entering a year's holidays recounts its deadline like the others."""
import datetime as dt

import pytest

from accounts.models import Account
from accounts.services import account_register_existing
from govmedia.core import workdays
from organisations.calendar_changes import calendar_set_days, calendar_remove_day
from organisations.models import AdminRole
from rules import versions
from rules.models import ChecklistVersion
from tests.accounts.builders import full_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_entering_new_year_holidays_moves_a_stored_backfill_deadline(region):
    # 甲县 adopts the 青岛 template (backfill within N working days of its effective date), effective 30 Dec 2026.
    template = ChecklistVersion.objects.get(template=True, region="青岛西海岸新区")
    version = versions.adopt_template(user=region.supervisor, organisation=region.county, template=template, on=D(2026, 12, 1))
    versions.update_local_version(user=region.supervisor, version=version, on=D(2026, 12, 1),
                                  items=[{"code": "backfill_late", "thresholds": {"workdays": 3, "effective_on": "2026-12-30"}}])
    account = account_register_existing(user=region.member, form={**full_form(region), "owner": region.bureau,
                                                                  "supervisor": region.county})
    # 31 Dec, then 1 Jan 2027 (not yet entered: a weekday, so a working day), Mon 4 Jan.
    assert (account.backfill_start_on, account.backfill_due_on) == (D(2026, 12, 30), D(2027, 1, 4))
    untouched = Account.objects.filter(pk=account.pk).values_list("backfill_due_on", flat=True)
    sysadmin = UserFactory(username="sysadmin", admin_role=AdminRole.SYSTEM)

    result = calendar_set_days(user=sysadmin, entries=[(D(2027, 1, 1), False, "元旦")])
    assert result["moved"]["accounts"] == 1
    assert untouched.get() == D(2027, 1, 5) == workdays.add_workdays(D(2026, 12, 30), 3)
    # Removing the day moves it back.
    calendar_remove_day(user=sysadmin, date=D(2027, 1, 1))
    assert untouched.get() == D(2027, 1, 4)


def test_a_region_day_moves_only_that_regions_backfills(region):
    for organisation in (region.bureau, region.other_county_bureau):
        Account.objects.create(name=f"{organisation.name}账号", platform="weibo", owner=organisation, status="running",
                               backfill_start_on=D(2026, 12, 30), backfill_due_on=D(2027, 1, 4))
    calendar_set_days(user=region.supervisor, organisation=region.county, entries=[(D(2026, 12, 31), False, "地方假日")])
    due = dict(Account.objects.values_list("owner_id", "backfill_due_on"))
    assert due == {region.bureau.pk: D(2027, 1, 5), region.other_county_bureau.pk: D(2027, 1, 4)}
