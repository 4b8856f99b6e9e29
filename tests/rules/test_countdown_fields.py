"""Columns and accounts say in the API how many days remain before they break their update rule."""
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from accounts.services import account_add_update
from rules.models import ChecklistItem, ChecklistVersion
from rules.thresholds import national_version
from sites.models import ColumnCategory
from sites.services import column_add_update
from tests.factories import AccountFactory, ColumnFactory, SiteFactory

SH = ZoneInfo("Asia/Shanghai")
TUESDAY_AFTER_NATIONAL_DAY = dt.date(2024, 10, 8)


@pytest.mark.django_db
def test_column_and_account_countdown(api, region):
    site = SiteFactory(name="甲县门户", url="https://www.jia.gov.cn/", owner=region.county)
    news = ColumnFactory(site=site, name="工作动态", category=ColumnCategory.NEWS, responsible=region.bureau)
    column_add_update(column=news, published_at=dt.datetime(2024, 9, 25, 9, tzinfo=SH), title="秋季开学")
    account = AccountFactory(name="甲县教育", owner=region.bureau, opened_on=dt.date(2024, 1, 2))
    account_add_update(account=account, published_at=dt.datetime(2024, 10, 1, 9, tzinfo=SH), title="国庆祝福", original=True)
    # The weekly rule is regional (青岛 §10): the county's own version holds it, so its units' countdown does.
    national = national_version(TUESDAY_AFTER_NATIONAL_DAY)
    local = ChecklistVersion.objects.create(year=2024, name="甲县本地指标", base=national, organisation=region.county)
    ChecklistItem.objects.create(version=local, code="account_weekly", name="账号每周至少更新一次", kind="deduction",
                                 thresholds={"updates_per_week": 1}, enabled=True)
    client = api.as_user(region.member)
    with mock.patch("django.utils.timezone.localdate", return_value=TUESDAY_AFTER_NATIONAL_DAY):
        column = client.get(f"/api/v1/columns/{news.pk}/").json()
        listed = client.get("/api/v1/accounts/").json()["results"]
    # News: 14 days after 25 Sept is 9 Oct, one day left.
    assert (column["deadline"], column["days_left"]) == ("2024-10-09", 1)
    # No update yet in the week of 7 Oct: the weekly rule breaks on Sunday 13 Oct, before the 14-day rule (15 Oct).
    row = next(r for r in listed if r["id"] == account.pk)
    assert (row["deadline"], row["days_left"]) == ("2024-10-13", 5)


@pytest.mark.django_db
def test_pages_show_the_countdown(client, region):
    site = SiteFactory(name="甲县门户", url="https://www.jia.gov.cn/", owner=region.county)
    news = ColumnFactory(site=site, name="工作动态", category=ColumnCategory.NEWS)
    column_add_update(column=news, published_at=dt.datetime(2024, 9, 20, 9, tzinfo=SH), title="秋季开学")
    account = AccountFactory(name="甲县教育", owner=region.bureau, opened_on=dt.date(2024, 1, 2))
    account_add_update(account=account, published_at=dt.datetime(2024, 10, 7, 9, tzinfo=SH), title="假期安全", original=True)
    client.force_login(region.supervisor)
    with mock.patch("django.utils.timezone.localdate", return_value=TUESDAY_AFTER_NATIONAL_DAY):
        site_page = client.get(f"/sites/{site.pk}/").content.decode()
        account_page = client.get("/accounts/").content.decode()
    assert "已超期 4 天" in site_page  # 20 Sept + 14 days = 4 Oct
    assert 'data-days-left="13"' in account_page  # 7 Oct + 14 days = 21 Oct; the week of 7 Oct is settled
