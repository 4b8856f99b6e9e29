"""An account's update records keep its last update and last original current, by Asia/Shanghai date; one live
account per owner and platform is a database rule."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import AccountStatus, Platform
from accounts.services import account_add_update
from tests.factories import AccountFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def account(region):
    return AccountFactory(name="甲县教育", platform=Platform.WECHAT, owner=region.bureau)


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
        AccountFactory(name="甲县教育服务号", platform=Platform.WECHAT, account_type="service", owner=region.bureau, status=AccountStatus.APPLYING)
    AccountFactory(name="甲县教育（已注销）", platform=Platform.WECHAT, owner=region.bureau, status=AccountStatus.DEREGISTERED)
    AccountFactory(name="甲县教育小程序", platform=Platform.WECHAT, owner=region.bureau, exemption_reason="办事小程序，经县政府办批准")
