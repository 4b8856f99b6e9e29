"""The account register through the API: scope, filters, registered data vs day-to-day facts, update records."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, AccountStatus
from tests.factories import person

from .builders import full_form, running_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(region):
    today = timezone.localdate()
    return {
        "fresh": running_account(region, name="教育微博", platform="weibo", last_updated_on=today - dt.timedelta(days=3)),
        "stale": running_account(region, name="教育抖音", platform="douyin", last_updated_on=today - dt.timedelta(days=30)),
        "never": running_account(region, name="教育头条", platform="toutiao", opened_on=today - dt.timedelta(days=20)),
        "health": running_account(region, name="卫健微信", platform="wechat", owner=region.other_bureau),
        "elsewhere": running_account(region, name="乙县教育", platform="wechat", owner=region.other_county_bureau,
                                     supervisor=region.other_county),
    }


def names(response):
    assert response.status_code == 200, response.json()
    return sorted(a["name"] for a in response.json()["results"])


def test_scope_owner_member_neighbour_outsider_supervisor(api, region, accounts):
    bureau = ["教育头条", "教育微博", "教育抖音"]
    assert names(api.as_user(region.member).get("/api/v1/accounts/")) == bureau
    assert names(api.as_user(region.owner).get("/api/v1/accounts/")) == bureau
    assert names(api.as_user(region.neighbour).get("/api/v1/accounts/")) == ["卫健微信"]
    assert names(api.as_user(region.supervisor).get("/api/v1/accounts/")) == sorted(bureau + ["卫健微信"])
    assert names(api.as_user(region.outsider).get("/api/v1/accounts/")) == ["乙县教育"]
    assert api.as_user(region.outsider).get(f"/api/v1/accounts/{accounts['fresh'].pk}/").status_code == 404
    assert api.as_user(region.neighbour).patch(
        f"/api/v1/accounts/{accounts['fresh'].pk}/", {"followers": 1}, format="json"
    ).status_code == 404


def test_operator_in_scope_sees_the_account_it_runs(api, region, accounts):
    from tests.factories import OrganisationFactory

    vendor = OrganisationFactory(name="融媒科技公司", parent=region.county, kind="contractor")
    ops = person("ops", vendor, "operator")
    Account.objects.filter(pk=accounts["fresh"].pk).update(operator=vendor)
    assert names(api.as_user(ops).get("/api/v1/accounts/")) == ["教育微博"]
    recorded = api.as_user(ops).post(
        f"/api/v1/accounts/{accounts['fresh'].pk}/updates/",
        {"published_at": "2024-10-08T09:30:00+08:00", "title": "开学第一课", "original": True}, format="json",
    )
    assert recorded.status_code == 201


def test_filters_platform_status_owner_and_days_since_update(api, region, accounts):
    client = api.as_user(region.supervisor)
    assert names(client.get("/api/v1/accounts/?platform=douyin")) == ["教育抖音"]
    assert names(client.get(f"/api/v1/accounts/?owner={region.other_bureau.pk}")) == ["卫健微信"]
    Account.objects.filter(pk=accounts["never"].pk).update(status=AccountStatus.CLOSING)
    assert names(client.get("/api/v1/accounts/?status=closing")) == ["教育头条"]
    # 14 days or more without an update: the stale one, and the one never updated (judged from its opening).
    assert names(client.get("/api/v1/accounts/?days_since_update=14&owner=%d" % region.bureau.pk)) == ["教育头条", "教育抖音"]
    by_id = {a["name"]: a for a in client.get("/api/v1/accounts/").json()["results"]}
    assert by_id["教育抖音"]["days_since_update"] == 30 and by_id["教育头条"]["days_since_update"] == 20
    assert client.get("/api/v1/accounts/?days_since_update=abc").status_code == 400


def test_list_queries_do_not_grow_with_the_number_of_accounts(api, region, accounts, django_assert_max_num_queries):
    for index in range(15):
        running_account(region, name=f"批量{index}", platform="other", exemption_reason="测试豁免")
    client = api.as_user(region.supervisor)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/accounts/")
    assert response.json()["count"] == 19


def test_registered_data_changes_only_through_a_filing(api, region, accounts):
    response = api.as_user(region.member).patch(
        f"/api/v1/accounts/{accounts['fresh'].pk}/", {"name": "新名字", "followers": 10}, format="json"
    )
    assert response.status_code == 400 and "name" in response.json()
    ok = api.as_user(region.member).patch(f"/api/v1/accounts/{accounts['fresh'].pk}/", {"followers": 10}, format="json")
    assert ok.status_code == 200 and ok.json()["followers"] == 10
    assert api.as_user(region.member).patch(
        f"/api/v1/accounts/{accounts['fresh'].pk}/", {"password_changed_on": "2999-01-01"}, format="json"
    ).status_code == 400
    assert api.as_user(region.member).delete(f"/api/v1/accounts/{accounts['fresh'].pk}/").status_code == 405
    # The password itself is never stored: there is no such field to send.
    assert "password" not in ok.json()


def test_auditor_reads_but_does_not_write(api, region, accounts):
    client = api.as_user(region.auditor)
    assert client.get(f"/api/v1/accounts/{accounts['fresh'].pk}/").status_code == 200
    assert client.patch(f"/api/v1/accounts/{accounts['fresh'].pk}/", {"followers": 3}, format="json").status_code == 403
    assert client.post(f"/api/v1/accounts/{accounts['fresh'].pk}/updates/", {
        "published_at": "2024-10-08T09:30:00+08:00", "title": "x"}, format="json").status_code == 403


def test_update_records_keep_last_updated_on_and_list_newest_first(api, region, accounts):
    account = accounts["never"]
    client = api.as_user(region.member)
    for when, title, original in [("2024-10-07T22:00:00+08:00", "国庆假期安全提示", False),
                                  ("2024-10-08T09:30:00+08:00", "开学通知", True)]:
        response = client.post(f"/api/v1/accounts/{account.pk}/updates/",
                               {"published_at": when, "title": title, "original": original}, format="json")
        assert response.status_code == 201
    account.refresh_from_db()
    assert account.last_updated_on == dt.date(2024, 10, 8) and account.last_original_on == dt.date(2024, 10, 8)
    listed = client.get(f"/api/v1/accounts/{account.pk}/updates/").json()
    assert [u["title"] for u in listed["results"]] == ["开学通知", "国庆假期安全提示"]
    assert listed["results"][1]["original"] is False
    bad = client.post(f"/api/v1/accounts/{account.pk}/updates/", {"title": ""}, format="json")
    assert bad.status_code == 400 and {"published_at", "title"} <= set(bad.json())


def test_direct_registration_refuses_a_duplicate_platform_naming_the_existing_account(api, region, accounts):
    response = api.as_user(region.member).post("/api/v1/accounts/", full_form(region, platform="weibo"), format="json")
    assert response.status_code == 400
    assert "教育微博" in response.json()["platform"][0]
    missing = api.as_user(region.member).post("/api/v1/accounts/", {"name": "x"}, format="json")
    assert missing.status_code == 400 and {"platform", "owner"} <= set(missing.json())


def test_qr_code_must_be_a_real_small_image(api, region):
    import io

    from PIL import Image

    created = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "form": full_form(region)}, format="json"
    ).json()
    url = f"/api/v1/filings/{created['id']}/qr-code/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("qr.png", b"not an image at all", content_type="image/png")
    refused = api.as_user(region.member).post(url, {"qr_code": fake}, format="multipart")
    assert refused.status_code == 400 and "qr_code" in refused.json()
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, "PNG")
    good = SimpleUploadedFile("qr.png", buffer.getvalue(), content_type="image/png")
    accepted = api.as_user(region.member).post(url, {"qr_code": good}, format="multipart")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["qr_code"].startswith("http") or accepted.json()["qr_code"].startswith("/media/")
    big = SimpleUploadedFile("qr.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024), content_type="image/png")
    assert api.as_user(region.member).post(url, {"qr_code": big}, format="multipart").status_code == 400


def test_unsubmitted_openings_are_not_listed_unless_asked_for(api, region):
    api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "form": full_form(region)}, format="json"
    )
    assert api.as_user(region.member).get("/api/v1/accounts/").json()["count"] == 0
    assert names(api.as_user(region.member).get("/api/v1/accounts/?status=draft")) == ["甲县教育发布"]
