"""Builders for the inspection tests: sites, columns and accounts with updates on fixed dates."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.services import account_add_update
from rules import versions
from rules.packs import REGIONAL_ONLY
from sites.services import column_add_update
from tests.factories import AccountFactory, ColumnFactory, SiteFactory

SH = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


class Build:
    def __init__(self, region):
        self.region = region
        self.n = 0

    def site(self, owner=None, **fields):
        self.n += 1
        fields.setdefault("launched_on", dt.date(2020, 1, 1))
        return SiteFactory(name=f"网站{self.n}", url=f"https://s{self.n}.example.gov.cn/", owner=owner or self.region.bureau, **fields)

    def column(self, site, category="news", opened_on=dt.date(2020, 1, 1), updates=(), **fields):
        self.n += 1
        column = ColumnFactory(site=site, name=f"栏目{self.n}", category=category, opened_on=opened_on, **fields)
        for day in updates:
            column_add_update(column=column, published_at=at(day), title=f"稿件 {day}")
        column.refresh_from_db()
        return column

    def account(self, owner=None, platform=None, opened_on=dt.date(2020, 1, 1), updates=(), originals=None, **fields):
        self.n += 1
        platforms = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
        account = AccountFactory(
            name=f"账号{self.n}", platform=platform or platforms[self.n % len(platforms)], owner=owner or self.region.bureau,
            opened_on=opened_on, **fields,
        )
        for day in updates:
            account_add_update(account=account, published_at=at(day), title=f"推送 {day}", original=originals is None or day in originals)
        account.refresh_from_db()
        return account


def regional_rules(region):
    """Put the rules only some regions have (rules/packs.py REGIONAL_ONLY: weekly, original, filing, backfill,
    closure notice, provincial notices) in force for 甲县 at their product defaults, as a region's pack would."""
    return versions.create_local_version(user=region.supervisor, organisation=region.county, year=2019, on=dt.date(2024, 1, 1),
                                         items=[{"code": code} for code in REGIONAL_ONLY])


@pytest.fixture
def build(region):
    return Build(region)
