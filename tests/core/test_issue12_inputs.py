"""The 500s of issue 12 (item 6), each sent over HTTP to the endpoint that failed: every one is now a 400 or a 404
with a Chinese reason."""
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import AccountFactory, ColumnFactory, SiteFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 64)
# Bytes that decode as UTF-8 but are no text: a binary file that happens to decode.
CONTROLS = b"site,received_at\x00\x01\x02\x03,content\n" + bytes(range(1, 9)) * 200
NOT_UTF8 = b"\x80\x81\xff\xfe\xfd" * 20


@pytest.mark.django_db
def test_a_path_id_that_is_no_number_is_a_json_404(api, region):
    client = api.as_user(region.supervisor)
    for url in ("/api/v1/columns/abc/updates/", "/api/v1/columns/1.5/updates/", "/api/v1/accounts/abc/"):
        response = client.post(url, {"published_at": "2026-10-09T10:00:00+08:00", "title": "稿件"}, format="json")
        assert response.status_code == 404, url
        assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"null", b"1", b"true", b'"text"', b"[]"])
def test_a_json_body_that_is_no_object_is_a_400(api, region, body):
    account = AccountFactory(owner=region.bureau)
    client = api.as_user(region.owner)
    response = client.generic("PATCH", f"/api/v1/accounts/{account.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON 对象" in response.json()["detail"]


@pytest.mark.django_db
def test_deep_nesting_before_sign_in_is_a_400():
    response = APIClient().generic("POST", "/api/v1/auth/token/", b"[" * 100000, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套过深" in response.json()["detail"]


@pytest.mark.django_db
def test_a_unit_without_parent_is_a_400_for_a_supervisor(api, region):
    response = api.as_user(region.supervisor).post("/api/v1/organisations/", {"name": "新单位", "kind": "department"},
                                                   format="json")
    assert response.status_code == 400 and "parent" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["error-reports", "messages"])
@pytest.mark.parametrize("content,reason", [(NOT_UTF8, "编码"), (PNG, "编码"), (CONTROLS, "二进制")])
def test_imports_refuse_files_that_are_no_text(api, region, name, content, reason):
    SiteFactory(owner=region.bureau)
    response = api.as_user(region.member).post(
        f"/api/v1/{name}/import/", {"file": SimpleUploadedFile("data.csv", content, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    reasons = [e["error"] for e in body.get("errors", []) if e.get("field") == "file"] or body.get("file", [])
    assert any(reason in r for r in reasons), body


@pytest.mark.django_db
def test_a_column_update_on_a_real_column_still_works(api, region):
    # The control for the 404s above: the same request on a numeric id is taken.
    site = SiteFactory(owner=region.bureau)
    column = ColumnFactory(site=site)
    response = api.as_user(region.member).post(
        f"/api/v1/columns/{column.pk}/updates/", {"published_at": "2026-10-09T10:00:00+08:00", "title": "稿件",
                                                  "url": "https://jy.example.gov.cn/a/1.html"}, format="json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url,field", [("/api/v1/account-updates/", "account"), ("/api/v1/column-updates/", "column")])
def test_a_bulk_record_naming_an_id_no_column_holds_is_an_unknown_one(api, region, url, field):
    # Found by the fuzzer (tools/fuzz): an id past 64 bits reached the database and was a 500.
    item = {field: -444600905580937383772160, "published_at": "2026-10-09T10:00:00+08:00", "title": "稿件",
            "url": "https://jy.example.gov.cn/a/1.html"}
    response = api.as_user(region.member).post(url, [item, {**item, field: 2**63}], format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, field), (1, field)]


@pytest.mark.django_db
def test_a_day_count_no_calendar_holds_is_a_400(api, region):
    client = api.as_user(region.supervisor)
    assert client.get("/api/v1/accounts/", {"days_since_update": "1e175"}).status_code == 400
    assert client.get("/api/v1/accounts/", {"days_since_update": "36500"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url,param", [("/api/v1/probes/", "checked_before"), ("/api/v1/audit-log/", "since")])
def test_a_date_time_filter_takes_any_offset_it_parses(api, region, url, param):
    # Found by the fuzzer: an offset beyond ±15:59 reached PostgreSQL, which refuses it (a 500). Compared in UTC.
    from organisations.models import User

    from govmedia.core.api import UTCDateTimeField

    odd = "0022-02-15T07:18:00.4217-20:07"
    assert UTCDateTimeField().clean(odd).utcoffset().total_seconds() == 0
    root = User.objects.create_superuser("root1", password="Xq7!pLm2#Rv9")
    response = api.as_user(root).get(url, {param: odd})
    assert response.status_code == 200, response.content[:300]
