import datetime as dt
from types import SimpleNamespace

import pytest

from organisations.models import Role
from sites.models import ColumnCategory
from tests.factories import AccountFactory, ColumnFactory, SiteFactory, person


@pytest.fixture
def newsroom(region):
    """The bureau's six reviewers (SPEC 三审三校: two editors, a section head, two deputies, the principal),
    a portal column and a live WeChat account it may publish to, and a column of another bureau."""
    site = SiteFactory(name="甲县人民政府网", url="https://www.jia.gov.cn", owner=region.county)
    column = ColumnFactory(site=site, name="部门动态", category=ColumnCategory.NEWS, responsible=region.bureau,
                           url="https://www.jia.gov.cn/bmdt", opened_on=dt.date(2024, 1, 2))
    foreign_column = ColumnFactory(site=site, name="卫健动态", category=ColumnCategory.NEWS, responsible=region.other_bureau)
    account = AccountFactory(name="甲县教育", platform="wechat", owner=region.bureau, opened_on=dt.date(2024, 1, 2),
                             url="https://mp.weixin.qq.com/jiaxianjiaoyu")
    return SimpleNamespace(
        region=region, bureau=region.bureau, site=site, column=column, foreign_column=foreign_column, account=account,
        editor=region.member,  # review1
        editor2=person("editor2", region.bureau, Role.EDITOR),  # proof1
        section=person("section", region.bureau, Role.SECTION_HEAD),  # proof2
        deputy=person("deputy", region.bureau, Role.DEPUTY_HEAD),  # review2
        deputy2=person("deputy2", region.bureau, Role.DEPUTY_HEAD),  # proof3
        principal=region.owner,  # review3
        author=person("author", region.bureau, Role.EDITOR),
    )
