"""Update records keep a subject's last update date current, by Asia/Shanghai date, never backwards."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Account, AccountStatus, Platform
from accounts.services import account_add_update
from sites.services import column_add_update
from sites.models import Column, ColumnCategory, Site

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def column(region):
    site = Site.objects.create(name="甲县人民政府门户网站", url="https://www.jia.gov.cn/", owner=region.county)
    return Column.objects.create(site=site, name="工作动态", category=ColumnCategory.NEWS)


@pytest.fixture
def account(region):
    return Account.objects.create(name="甲县教育", platform=Platform.WECHAT, owner=region.bureau, status=AccountStatus.RUNNING)


@pytest.mark.django_db
def test_column_update_uses_the_shanghai_date_and_never_moves_back(column):
    # 23:30 UTC on 30 Sept is 07:30 on 1 Oct in Shanghai.
    column_add_update(column=column, published_at=dt.datetime(2024, 9, 30, 23, 30, tzinfo=dt.UTC), title="国庆值班安排")
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 1)
    column_add_update(column=column, published_at=dt.datetime(2024, 9, 20, 9, 0, tzinfo=SH), title="补录的旧稿")
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 1)
    assert column.updates.count() == 2


@pytest.mark.django_db
def test_the_same_external_item_is_recorded_once(column):
    when = dt.datetime(2024, 10, 8, 9, 0, tzinfo=SH)
    _, created = column_add_update(column=column, published_at=when, title="a", external_id="feed:1")
    _, again = column_add_update(column=column, published_at=when, title="a", external_id="feed:1")
    assert created and not again and column.updates.count() == 1


@pytest.mark.django_db
def test_account_tracks_newest_update_and_newest_original(account):
    account_add_update(account=account, published_at=dt.datetime(2024, 10, 8, 9, 0, tzinfo=SH), title="原创", original=True)
    account_add_update(account=account, published_at=dt.datetime(2024, 10, 12, 9, 0, tzinfo=SH), title="转载", original=False)
    account.refresh_from_db()
    assert account.last_updated_on == dt.date(2024, 10, 12)
    assert account.last_original_on == dt.date(2024, 10, 8)


@pytest.mark.django_db
def test_one_live_account_per_owner_and_platform_is_a_database_rule(account, region):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(name="甲县教育服务号", platform=Platform.WECHAT, account_type="service", owner=region.bureau, status=AccountStatus.APPLYING)
    Account.objects.create(name="甲县教育（已注销）", platform=Platform.WECHAT, owner=region.bureau, status=AccountStatus.DEREGISTERED)
    Account.objects.create(name="甲县教育小程序", platform=Platform.WECHAT, owner=region.bureau, status=AccountStatus.RUNNING, exemption_reason="办事小程序，经县政府办批准")
