"""The pages: findings with filters, a unit's own list, a finding with its rectification form, runs, countdown,
error reports and messages."""
import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import services
from inspections.models import Finding, Inspection, Rectification

D = dt.date


@pytest.fixture
def stale(build, region):
    mine = build.account(updates=[D(2024, 9, 1)])
    theirs = build.account(owner=region.other_county_bureau, updates=[D(2024, 9, 1)])
    with mock.patch("django.utils.timezone.localdate", return_value=D(2024, 9, 30)):  # the run of that day
        services.inspect(as_of=D(2024, 9, 30))
    return Finding.objects.get(rule="account_stale", subject_id=mine.pk), Finding.objects.get(rule="account_stale", subject_id=theirs.pk)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_findings_page_filters_and_scope(client, region, stale):
    mine, theirs = stale
    page = signed_in(client, region.supervisor).get("/findings/", {"rule": "account_stale", "severity": "veto", "organisation": region.bureau.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.subject_name in html and theirs.subject_name not in html
    empty = client.get("/findings/", {"status": "rectified"}).content.decode()
    assert "没有符合条件的问题" in empty
    assert client.get("/findings/", {"overdue": "1"}).status_code == 200


def test_unit_page_and_answer_through_the_form(client, region, stale):
    mine, theirs = stale
    signed_in(client, region.member)
    own = client.get("/findings/mine/").content.decode()
    assert mine.subject_name in own and "2024-10-08" in own  # 30 Sep + 7 days, off 国庆
    assert client.get(f"/findings/{theirs.pk}/").status_code == 404
    detail = client.get(f"/findings/{mine.pk}/").content.decode()
    assert "2024-09-01" in detail and "反馈整改情况" in detail
    response = client.post(f"/findings/{mine.pk}/", {"comment": "", "evidence_url": ""})
    assert response.status_code == 200 and "必填" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    # Evidence is an image, PDF or Office file by content (govmedia.core.files, kind "evidence").
    evidence = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(f"/findings/{mine.pk}/", {"comment": "已恢复更新", "evidence_url": "https://example.gov.cn/x",
                                                   "evidence_file": evidence})
    assert response.status_code == 302
    answer = Rectification.objects.get(finding=mine)
    assert answer.comment == "已恢复更新" and answer.evidence_file.name.endswith(".pdf")


def test_auditor_sees_but_cannot_answer(client, region, stale):
    mine, _ = stale
    signed_in(client, region.auditor)
    page = client.get(f"/findings/{mine.pk}/").content.decode()
    assert "提交整改情况" not in page
    assert client.post(f"/findings/{mine.pk}/", {"comment": "x"}).status_code == 403


def test_run_history_and_run_now(client, region, stale, django_capture_on_commit_callbacks):
    signed_in(client, region.supervisor)
    page = client.get("/inspections/").content.decode()
    assert "立即检查" in page and "2024-09-30" in page
    future = services.local_today() + dt.timedelta(days=3)
    refused = client.post("/inspections/", {"as_of": future.isoformat()})
    assert refused.status_code == 200 and "不能晚于今天" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/inspections/", {"as_of": "2024-10-08"})
    assert response.status_code == 302
    run = Inspection.objects.latest("id")
    assert run.as_of == D(2024, 10, 8) and run.status == "queued"
    signed_in(client, region.member)
    assert "立即检查" not in client.get("/inspections/").content.decode()
    assert client.get(f"/inspections/{run.pk}/").status_code == 200


def test_countdown_page(client, region, build):
    build.account(opened_on=services.local_today() - dt.timedelta(days=30))
    signed_in(client, region.member)
    page = client.get("/countdown/", {"kind": "account", "within": "7"}).content.decode()
    assert "超期" in page
    assert client.get("/countdown/", {"kind": "column", "organisation": region.other_county.pk}).status_code == 200


def test_error_reports_and_messages_pages(client, region, build):
    site = build.site()
    signed_in(client, region.member)
    response = client.post("/error-reports/", {"new-site": site.pk, "new-received_at": "2024-09-30T10:00", "new-content": "错别字"})
    assert response.status_code == 302
    report = site.error_reports.get()
    assert report.due_on == D(2024, 10, 8)
    assert "逾期未答复" in client.get("/error-reports/").content.decode()
    client.post(f"/error-reports/{report.pk}/", {"reply": "已改正"})
    report.refresh_from_db()
    assert report.reply == "已改正" and report.replied_by == region.member
    csv_file = SimpleUploadedFile("m.csv", f"site,received_at,content\n{site.pk},2025-01-24 10:00,咨询\n".encode())
    client.post("/messages/", {"csv-file": csv_file})
    message = site.messages.get()
    assert message.due_on == D(2025, 2, 7)
    assert "咨询" in client.get("/messages/").content.decode()
    assert client.get("/checklist/").status_code == 200


def test_a_run_wider_than_my_region_shows_dashes_not_blank_totals(client, region):
    # A whole-deployment run's totals are not a county supervisor's to read; its cells were left empty.
    Inspection.objects.create(as_of=D(2024, 9, 30), status="finished", counts={"new": 5, "rectified": 1, "open": 4,
                                                                               "overdue": 0})
    signed_in(client, region.supervisor)
    page = client.get("/inspections/").content.decode()
    assert 'data-label="新发现">—<' in page and 'data-label="逾期">—<' in page
    assert 'data-label="新发现"><' not in page
