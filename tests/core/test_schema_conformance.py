"""The served schema tells the truth (issue 15 item 1; the violations issue 12 lists): every request body has one
media type — JSON, or multipart for an upload — and every GET of the demo county answers the shape it declares."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from inspections.models import InspectionStatus
from organisations.models import User
from tests.factories import AccountFactory, ColumnFactory, FindingFactory, InspectionFactory, SiteFactory

from .openapi_check import Schema

# Required query parameters of the GET operations, as a user of the demo would fill them in.
QUERY = {
    "/api/v1/calendar/add-workdays/": {"start": "2026-09-30", "days": "3"},
    "/api/v1/register/": {"from": "2026-01-01", "to": "2026-12-31"},
    "/api/v1/reports/monthly/": {"month": "2026-10"},
    "/api/v1/reports/quarterly/": {"quarter": "2026-Q3"},
}
VARIANTS = {"/api/v1/countdown/": [{"kind": "column"}, {"kind": "account"}]}
# Answers that are not JSON, or need an object only a running export creates.
NOT_JSON = ("/form-pdf/", "/export/", "/download/")
NEEDS_EXPORT = "{token}"


def served_schema(client) -> Schema:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return Schema(response.json())


@pytest.fixture
def admin_api(db):
    """The demo county, read by its system administrator (who sees every row)."""
    call_command("seed_demo", stdout=io.StringIO())
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    return client


@pytest.fixture
def member_api(api, region):
    return api.as_user(region.member)


def test_every_request_body_has_one_media_type_json_or_multipart_for_uploads(member_api):
    schema = served_schema(member_api)
    uploads, bodies = [], 0
    for path, operations in schema.document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            bodies += 1
            media = list(body["content"])
            assert media in (["application/json"], ["multipart/form-data"]), f"{method.upper()} {path}: {media}"
            if media == ["multipart/form-data"]:
                uploads.append(f"{method.upper()} {path}")
                form = body["content"]["multipart/form-data"]["schema"]
                if "$ref" in form:
                    form = schema.document["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
                binary = [name for name, field in form["properties"].items() if field.get("format") == "binary"]
                assert binary, f"{method.upper()} {path} is multipart but uploads no file"
    assert bodies > 50
    # Multipart only where a file goes up (checked above), and for every upload.
    for expected in ["POST /api/v1/posts/{id}/attachments/", "POST /api/v1/filings/{id}/qr-code/",
                     "POST /api/v1/findings/{id}/rectify/", "POST /api/v1/word-lists/{id}/import/",
                     "POST /api/v1/columns/import/", "POST /api/v1/accounts/{id}/updates/import/",
                     "POST /api/v1/error-reports/import/", "POST /api/v1/messages/import/"]:
        assert expected in uploads
    assert "POST /api/v1/auth/token/" not in uploads


def test_a_form_encoded_body_is_refused_where_json_is_declared(member_api):
    form = "application/x-www-form-urlencoded"
    assert member_api.post("/api/v1/organisations/", "name=x&kind=department", content_type=form).status_code == 415
    assert APIClient().post("/api/v1/auth/token/", "username=admin&password=x", content_type=form).status_code == 415


def _ids(client, list_path: str, key: str = "id", limit: int = 6) -> list:
    body = client.get(list_path, {"page_size": 500}).json()
    rows = body["results"] if isinstance(body, dict) else body
    values = [row[key] for row in rows]
    # The first few, and the last few (the oldest rows have the blanks and nulls a fresh row lacks).
    return list(dict.fromkeys(values[:limit] + values[-limit:]))


def test_every_get_of_the_demo_county_answers_its_declared_shape(admin_api):
    schema = served_schema(admin_api)
    problems, checked = [], 0
    for path, operations in schema.document["paths"].items():
        if "get" not in operations or any(part in path for part in NOT_JSON) or NEEDS_EXPORT in path:
            continue
        if "{date}" in path:
            urls = [path.replace("{date}", d) for d in _ids(admin_api, path.split("{date}")[0], key="date", limit=2)]
        elif "{id}" in path:
            base = path.split("{id}")[0]
            urls = [path.replace("{id}", str(pk)) for pk in _ids(admin_api, base)]  # [] where the demo has no row
        else:
            urls = [path]
        for url in urls:
            for query in VARIANTS.get(path, [QUERY.get(path, {})]):
                response = admin_api.get(url, query, HTTP_ACCEPT="application/json")
                # 202 where the operation declares it: a report not yet stored follows from the worker.
                code = response.status_code
                assert code == 200 or (code == 202 and "202" in operations["get"]["responses"]), \
                    (url, query, code, response.content[:300])
                problems += schema.errors("get", path, code, response.json())
                checked += 1
    assert checked > 100
    assert not problems, "\n".join(dict.fromkeys(problems))


# --- each violation issue 12 found, fixed, with the answer a client sees ---------------------------------------


def check(api, schema, method, path, url, status, **kwargs):
    """Send, expect `status`, and answer the body after checking it against the declared shape."""
    response = getattr(api, method)(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    body = response.json()
    assert schema.errors(method, path, status, body) == []
    return body


def test_blank_urls_answer_empty_strings_that_the_schema_admits(member_api, region):
    """An account or column without a link answers "": the schema says "a URL or an empty string" (it said
    `format: uri`, and validating clients refused the answer)."""
    schema = served_schema(member_api)
    blankable = [("Account", "url"), ("Account", "feed_url"), ("Column", "url"), ("Rectification", "evidence_url")]
    for name, field in blankable:
        declared = schema.document["components"]["schemas"][name]["properties"][field]
        assert {"type": "string", "maxLength": 0} in declared["oneOf"], (name, field, declared)
        assert any(option.get("format") == "uri" for option in declared["oneOf"])
    account = AccountFactory(owner=region.bureau, url="", feed_url="", account_type="")
    body = check(member_api, schema, "get", "/api/v1/accounts/{id}/", f"/api/v1/accounts/{account.pk}/", 200)
    assert (body["url"], body["feed_url"], body["account_type"]) == ("", "", "")
    assert body["first_deregister_on"] is None  # not closing: null, which the schema now admits


def test_the_calendar_list_is_the_object_it_answers(member_api):
    schema = served_schema(member_api)
    declared = schema.response_schema("get", "/api/v1/calendar/", 200)
    assert declared == {"$ref": "#/components/schemas/CalendarList"}
    url = "/api/v1/calendar/?start=2026-10-01&end=2026-10-08"
    body = check(member_api, schema, "get", "/api/v1/calendar/", url, 200)
    assert [day["is_workday"] for day in body["results"]] == [False] * 7 + [True]  # National Day week


def test_column_updates_list_and_record_as_declared(api, region):
    site = SiteFactory(owner=region.bureau)
    column = ColumnFactory(site=site)
    client = api.as_user(region.member)
    schema = served_schema(client)
    path, url = "/api/v1/columns/{id}/updates/", f"/api/v1/columns/{column.pk}/updates/"
    record = {"published_at": "2026-10-09T09:30:00+08:00", "title": "国庆假期后首个工作日",
              "url": "https://a.example.gov.cn/1"}
    created = check(client, schema, "post", path, url, 201, data=record)
    assert created["column"] == column.pk
    again = check(client, schema, "post", path, url, 200, data=record)  # already recorded: 200, also declared
    assert again["id"] == created["id"]
    listed = check(client, schema, "get", path, url, 200)  # a page of records, as declared (was: one record)
    assert listed["count"] == 1 and listed["results"][0]["published_at"] == "2026-10-09T09:30:00+08:00"


def test_a_created_or_edited_column_answers_its_countdown(api, region):
    site = SiteFactory(owner=region.bureau)
    client = api.as_user(region.owner)
    schema = served_schema(client)
    created = check(client, schema, "post", "/api/v1/columns/", "/api/v1/columns/", 201,
                    data={"site": site.pk, "name": "通知公告", "category": "notice", "opened_on": "2026-10-09"})
    assert created["deadline"] is not None and isinstance(created["days_left"], int)
    url = f"/api/v1/columns/{created['id']}/"
    edited = check(client, schema, "patch", "/api/v1/columns/{id}/", url, 200, data={"name": "通知公告（新）"})
    assert edited["name"] == "通知公告（新）"
    assert (edited["deadline"], edited["days_left"]) == (created["deadline"], created["days_left"])


def test_date_times_have_offsets_every_client_parses(api, region):
    """Asia/Shanghai before 1901 is local mean time, +08:05:43: such an instant answers in UTC instead."""
    account = AccountFactory(owner=region.bureau)
    client = api.as_user(region.member)
    schema = served_schema(client)
    path, url = "/api/v1/accounts/{id}/updates/", f"/api/v1/accounts/{account.pk}/updates/"
    old = check(client, schema, "post", path, url, 201, data={"published_at": "1900-06-01T00:00:00Z", "title": "旧档"})
    assert old["published_at"] == "1900-06-01T00:00:00Z"
    new = check(client, schema, "post", path, url, 201, data={"published_at": "2026-10-09T01:30:00Z", "title": "新稿"})
    assert new["published_at"] == "2026-10-09T09:30:00+08:00"
    assert check(client, schema, "get", path, url, 200)["count"] == 2


def test_rectify_takes_a_file_as_multipart_and_a_link_as_json(api, region):
    account = AccountFactory(owner=region.bureau)
    finding = FindingFactory(subject=account)
    client = api.as_user(region.member)
    schema = served_schema(client)
    path, url = "/api/v1/findings/{id}/rectify/", f"/api/v1/findings/{finding.pk}/rectify/"
    evidence = SimpleUploadedFile("整改说明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with_file = check(client, schema, "post", path, url, 201, data={"comment": "已恢复更新", "evidence_file": evidence},
                      format="multipart")
    assert with_file["evidence_url"] == "" and with_file["evidence_file"]
    # One answer waits for review at a time: the link answers another finding.
    other = FindingFactory(subject=AccountFactory(owner=region.bureau, platform="douyin" if account.platform != "douyin" else "weibo"))
    with_link = check(client, schema, "post", path, f"/api/v1/findings/{other.pk}/rectify/", 201,
                      data={"comment": "已恢复更新", "evidence_url": "https://a.example.gov.cn/p/1"})
    assert with_link["evidence_url"] == "https://a.example.gov.cn/p/1" and with_link["evidence_file"] is None
    # The supervisors' decisions answer as declared (inspections/rectification.py).
    supervisor = api.as_user(region.supervisor)
    returned = check(supervisor, schema, "post", "/api/v1/findings/{id}/reject/", f"/api/v1/findings/{other.pk}/reject/",
                     200, data={"comment": "请附截图"})
    assert returned["rectification_state"] == "returned"
    accepted = check(supervisor, schema, "post", "/api/v1/findings/{id}/accept/",
                     f"/api/v1/findings/{finding.pk}/accept/", 200, data={})
    assert accepted["status"] == "rectified" and accepted["rectifications"][0]["reviewed_by"] == region.supervisor.pk


def test_a_queued_inspection_answers_as_declared(api, region):
    """A run not started yet has no checklist version: its name is null, which the schema admits."""
    queued = InspectionFactory(status=InspectionStatus.QUEUED, as_of=dt.date(2024, 10, 8), checklist_version=None)
    client = api.as_user(region.supervisor)
    schema = served_schema(client)
    body = check(client, schema, "get", "/api/v1/inspections/{id}/", f"/api/v1/inspections/{queued.pk}/", 200)
    assert (body["status"], body["checklist_version"], body["checklist_version_name"]) == ("queued", None, None)
    assert check(client, schema, "get", "/api/v1/inspections/", "/api/v1/inspections/", 200)["count"] == 1
