"""The API of API.md: inspections, findings (scope, filters, rectify), error reports and messages, countdown."""
import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import services
from inspections.models import Finding, Inspection
from rules import versions

D = dt.date


@pytest.fixture
def api():
    """A fresh client per user, so that signing in as someone else never changes an earlier client."""
    from rest_framework.test import APIClient

    from tests.factories import token_for

    class Clients:
        def as_user(self, user):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
            return client

    return Clients()


@pytest.fixture
def findings(build, region):
    mine = build.account(updates=[D(2024, 9, 1)])
    theirs = build.account(owner=region.other_bureau, updates=[D(2024, 9, 1)])
    far = build.account(owner=region.other_county_bureau, updates=[D(2024, 9, 1)])
    with mock.patch("django.utils.timezone.localdate", return_value=D(2024, 9, 30)):  # the run of that day
        services.inspect(as_of=D(2024, 9, 30))
    return mine, theirs, far


def ids(response):
    return {row["subject_id"] for row in response.json()["results"]}


def test_findings_scope(api, region, findings):
    mine, theirs, far = findings
    url = "/api/v1/findings/?rule=account_stale"
    assert ids(api.as_user(region.owner).get(url)) == {mine.pk}
    assert ids(api.as_user(region.member).get(url)) == {mine.pk}
    assert ids(api.as_user(region.neighbour).get(url)) == {theirs.pk}
    assert ids(api.as_user(region.supervisor).get(url)) == {mine.pk, theirs.pk}
    assert ids(api.as_user(region.outsider).get(url)) == {far.pk}
    foreign = Finding.objects.get(rule="account_stale", subject_id=far.pk)
    assert api.as_user(region.member).get(f"/api/v1/findings/{foreign.pk}/").status_code == 404
    assert api.as_user(region.member).post(f"/api/v1/findings/{foreign.pk}/rectify/", {"comment": "x"}, format="json").status_code == 404


def test_findings_filters(api, region, findings):
    mine, theirs, _far = findings
    client = api.as_user(region.supervisor)
    assert ids(client.get(f"/api/v1/findings/?rule=account_stale&organisation={region.bureau.pk}")) == {mine.pk}
    assert ids(client.get("/api/v1/findings/?rule=account_stale&severity=veto")) == {mine.pk, theirs.pk}
    assert ids(client.get("/api/v1/findings/?rule=account_stale&overdue=true")) == {mine.pk, theirs.pk}  # due 8 Oct 2024
    assert client.get("/api/v1/findings/?rule=account_stale&status=rectified").json()["count"] == 0
    assert client.get("/api/v1/findings/?severity=nonsense").status_code == 400


def test_rectify_by_api(api, region, findings):
    mine, theirs, _far = findings
    finding = Finding.objects.get(rule="account_stale", subject_id=mine.pk)
    client = api.as_user(region.member)
    bad = client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"comment": "", "evidence_url": "not a url"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"comment", "evidence_url"}
    ok = client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"comment": "已更新", "evidence_url": "https://example.gov.cn/p/1"}, format="json")
    assert ok.status_code == 201 and ok.json()["outcome"] == "pending"
    detail = client.get(f"/api/v1/findings/{finding.pk}/").json()
    assert detail["rectifications"][0]["comment"] == "已更新"
    # One answer waits for the supervisors' decision at a time (inspections/rectification.py).
    assert client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"comment": "x"}, format="json").status_code == 409
    other = Finding.objects.get(rule="account_stale", subject_id=theirs.pk)
    # Visible to the auditor, but not theirs to answer.
    assert api.as_user(region.auditor).post(f"/api/v1/findings/{other.pk}/rectify/", {"comment": "x"}, format="json").status_code == 403
    Finding.objects.filter(pk=finding.pk).update(status="rectified")
    client = api.as_user(region.member)
    assert client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"comment": "x"}, format="json").status_code == 409


def test_start_inspection(api, region, django_capture_on_commit_callbacks):
    client = api.as_user(region.supervisor)
    future = (services.local_today() + dt.timedelta(days=1)).isoformat()
    response = client.post("/api/v1/inspections/", {"as_of": future}, format="json")
    assert response.status_code == 400 and "as_of" in response.json()
    assert client.post("/api/v1/inspections/", {}, format="json").status_code == 400
    assert api.as_user(region.member).post("/api/v1/inspections/", {"as_of": "2024-10-08"}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/v1/inspections/", {"as_of": "2024-10-08"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert len(callbacks) == 1  # the Celery task is queued only once the run is committed
    run = Inspection.objects.get(pk=response.json()["id"])
    assert run.organisation == region.county
    services.inspection_run(inspection_id=run.pk)
    again = services.inspection_run(inspection_id=run.pk)  # a second delivery of the task does nothing
    assert again.status == "finished"
    body = client.get(f"/api/v1/inspections/{run.pk}/").json()
    assert body["status"] == "finished" and body["counts"]["new"] == 0 and body["checklist_version"]
    assert api.as_user(region.outsider).get(f"/api/v1/inspections/{run.pk}/").status_code == 404
    # A unit's editor sees the county's run (it judged their unit) but not the county's totals.
    seen = api.as_user(region.member).get(f"/api/v1/inspections/{run.pk}/")
    assert seen.status_code == 200 and seen.json()["counts"] == {}
    whole = services.inspect(as_of=D(2024, 10, 8))
    assert api.as_user(region.supervisor).get(f"/api/v1/inspections/{whole.pk}/").json()["counts"] == {}


def test_findings_list_queries_do_not_grow(api, region, build, django_assert_max_num_queries):
    for _ in range(3):
        build.account(updates=[D(2024, 9, 1)], platform="other", exemption_reason="测试")
    services.inspect(as_of=D(2024, 9, 30))
    client = api.as_user(region.supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/findings/")
    for _ in range(20):
        build.account(updates=[D(2024, 9, 1)], platform="other", exemption_reason="测试")
    services.inspect(as_of=D(2024, 10, 1))
    with django_assert_max_num_queries(len(few)):
        response = client.get("/api/v1/findings/")
    assert response.json()["count"] > 20


def test_error_report_intake_and_reply(api, region, build):
    site = build.site()
    foreign = build.site(owner=region.other_county_bureau)
    client = api.as_user(region.member)
    bad = client.post("/api/v1/error-reports/", {"site": site.pk, "content": "错字"}, format="json")
    assert bad.status_code == 400 and "received_at" in bad.json()
    assert client.post("/api/v1/error-reports/", {"site": foreign.pk, "received_at": "2024-09-30T10:00:00+08:00", "content": "x"},
                       format="json").status_code == 400
    created = client.post("/api/v1/error-reports/", {"site": site.pk, "received_at": "2024-09-30T10:00:00+08:00", "content": "错字"}, format="json")
    assert created.status_code == 201 and created.json()["due_on"] == "2024-10-08"
    pk = created.json()["id"]
    assert api.as_user(region.neighbour).post(f"/api/v1/error-reports/{pk}/reply/", {"reply": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/error-reports/{pk}/reply/", {"reply": ""}, format="json").status_code == 400
    replied = client.post(f"/api/v1/error-reports/{pk}/reply/", {"reply": "已改正", "replied_at": "2024-10-08T18:00:00+08:00"}, format="json")
    assert replied.status_code == 200 and replied.json()["late"] is False
    assert client.post(f"/api/v1/error-reports/{pk}/reply/", {"reply": "再答"}, format="json").status_code == 409


def test_message_intake_needs_one_target(api, region, build):
    site = build.site()
    account = build.account()
    client = api.as_user(region.member)
    both = client.post("/api/v1/messages/", {"site": site.pk, "account": account.pk, "received_at": "2025-01-24T10:00:00+08:00",
                                             "content": "咨询"}, format="json")
    assert both.status_code == 400 and "site" in both.json()
    ok = client.post("/api/v1/messages/", {"account": account.pk, "received_at": "2025-01-24T10:00:00+08:00", "content": "咨询"}, format="json")
    assert ok.status_code == 201 and ok.json()["due_on"] == "2025-02-07" and ok.json()["reply_workdays"] == 5
    policy = client.post("/api/v1/message-policies/", {"organisation": region.bureau.pk, "reply_workdays": 3}, format="json")
    assert policy.status_code == 403  # an editor may not set the limit
    policy = api.as_user(region.owner).post("/api/v1/message-policies/", {"organisation": region.bureau.pk, "reply_workdays": 3}, format="json")
    assert policy.status_code == 201
    again = client.post("/api/v1/messages/", {"site": site.pk, "received_at": "2025-01-24T10:00:00+08:00", "content": "再问"}, format="json")
    assert again.json()["due_on"] == "2025-02-05"


def test_csv_import_all_or_nothing(api, region, build):
    from django.core.files.uploadedfile import SimpleUploadedFile

    site = build.site()
    client = api.as_user(region.member)
    bad = "site,received_at,content,url,reporter,external_id\n%d,2024-09-30 10:00,错字,,,A1\n%d,yesterday,,,,A2\n" % (site.pk, site.pk)
    response = client.post("/api/v1/error-reports/import/", {"file": SimpleUploadedFile("r.csv", bad.encode())}, format="multipart")
    assert response.status_code == 400
    assert {(e["line"], e["field"]) for e in response.json()["errors"]} == {(3, "received_at"), (3, "content")}
    assert not site.error_reports.exists()
    good = "site,received_at,content,url,reporter,external_id\n%d,2024-09-30 10:00,错字,,,A1\n" % site.pk
    first = client.post("/api/v1/error-reports/import/", {"file": SimpleUploadedFile("r.csv", good.encode())}, format="multipart")
    assert first.json() == {"created": 1, "skipped": 0, "errors": []}
    second = client.post("/api/v1/error-reports/import/", {"file": SimpleUploadedFile("r.csv", good.encode())}, format="multipart")
    assert second.json() == {"created": 0, "skipped": 1, "errors": []}


def test_countdown_api(api, region, build):
    today = services.local_today()
    soon = build.account(opened_on=today - dt.timedelta(days=20))
    later = build.account(opened_on=today)
    site = build.site()
    column = build.column(site, category="monthly", opened_on=today - dt.timedelta(days=400), updates=[today - dt.timedelta(days=40)])
    client = api.as_user(region.member)
    rows = client.get("/api/v1/countdown/?kind=account&within=5").json()["results"]
    days = {r["id"]: r["days_left"] for r in rows}
    assert later.pk not in days
    assert days[soon.pk] <= -6
    columns = client.get(f"/api/v1/countdown/?kind=column&organisation={region.bureau.pk}").json()["results"]
    assert columns[0]["id"] == column.pk and columns[0]["days_left"] < 0
    assert client.get("/api/v1/countdown/?kind=nothing").status_code == 400
    assert client.get(f"/api/v1/countdown/?kind=column&organisation={region.other_county.pk}").status_code == 400


def test_countdown_deadlines_on_fixed_dates(region, build):
    from accounts.models import Account
    from rules.countdown import accounts_with_countdown, columns_with_countdown
    from sites.models import Column

    today = D(2024, 10, 9)  # a Wednesday
    # The weekly rule is 青岛's (§10): in force where the unit's version holds it.
    versions.create_local_version(user=region.supervisor, organisation=region.county, year=2019, on=D(2024, 1, 1),
                                  items=[{"code": "account_weekly"}])
    this_week = build.account(opened_on=D(2024, 9, 1), updates=[D(2024, 10, 7)])
    last_week = build.account(opened_on=D(2024, 9, 1), updates=[D(2024, 10, 4)])
    rows = {a.pk: a for a in accounts_with_countdown(Account.objects.all(), today=today)}
    # Nothing in the week of 30 Sep–6 Oct: broken since that Sunday, as the inspection of 9 Oct finds it.
    assert rows[this_week.pk].deadline == D(2024, 10, 6) and rows[this_week.pk].days_left == -3
    assert rows[last_week.pk].deadline == D(2024, 10, 13) and rows[last_week.pk].days_left == 4  # the week ends Sunday
    site = build.site()
    monthly = build.column(site, category="monthly", updates=[D(2024, 1, 31)])
    notice = build.column(site, category="notice", updates=[D(2024, 4, 15)])
    cols = {c.pk: c for c in columns_with_countdown(Column.objects.all(), today=D(2024, 2, 20))}
    assert cols[monthly.pk].deadline == D(2024, 2, 29) and cols[monthly.pk].days_left == 9
    cols = {c.pk: c for c in columns_with_countdown(Column.objects.all(), today=D(2024, 10, 16))}
    assert cols[notice.pk].deadline == D(2024, 10, 15) and cols[notice.pk].days_left == -1


def test_an_office_imports_error_reports_with_the_chinese_headings_the_page_shows(client, region, build):
    """The page names the headings in Chinese, and a file with those headings imports; a bad row is named
    by its heading, not by a field code."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    site = build.site()
    client.force_login(region.member)
    page = client.get("/error-reports/").content.decode()
    assert "表头：网站编号、收到时间、内容、网址、反映人、平台编号" in page and "site,received_at" not in page
    bad = "网站编号,收到时间,内容,网址,反映人,平台编号\n%d,昨天,错字,,,B1\n" % site.pk
    answer = client.post("/error-reports/", {"csv-file": SimpleUploadedFile("找错.csv", bad.encode("gb18030"))},
                         follow=True).content.decode()
    assert "第 2 行 收到时间" in answer and not site.error_reports.exists()
    good = "网站编号,收到时间,内容,网址,反映人,平台编号\n%d,2026-09-30 10:00,错字,,,B1\n" % site.pk
    client.post("/error-reports/", {"csv-file": SimpleUploadedFile("找错.csv", good.encode("gb18030"))})
    assert site.error_reports.get().external_id == "B1"
