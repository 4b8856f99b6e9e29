"""Bulk update records through POST column-updates/ (API.md "Other systems"): a content system pushes a site's
items 1,000 at a time; all or nothing, duplicates by url ignored, last_updated_on kept current set-based."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisations import access
from organisations.models import Role
from sites.models import Column, ColumnUpdate
from sites.services import column_add_update
from tests.factories import ColumnFactory, SiteFactory, person

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/column-updates/"
# Measured, the test's savepoints included: 11 on PostgreSQL, 19 on SQLite (the INSERT batched by 124 rows there
# to stay under 999 parameters); one more in the minute a token's last use is written.
MAX_QUERIES = 22


@pytest.fixture
def portal(region):
    return SiteFactory(name="甲县人民政府门户网站", owner=region.county, supervisor=region.county)


@pytest.fixture
def columns(region, portal):
    """Four columns of the county's portal whose content the bureau provides."""
    return [ColumnFactory(site=portal, name=f"教育栏目{i}", responsible=region.bureau) for i in range(4)]


def record(column, index, *, moment=None, **fields):
    moment = moment or dt.datetime(2024, 10, 8, 8, 0, tzinfo=SH) + dt.timedelta(minutes=index)
    return {"column": column.pk, "published_at": moment.isoformat(), "title": f"第{index}条",
            "url": f"https://www.jia.gov.cn/art/{index}.html", **fields}


def test_thousands_of_records_go_in_with_bounded_queries_and_one_update(api, region, columns, django_assert_max_num_queries):
    client = api.as_user(region.member)
    items = [record(columns[i % 4], i) for i in range(3000)]
    for start in range(0, 3000, 1000):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(MAX_QUERIES):
            response = client.post(URL, items[start:start + 1000], format="json")
        assert response.json() == {"created": 1000, "ignored": 0, "errors": []}
        sql = [q["sql"] for q in queries.captured_queries]
        assert len([s for s in sql if re.match(r'INSERT (OR IGNORE )?INTO "sites_columnupdate"', s)]) == (
            1 if connection.vendor == "postgresql" else 9)
        assert len([s for s in sql if s.startswith('UPDATE "sites_column"')]) == 1
    # Each column's newest (minutes 2,996…2,999 after 08:00 on 8 Oct, Beijing time) falls on 10 Oct.
    assert {c.last_updated_on for c in Column.objects.filter(pk__in=[c.pk for c in columns])} == {dt.date(2024, 10, 10)}
    assert ColumnUpdate.objects.filter(source="api").count() == 3000
    again = client.post(URL, items[:1000], format="json")
    assert again.status_code == 200 and again.json() == {"created": 0, "ignored": 1000, "errors": []}


def test_a_newer_date_moves_forward_an_older_one_does_not(api, region, columns):
    column_add_update(column=columns[0], published_at=dt.datetime(2024, 10, 20, 9, tzinfo=SH), title="已有")
    items = [record(columns[0], 1, moment=dt.datetime(2024, 10, 1, 9, tzinfo=SH)),
             record(columns[1], 2, moment=dt.datetime(2024, 10, 7, 16, 30, tzinfo=dt.UTC))]  # 8 Oct in Beijing
    assert api.as_user(region.member).post(URL, items, format="json").status_code == 201
    assert Column.objects.get(pk=columns[0].pk).last_updated_on == dt.date(2024, 10, 20)
    assert Column.objects.get(pk=columns[1].pk).last_updated_on == dt.date(2024, 10, 8)


def test_a_bad_record_writes_nothing_and_names_index_and_field(api, region, columns):
    items = [record(columns[i % 4], i) for i in range(50)]
    items[3]["title"] = ""
    items[31]["published_at"] = (timezone.now() + dt.timedelta(days=2)).isoformat()
    items[40] = "not a record"
    response = api.as_user(region.member).post(URL, items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (3, "title"), (31, "published_at"), (40, "non_field_errors")]
    assert body["errors"][1]["message"] == "发布时间不能晚于当前时间。"
    assert not ColumnUpdate.objects.exists()
    assert not Column.objects.filter(last_updated_on__isnull=False).exists()


def test_out_of_scope_reads_as_missing_and_strangers_are_refused(api, region, columns):
    foreign = ColumnFactory(site=SiteFactory(owner=region.other_county), name="乙县动态")
    missing = Column.objects.order_by("-pk").first().pk + 1000
    response = api.as_user(region.member).post(
        URL, [record(columns[0], 0), record(foreign, 1), {**record(columns[0], 2), "column": missing}], format="json")
    errors = response.json()["errors"]
    assert response.status_code == 400 and [(e["index"], e["field"]) for e in errors] == [(1, "column"), (2, "column")]
    assert errors[0]["message"].replace(str(foreign.pk), "?") == errors[1]["message"].replace(str(missing), "?")
    refused = api.as_user(region.auditor).post(URL, [record(columns[0], 0)], format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "只有网站主办、承办单位或栏目内容保障单位的工作人员可以登记更新。"
    assert not ColumnUpdate.objects.exists()


def test_more_than_a_thousand_is_refused(api, region, columns):
    response = api.as_user(region.member).post(URL, [record(columns[0], i) for i in range(1001)], format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["index"] is None
    assert not ColumnUpdate.objects.exists()


def test_the_set_based_permission_agrees_with_can_record_update(region, portal, columns):
    bureau_site = SiteFactory(name="甲县教育局网站", owner=region.bureau, operator=region.other_bureau)
    others = [ColumnFactory(site=bureau_site, name="通知公告"), ColumnFactory(site=portal, name="卫健动态")]
    contractor = person("contractor", region.other_bureau, Role.OPERATOR)
    subjects = [*columns, *others]
    for user in (region.owner, region.member, region.neighbour, region.outsider, region.auditor, region.supervisor,
                 contractor):
        permitted = set(Column.objects.filter(access.recording_condition(user)).filter(pk__in=[c.pk for c in subjects])
                        .values_list("pk", flat=True))
        assert permitted == {c.pk for c in subjects if access.can_record_update(user, c)}, user.username
