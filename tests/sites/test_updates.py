"""A column's update records keep its last update date current, by Asia/Shanghai date, never backwards."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sites.services import column_add_update
from tests.factories import ColumnFactory, SiteFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def column(region):
    site = SiteFactory(name="甲县人民政府门户网站", url="https://www.jia.gov.cn/", owner=region.county)
    return ColumnFactory(site=site, name="工作动态")


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
