"""Accounts, filings and posts lists (issue 11 "Lists"): search, whitelisted sorts, validated filters, the
filters kept in the pager and the phone-card markup."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import FilingStatus
from publishing.models import PostStatus
from tests.factories import AccountFactory, FilingFactory, PostFactory

pytestmark = pytest.mark.django_db


def names(response, prefix):
    return re.findall(rf'<a href="/{prefix}/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def accounts(region):
    return [
        AccountFactory(name="甲县教育发布", platform="wechat", owner=region.bureau, platform_id="jxjy"),
        AccountFactory(name="甲县卫健", platform="weibo", owner=region.other_bureau),
        AccountFactory(name="平安甲县", platform="douyin", owner=region.bureau),
        AccountFactory(name="乙县教育", platform="wechat", owner=region.other_county_bureau),
    ]


def test_accounts_search_by_name_platform_id_or_owner_and_sort(client, region, accounts):
    client.force_login(region.supervisor)
    assert names(client.get("/accounts/?q=卫生健康局"), "accounts") == ["甲县卫健"]
    assert names(client.get("/accounts/?q=jxjy"), "accounts") == ["甲县教育发布"]
    assert sorted(names(client.get("/accounts/?q=甲县教育局"), "accounts")) == ["平安甲县", "甲县教育发布"]
    by_name = names(client.get("/accounts/?sort=name"), "accounts")
    assert by_name == sorted(by_name) and len(by_name) == 3 and "乙县教育" not in by_name
    assert names(client.get("/accounts/?sort=-name"), "accounts") == by_name[::-1]
    assert names(client.get("/accounts/?sort=owner__users__password"), "accounts") == names(client.get("/accounts/"), "accounts")
    # The export link carries the search and sort, so it lists the same accounts.
    page = client.get("/accounts/?q=甲县教育局&sort=name").content.decode()
    assert re.search(r'href="/accounts/register.xlsx\?q=%E7%94%B2[^"]*sort=name"', page)


def test_accounts_bad_number_is_told_not_an_error(client, region, accounts):
    client.force_login(region.supervisor)
    response = client.get("/accounts/?days=abc&platform=wechat")
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode() and "未更新至少（天）" in response.content.decode()
    assert names(response, "accounts") == ["甲县教育发布"]


def test_accounts_table_is_marked_for_phone_cards(client, region, accounts):
    client.force_login(region.supervisor)
    page = client.get("/accounts/").content.decode()
    assert 'class="table list"' in page and 'data-label="账号名称"' in page and 'data-label="距更新时限"' in page


@pytest.fixture
def filings(region, accounts):
    made = [
        FilingFactory(account=accounts[0], created_by=region.member, status=FilingStatus.PENDING, stage="owner_principal",
                      reason="新开教育号"),
        FilingFactory(account=accounts[1], created_by=region.neighbour, status=FilingStatus.DRAFT),
        FilingFactory(account=accounts[2], created_by=region.member, status=FilingStatus.REJECTED),
    ]
    days = [dt.datetime(2026, 10, 1, 9), dt.datetime(2026, 10, 10, 9), dt.datetime(2026, 10, 20, 9)]
    for filing, day in zip(made, days):
        type(filing).objects.filter(pk=filing.pk).update(created_at=timezone.make_aware(day))
    return made


def filing_rows(response):
    section = response.content.decode().split("全部备案", 1)[1]
    return [int(pk) for pk in re.findall(r'<a href="/filings/(\d+)/">\d+</a>', section)]


def test_filings_search_filter_sort(client, region, filings):
    client.force_login(region.supervisor)
    newest_first = [f.pk for f in filings][::-1]
    assert filing_rows(client.get("/filings/")) == newest_first
    assert filing_rows(client.get("/filings/?sort=created_at")) == newest_first[::-1]
    assert filing_rows(client.get("/filings/?q=卫健")) == [filings[1].pk]
    assert filing_rows(client.get("/filings/?q=新开教育号")) == [filings[0].pk]
    assert filing_rows(client.get("/filings/?status=rejected")) == [filings[2].pk]
    assert filing_rows(client.get("/filings/?created_from=2026-10-05&created_to=2026-10-15")) == [filings[1].pk]
    response = client.get("/filings/?created_from=2026-10-15&created_to=2026-10-05")
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    # The end is left out, the start still applies.
    assert filing_rows(response) == [filings[2].pk]
    bad = client.get("/filings/?status=nonsense&sort=;drop")
    assert bad.status_code == 200 and "筛选条件有误" in bad.content.decode()
    assert filing_rows(bad) == newest_first


@pytest.fixture
def posts(region):
    made = [
        PostFactory(title="秋季开学工作会议", organisation=region.bureau, author=region.member),
        PostFactory(title="卫生健康宣传周", organisation=region.other_bureau, author=region.neighbour,
                    status=PostStatus.PUBLISHED),
        PostFactory(title="安全生产专题会", organisation=region.bureau, author=region.member, sensitivity="major"),
    ]
    for post, day in zip(made, (1, 5, 9)):
        type(post).objects.filter(pk=post.pk).update(updated_at=timezone.make_aware(dt.datetime(2026, 10, day, 9)))
    return made


def test_posts_search_filter_sort(client, region, posts):
    client.force_login(region.supervisor)
    assert names(client.get("/posts/"), "posts") == ["安全生产专题会", "卫生健康宣传周", "秋季开学工作会议"]
    assert names(client.get("/posts/?sort=updated_at"), "posts") == ["秋季开学工作会议", "卫生健康宣传周", "安全生产专题会"]
    assert names(client.get("/posts/?q=卫生健康局"), "posts") == ["卫生健康宣传周"]
    assert names(client.get("/posts/", {"q": str(region.neighbour)}), "posts") == ["卫生健康宣传周"]
    assert names(client.get("/posts/?sensitivity=major"), "posts") == ["安全生产专题会"]
    assert names(client.get("/posts/?status=published"), "posts") == ["卫生健康宣传周"]
    assert names(client.get("/posts/?updated_from=2026-10-04&updated_to=2026-10-06"), "posts") == ["卫生健康宣传周"]
    response = client.get("/posts/?updated_from=2026-02-30")
    assert response.status_code == 200 and "更新日期自" in response.content.decode()
    assert len(names(response, "posts")) == 3
    client.force_login(region.member)
    assert names(client.get("/posts/?mine=on&sort=title"), "posts") == sorted(["秋季开学工作会议", "安全生产专题会"])
