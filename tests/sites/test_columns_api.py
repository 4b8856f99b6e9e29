"""Columns and their update records through the API."""
import datetime as dt

import pytest
from django.utils import timezone

from sites.models import Column, ColumnUpdate
from tests.factories import ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(region):
    return SiteFactory(name="甲县人民政府门户网站", owner=region.county, supervisor=region.county)


@pytest.fixture
def bureau_site(region):
    return SiteFactory(name="甲县教育局网站", owner=region.bureau, supervisor=region.county)


def test_a_column_tree_is_built_under_a_site(api, region, portal):
    client = api.as_user(region.supervisor)
    top = client.post("/api/v1/columns/", {"site": portal.pk, "name": "政务公开", "category": "other"}, format="json")
    assert top.status_code == 201, top.data
    child = client.post("/api/v1/columns/", {
        "site": portal.pk, "parent": top.data["id"], "name": "政策文件", "category": "policy",
        "responsible": region.bureau.pk, "url": "https://www.example.gov.cn/zcwj/", "last_updated_on": "2030-01-01",
    }, format="json")
    assert child.status_code == 201, child.data
    assert child.data["last_updated_on"] is None  # read only: only update records move it
    assert child.data["category_display"] == "政策文件"
    assert Column.objects.get(pk=child.data["id"]).parent_id == top.data["id"]


def test_a_name_is_unique_under_its_parent_and_among_top_level_columns(api, region, portal):
    client = api.as_user(region.supervisor)
    parent = ColumnFactory(site=portal, name="政务公开", category="other")
    ColumnFactory(site=portal, parent=parent, name="政策文件")
    response = client.post("/api/v1/columns/", {"site": portal.pk, "parent": parent.pk, "name": "政策文件"}, format="json")
    assert response.status_code == 400 and "政务公开" in response.data["name"][0]
    response = client.post("/api/v1/columns/", {"site": portal.pk, "name": "政务公开"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    # The same name elsewhere in the tree is fine.
    assert client.post("/api/v1/columns/", {"site": portal.pk, "name": "政策文件"}, format="json").status_code == 201


def test_a_parent_must_be_of_the_same_site_and_not_below_the_column(api, region, portal, bureau_site):
    client = api.as_user(region.supervisor)
    elsewhere = ColumnFactory(site=bureau_site)
    response = client.post("/api/v1/columns/", {"site": portal.pk, "parent": elsewhere.pk, "name": "新闻"}, format="json")
    assert response.status_code == 400 and "parent" in response.data
    top = ColumnFactory(site=portal, name="一级")
    below = ColumnFactory(site=portal, name="二级", parent=top)
    response = client.patch(f"/api/v1/columns/{top.pk}/", {"parent": below.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.data


def test_bad_category_and_url_are_named(api, region, portal):
    response = api.as_user(region.supervisor).post(
        "/api/v1/columns/", {"site": portal.pk, "name": "新闻", "category": "weekly", "url": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert {"category", "url"} <= set(response.data)


def test_only_the_sites_managers_keep_its_columns(api, region, bureau_site):
    data = {"site": bureau_site.pk, "name": "教育动态", "category": "news"}
    assert api.as_user(region.member).post("/api/v1/columns/", data, format="json").status_code == 403
    assert api.as_user(region.owner).post("/api/v1/columns/", data, format="json").status_code == 201
    assert api.as_user(region.outsider).post("/api/v1/columns/", data, format="json").status_code == 400  # site unseen


def test_a_unit_sees_the_columns_it_provides_content_for(api, region, portal):
    theirs = ColumnFactory(site=portal, name="卫生健康", responsible=region.other_bureau)
    ColumnFactory(site=portal, name="教育", responsible=region.bureau)
    rows = api.as_user(region.neighbour).get("/api/v1/columns/").data["results"]
    assert [r["id"] for r in rows] == [theirs.pk]
    assert api.as_user(region.outsider).get(f"/api/v1/columns/{theirs.pk}/").status_code == 404


def test_columns_filter_by_site_category_responsible_and_parent(api, region, portal, bureau_site):
    top = ColumnFactory(site=portal, name="政务公开", category="other")
    policy = ColumnFactory(site=portal, name="政策文件", category="policy", parent=top, responsible=region.bureau)
    news = ColumnFactory(site=portal, name="政务动态", category="news")
    ColumnFactory(site=bureau_site, name="教育动态", category="news")
    client = api.as_user(region.supervisor)

    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/columns/?{query}").data["results"]}

    assert ids(f"site={portal.pk}") == {top.pk, policy.pk, news.pk}
    assert ids(f"site={portal.pk}&category=news") == {news.pk}
    assert ids(f"responsible={region.bureau.pk}") == {policy.pk}
    assert ids(f"parent={top.pk}") == {policy.pk}
    assert ids(f"site={portal.pk}&top=true") == {top.pk, news.pk}


def test_the_column_list_has_a_fixed_number_of_queries(api, region, portal, django_assert_max_num_queries):
    for i in range(40):
        ColumnFactory(site=portal, responsible=region.bureau)
    client = api.as_user(region.supervisor)
    # 6, plus the checklist the countdown reads (national version, local versions, their items: each column's
    # deadline by its own unit's checklist): constant, whatever the rows.
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/columns/?page_size=100")
    assert response.data["count"] == 40


def test_an_editor_of_the_responsible_unit_records_an_update(api, region, portal):
    column = ColumnFactory(site=portal, name="教育动态", responsible=region.bureau)
    client = api.as_user(region.member)
    # 16:30 UTC on 7 October is already 8 October in Asia/Shanghai: the date counted is the local one.
    response = client.post(f"/api/v1/columns/{column.pk}/updates/", {
        "published_at": "2024-10-07T16:30:00Z", "title": "我县开展国庆假期校园安全检查", "url": "https://www.example.gov.cn/a/1.html",
    }, format="json")
    assert response.status_code == 201, response.data
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 8)
    listed = client.get(f"/api/v1/columns/{column.pk}/updates/").data
    assert listed["count"] == 1 and listed["results"][0]["title"] == "我县开展国庆假期校园安全检查"
    assert listed["results"][0]["source"] == "api"


def test_an_older_update_does_not_move_the_last_update_back(api, region, portal):
    column = ColumnFactory(site=portal, responsible=region.bureau)
    client = api.as_user(region.supervisor)
    for moment in ("2024-10-12T09:00:00+08:00", "2024-09-29T09:00:00+08:00"):
        assert client.post(f"/api/v1/columns/{column.pk}/updates/", {"published_at": moment, "title": "t"}, format="json").status_code == 201
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 12)


def test_a_repeated_external_id_adds_nothing(api, region, portal):
    column = ColumnFactory(site=portal)
    client = api.as_user(region.supervisor)
    data = {"published_at": "2024-10-08T10:00:00+08:00", "title": "通知", "external_id": "cms-8812"}
    assert client.post(f"/api/v1/columns/{column.pk}/updates/", data, format="json").status_code == 201
    assert client.post(f"/api/v1/columns/{column.pk}/updates/", data, format="json").status_code == 200
    assert ColumnUpdate.objects.filter(column=column).count() == 1


def test_update_records_refuse_bad_input_and_strangers(api, region, portal):
    column = ColumnFactory(site=portal, responsible=region.bureau)
    url = f"/api/v1/columns/{column.pk}/updates/"
    client = api.as_user(region.member)
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = client.post(url, {"published_at": future, "title": "明天的新闻"}, format="json")
    assert response.status_code == 400 and "published_at" in response.data
    response = client.post(url, {"published_at": "yesterday", "title": ""}, format="json")
    assert response.status_code == 400 and {"published_at", "title"} <= set(response.data)
    assert api.as_user(region.auditor).post(url, {"published_at": "2024-10-08T10:00:00+08:00", "title": "t"}, format="json").status_code == 403
    assert api.as_user(region.outsider).post(url, {"published_at": "2024-10-08T10:00:00+08:00", "title": "t"}, format="json").status_code == 404
    assert not ColumnUpdate.objects.exists()


def test_a_column_with_children_is_not_deleted(api, region, portal):
    top = ColumnFactory(site=portal, name="政务公开")
    ColumnFactory(site=portal, name="政策文件", parent=top)
    client = api.as_user(region.supervisor)
    assert client.delete(f"/api/v1/columns/{top.pk}/").status_code == 409
    assert api.as_user(region.member).delete(f"/api/v1/columns/{top.pk}/").status_code == 404
