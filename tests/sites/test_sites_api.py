"""Websites through the API: who may register and change them, who sees them, and what is refused."""
import datetime as dt

import pytest
from django.utils import timezone

from sites.models import Site
from sites.services import column_add_update
from tests.factories import ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(region):
    portal = SiteFactory(name="甲县人民政府门户网站", owner=region.county, supervisor=region.county)
    bureau_site = SiteFactory(name="甲县教育局网站", owner=region.bureau, supervisor=region.county)
    other = SiteFactory(name="乙县人民政府门户网站", owner=region.other_county)
    return portal, bureau_site, other


def payload(region, **extra):
    return {
        "name": "甲县教育局网站（新版）", "url": "https://jy.example.gov.cn/", "owner": region.bureau.pk,
        "supervisor": region.county.pk, "icp_number": "甲ICP备12345678号", "police_number": "甲公网安备 00000000000001号",
        "site_code": "1234000001", "status": "running", "launched_on": "2024-10-08", **extra,
    }


def test_the_owners_principal_registers_a_site_with_every_field(api, region):
    response = api.as_user(region.owner).post("/api/v1/sites/", payload(region, has_consultation_channel=False), format="json")
    assert response.status_code == 201, response.data
    site = Site.objects.get(pk=response.data["id"])
    assert (site.icp_number, site.site_code, site.launched_on) == ("甲ICP备12345678号", "1234000001", dt.date(2024, 10, 8))
    assert site.has_consultation_channel is False
    assert response.data["status_display"] == "运行中"


def test_a_supervisor_registers_a_site_for_a_unit_below(api, region):
    response = api.as_user(region.supervisor).post("/api/v1/sites/", payload(region), format="json")
    assert response.status_code == 201


def test_an_editor_of_the_owner_may_not_register_a_site(api, region):
    response = api.as_user(region.member).post("/api/v1/sites/", payload(region), format="json")
    assert response.status_code == 403
    assert not Site.objects.exists()


@pytest.mark.parametrize("field", ["owner", "operator", "supervisor"])
def test_a_unit_outside_the_callers_scope_is_a_bad_value(api, region, field):
    data = payload(region, **{field: region.other_county_bureau.pk})
    response = api.as_user(region.supervisor).post("/api/v1/sites/", data, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_bad_input_names_each_field(api, region):
    response = api.as_user(region.supervisor).post(
        "/api/v1/sites/", payload(region, url="not a url", status="closed", launched_on="2024-13-01"), format="json"
    )
    assert response.status_code == 400
    assert {"url", "status", "launched_on"} <= set(response.data)


def test_each_person_sees_the_sites_of_the_units_they_see(api, region, sites):
    portal, bureau_site, other = sites

    def names(user):
        return {row["name"] for row in api.as_user(user).get("/api/v1/sites/").data["results"]}

    assert names(region.supervisor) == {portal.name, bureau_site.name}
    assert names(region.member) == {bureau_site.name}
    assert names(region.owner) == {bureau_site.name}
    assert names(region.outsider) == {other.name}
    assert names(region.neighbour) == set()


def test_a_site_outside_the_scope_is_not_found(api, region, sites):
    portal, bureau_site, other = sites
    client = api.as_user(region.member)
    assert client.get(f"/api/v1/sites/{portal.pk}/").status_code == 404
    assert client.patch(f"/api/v1/sites/{other.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.get(f"/api/v1/sites/{bureau_site.pk}/").status_code == 200


def test_changes_by_the_owners_principal_and_not_by_its_editor(api, region, sites):
    _portal, bureau_site, _other = sites
    assert api.as_user(region.member).patch(f"/api/v1/sites/{bureau_site.pk}/", {"status": "offline"}, format="json").status_code == 403
    response = api.as_user(region.owner).patch(f"/api/v1/sites/{bureau_site.pk}/", {"status": "migrated"}, format="json")
    assert response.status_code == 200
    bureau_site.refresh_from_db()
    assert bureau_site.status == "migrated"


def test_moving_a_site_to_a_unit_one_does_not_manage_is_forbidden(api, region, sites):
    _portal, bureau_site, _other = sites
    response = api.as_user(region.owner).patch(
        f"/api/v1/sites/{bureau_site.pk}/", {"owner": region.county.pk}, format="json"
    )
    # The bureau's principal does not see the county at all: for them it does not exist.
    assert response.status_code == 400 and "owner" in response.data


def test_filters_by_owner_and_status(api, region, sites):
    portal, bureau_site, _other = sites
    Site.objects.filter(pk=portal.pk).update(status="offline")
    client = api.as_user(region.supervisor)
    assert [r["id"] for r in client.get(f"/api/v1/sites/?owner={region.bureau.pk}").data["results"]] == [bureau_site.pk]
    assert [r["id"] for r in client.get("/api/v1/sites/?status=offline").data["results"]] == [portal.pk]


def test_a_site_with_update_history_is_not_deleted(api, region, sites):
    portal, bureau_site, _other = sites
    column = ColumnFactory(site=portal)
    column_add_update(column=column, published_at=timezone.make_aware(dt.datetime(2024, 9, 29, 9)), title="国庆值班安排")
    client = api.as_user(region.supervisor)
    response = client.delete(f"/api/v1/sites/{portal.pk}/")
    assert response.status_code == 409
    assert "状态" in response.data["detail"]
    assert client.delete(f"/api/v1/sites/{bureau_site.pk}/").status_code == 204


def test_the_list_does_not_grow_queries_with_sites(api, region, django_assert_max_num_queries):
    for i in range(30):
        site = SiteFactory(owner=region.bureau, supervisor=region.county)
        ColumnFactory(site=site)
    client = api.as_user(region.supervisor)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/sites/")
    assert response.data["count"] == 30
    assert all(row["column_count"] == 1 for row in response.data["results"])
