"""Bulk update records through POST account-updates/ (API.md "Other systems"): a province's content system pushes
its items 1,000 at a time; all or nothing, duplicates by url ignored, last_updated_on kept current set-based."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, AccountUpdate
from accounts.services import account_add_update
from organisations import access
from organisations.models import Role
from tests.factories import AccountFactory, person

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/account-updates/"
PLATFORMS = ["wechat", "weibo", "douyin", "kuaishou", "toutiao"]
# Queries one request of 1,000 records may take, whatever the number of records. Measured, the test's savepoints
# included: 11 on PostgreSQL, 19 on SQLite (where Django splits the INSERT into batches of 124 rows to stay under
# 999 parameters); one more in the minute a token's last use is written.
MAX_QUERIES = 22


@pytest.fixture
def accounts(region):
    return [AccountFactory(name=f"甲县教育{p}", platform=p, owner=region.bureau, supervisor=region.county) for p in PLATFORMS]


def record(account, index, *, day=None, original=None, **fields):
    """The index-th item of the push: one a minute from 8 Oct 2024 08:00 Beijing time, every third a reprint."""
    moment = day or dt.datetime(2024, 10, 8, 8, 0, tzinfo=SH) + dt.timedelta(minutes=index)
    return {
        "account": account.pk, "published_at": moment.isoformat(), "title": f"第{index}条",
        "url": f"https://mp.example.gov.cn/s/{index}", "original": index % 3 != 0 if original is None else original,
        **fields,
    }


def test_ten_thousand_records_go_in_with_ten_requests_and_bounded_queries(api, region, accounts, django_assert_max_num_queries):
    client = api.as_user(region.member)
    items = [record(accounts[i % len(accounts)], i) for i in range(10_000)]
    for start in range(0, 10_000, 1000):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.post(URL, items[start:start + 1000], format="json")
        assert response.status_code == 201, response.json()
        assert response.json() == {"created": 1000, "ignored": 0, "errors": []}
    assert AccountUpdate.objects.filter(source="api").count() == 10_000
    # Each account moved to the Beijing date of its newest record (the last, 9,995…9,999 minutes after the start:
    # 14 Oct 2024) and its newest original.
    for index, account in enumerate(accounts):
        account.refresh_from_db()
        newest = max(i for i in range(10_000) if i % len(accounts) == index)
        newest_original = max(i for i in range(10_000) if i % len(accounts) == index and i % 3 != 0)
        start = dt.datetime(2024, 10, 8, 8, 0, tzinfo=SH)
        assert account.last_updated_on == (start + dt.timedelta(minutes=newest)).date() == dt.date(2024, 10, 15)
        assert account.last_original_on == (start + dt.timedelta(minutes=newest_original)).date()

    again = client.post(URL, items[-1000:], format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "ignored": 1000, "errors": []}
    assert AccountUpdate.objects.count() == 10_000


def test_one_insert_and_one_update_statement_per_request(api, region, accounts):
    items = [record(accounts[i % len(accounts)], i) for i in range(1000)]
    with CaptureQueriesContext(connection) as queries:
        response = api.as_user(region.member).post(URL, items, format="json")
    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [s for s in sql if re.match(r'INSERT (OR IGNORE )?INTO "accounts_accountupdate"', s)]
    updates = [s for s in sql if s.startswith('UPDATE "accounts_account"')]
    # PostgreSQL takes the thousand rows in one statement; SQLite's 999-parameter cap makes Django batch them.
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 9)
    assert len(updates) == 1


def test_last_updated_on_moves_forward_never_back(api, region, accounts):
    account = accounts[0]
    account_add_update(account=account, published_at=dt.datetime(2024, 10, 20, 9, tzinfo=SH), title="已有", original=False)
    items = [
        record(account, 1, day=dt.datetime(2024, 10, 10, 9, tzinfo=SH), original=True),   # older: not back
        record(accounts[1], 2, day=dt.datetime(2024, 9, 30, 23, 30, tzinfo=dt.UTC)),          # 1 Oct in Beijing
    ]
    assert api.as_user(region.member).post(URL, items, format="json").status_code == 201
    account.refresh_from_db()
    accounts[1].refresh_from_db()
    assert account.last_updated_on == dt.date(2024, 10, 20)
    assert account.last_original_on == dt.date(2024, 10, 10)  # there was no original before
    assert accounts[1].last_updated_on == dt.date(2024, 10, 1)


def test_one_bad_record_writes_nothing_and_names_its_index_and_field(api, region, accounts):
    items = [record(accounts[i % len(accounts)], i) for i in range(1000)]
    items[417]["published_at"] = "2024-10-08 上午"
    items[702]["url"] = "not a url"
    response = api.as_user(region.member).post(URL, items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["created"] == 0 and body["ignored"] == 0
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(417, "published_at"), (702, "url")]
    assert all(e["message"] for e in body["errors"])
    assert not AccountUpdate.objects.exists()
    assert not Account.objects.filter(last_updated_on__isnull=False).exists()


def test_a_subject_out_of_scope_is_answered_as_a_missing_one(api, region, accounts):
    foreign = AccountFactory(name="乙县教育", platform="wechat", owner=region.other_county_bureau)
    missing = Account.objects.order_by("-pk").first().pk + 1000
    items = [record(accounts[0], 0), record(foreign, 1), {**record(accounts[0], 2), "account": missing}]
    response = api.as_user(region.member).post(URL, items, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "account"), (2, "account")]
    # The same words, the id aside: nothing tells the caller that the foreign account exists.
    assert errors[0]["message"].replace(str(foreign.pk), "?") == errors[1]["message"].replace(str(missing), "?")
    assert "乙县教育" not in str(errors)
    assert not AccountUpdate.objects.exists()


def test_a_subject_in_scope_the_caller_may_not_record_for_is_refused(api, region, accounts):
    response = api.as_user(region.auditor).post(URL, [record(accounts[0], 0)], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "field": "account", "message": "您不是该账号主办或承办单位的工作人员，不能登记更新。"}
    ]


def test_repeats_within_the_request_and_stored_urls_are_ignored(api, region, accounts):
    account_add_update(account=accounts[0], published_at=dt.datetime(2024, 10, 8, 7, tzinfo=SH), title="已登记",
                       url="https://mp.example.gov.cn/s/0")
    items = [record(accounts[0], 0), record(accounts[0], 1), record(accounts[0], 1), record(accounts[1], 1),
             record(accounts[0], 5, url="")]
    response = api.as_user(region.member).post(URL, items, format="json")
    # /s/0 is stored already, the second /s/1 of accounts[0] repeats; /s/1 of another account is its own record.
    assert response.json() == {"created": 3, "ignored": 2, "errors": []}
    # The single-record path follows the same rule: the url is that item's identity.
    _, created = account_add_update(account=accounts[1], published_at=dt.datetime(2024, 10, 9, tzinfo=SH), title="再推",
                                    url="https://mp.example.gov.cn/s/1")
    assert not created and accounts[1].updates.count() == 1


def test_more_than_a_thousand_items_or_not_a_list_is_refused(api, region, accounts):
    client = api.as_user(region.member)
    too_many = client.post(URL, [record(accounts[0], i) for i in range(1001)], format="json")
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["index"] is None and "1000" in too_many.json()["errors"][0]["message"]
    not_a_list = client.post(URL, record(accounts[0], 0), format="json")
    assert not_a_list.status_code == 400 and not_a_list.json()["errors"][0]["field"] == "non_field_errors"
    broken = client.post(URL, '[{"account": 1,', content_type="application/json")
    assert broken.status_code == 400 and broken.json() == {
        "created": 0, "ignored": 0, "errors": [{"index": None, "field": "non_field_errors", "message": "请求内容不是有效的 JSON。"}]}
    assert not AccountUpdate.objects.exists()
    assert api.__class__().post(URL, [record(accounts[0], 0)], format="json").status_code == 401


def test_the_set_based_permission_agrees_with_can_file(region, accounts):
    operated = AccountFactory(name="乙县代运营", platform="weibo", owner=region.other_county_bureau, operator=region.bureau)
    contractor = person("contractor", region.bureau, Role.OPERATOR)
    subjects = [*accounts, operated]
    for user in (region.owner, region.member, region.neighbour, region.outsider, region.auditor, region.supervisor,
                 contractor):
        permitted = set(Account.objects.filter(access.filing_condition(user)).filter(pk__in=[a.pk for a in subjects])
                        .values_list("pk", flat=True))
        assert permitted == {a.pk for a in subjects if access.can_file(user, a)}, user.username
