"""The reports through the API: JSON, xlsx and PDF with the same figures; scope; bad input."""
import io
import json

import pytest
from openpyxl import load_workbook

from .conftest import run_jobs
from .test_monthly_figures import TODAY  # the fixture month is long past


def get(api, user, **params):
    """The API's answer once the worker has run: a report not yet stored is 202 (never built in the request)."""
    client = api.as_user(user)
    first = client.get("/api/v1/reports/monthly/", params)
    if first.status_code != 202:
        return first
    assert run_jobs() == 1
    return client.get("/api/v1/reports/monthly/", params)


def content(response) -> bytes:
    """A document's bytes, whether rendered from a stored report or streamed from the worker's file."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_supervisor_reads_the_region_report(api, october):
    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["name"] == "甲县人民政府"
    assert body["totals"]["accounts"] == 3
    assert body["checklist_version"]["name"]


def test_without_organisation_the_callers_region_is_reported(api, october):
    body = get(api, october.region.supervisor, month="2024-10").json()
    assert body["organisation"]["id"] == october.region.county.pk


def test_xlsx_holds_the_same_figures(api, october):
    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # The download is named in Chinese (RFC 5987), not monthly-report-<id>-<key>.
    from urllib.parse import quote

    assert "filename*=utf-8''" + quote("月度监测报告-甲县人民政府-2024年10月.xlsx") in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(content(response)))
    rows = list(wb["账号"].iter_rows(values_only=True))
    header = rows[0]
    lagging = next(r for r in rows if r[1] == "甲县教育发布")
    record = dict(zip(header, lagging))
    assert record["结论"] == "不合格"
    assert record["更新条数"] == 4
    assert record["最长未更新（天）"] == 18
    assert record["得分"] == 98  # message_late only: the weekly and original rules are 青岛's, not national
    assert "账号内容不更新" in record["否决项"]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True)}
    assert summary["政务新媒体账号数"] == 3
    assert summary["不合格账号"] == 2


def test_numbers_in_the_xlsx_are_numbers_and_the_change_one_decimal(api, october):
    """Scores, counts and changes are stored as numbers (a spreadsheet sums and sorts them), the change with
    a signed one-decimal format; never text, never 1.7999999999999972."""
    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="xlsx")
    wb = load_workbook(io.BytesIO(content(response)))
    summary = {r[0].value: r for r in wb["汇总"].iter_rows(min_row=2)}
    change = summary["平均得分"][3]
    assert isinstance(change.value, (int, float)) and change.value == round(change.value, 1)
    assert change.number_format == "+0.0;-0.0;0"
    header = [c.value for c in next(wb["账号"].iter_rows(max_row=1))]
    for row in wb["账号"].iter_rows(min_row=2):
        record = dict(zip(header, row))
        assert isinstance(record["得分"].value, (int, float))
        assert isinstance(record["更新条数"].value, int)
        assert record["得分变化"].value is None or isinstance(record["得分变化"].value, (int, float))
    for row in wb["单位排名"].iter_rows(min_row=2, values_only=True):
        assert all(isinstance(v, (int, float)) or v is None for i, v in enumerate(row) if i != 1)


def test_the_page_and_the_documents_have_one_column_set(api, october):
    """The ranking on the page has the headings of the xlsx sheet and the PDF (上期得分, not 上期名次)."""
    from pypdf import PdfReader

    from reports import columns
    from reports.views import _report_tables

    report = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk).json()
    page = {t["title"]: t["headers"] for t in _report_tables(report)["tables"]}
    xlsx = load_workbook(io.BytesIO(content(get(api, october.region.supervisor, month="2024-10",
                                                organisation=october.region.county.pk, format="xlsx"))))
    pdf = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content(pdf))).pages)
    headers = [c.header for c in columns.UNIT_COLUMNS]
    assert "上期得分" in headers and "上期名次" not in headers
    for title in ("汇总", "单位排名", "不合格网站与账号"):
        assert page[title] == [c.value for c in next(xlsx[title].iter_rows(max_row=1))]
        assert title in text
    assert "上期得分" in text and "见 Excel 文件" in text


def test_pdf_holds_the_same_figures(api, october):
    from pypdf import PdfReader

    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="pdf")
    assert response.status_code == 200
    document = content(response)
    assert document.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert "甲县教育发布" in text
    assert "2024年10月" in text
    assert "不合格" in text


@pytest.mark.parametrize("month", ["2024-13", "October", "", "2999-01"])
def test_a_bad_month_is_400_naming_the_field(api, october, month):
    response = get(api, october.region.supervisor, month=month)
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_bad_month_is_json_even_when_a_document_was_asked_for(api, october):
    response = get(api, october.region.supervisor, month="2024-13", format="xlsx")
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_units_staff_see_only_their_own_unit(api, october):
    r = october.region
    own = get(api, r.member, month="2024-10", organisation=r.bureau.pk)
    assert own.status_code == 200
    assert {a["name"] for a in own.json()["accounts"]} == {"甲县教育发布", "甲县教育微博"}
    assert get(api, r.member, month="2024-10", organisation=r.county.pk).status_code == 404
    assert get(api, r.neighbour, month="2024-10", organisation=r.bureau.pk).status_code == 404
    assert get(api, r.outsider, month="2024-10", organisation=r.bureau.pk).status_code == 404
    assert get(api, r.outsider, month="2024-10", organisation="abc").status_code == 400


def test_anonymous_is_401(api, october):
    assert api.get("/api/v1/reports/monthly/", {"month": "2024-10"}).status_code == 401


def test_quarterly_bulletin_ranks_units_and_names_failures(api, october):
    client = api.as_user(october.region.supervisor)
    params = {"quarter": "2024-Q4", "organisation": october.region.county.pk}
    queued = client.get("/api/v1/reports/quarterly/", params)
    assert queued.status_code == 202 and "status_url" in queued.json()
    run_jobs()
    response = client.get("/api/v1/reports/quarterly/", params)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "quarterly"
    assert body["period"]["start"] == "2024-10-01" and body["period"]["end"] == "2024-12-31"
    # As of 31 Dec (the inspection of the quarter's last day) every subject of both bureaus fails: the same
    # failing share, and the better average score ranks 卫健局 first.
    assert [u["organisation_name"] for u in body["units"]][:2] == ["甲县卫生健康局", "甲县教育局"]
    failing = {a["name"]: [v["label"] for v in a["vetoes"]] for a in body["accounts"] if a["verdict"] == "fail"}
    assert "甲县卫健抖音" in failing
    bad = api.get("/api/v1/reports/quarterly/", {"quarter": "2024-Q5"})
    assert bad.status_code == 400 and "quarter" in bad.json()


def test_a_name_that_looks_like_a_formula_stays_text_in_the_streamed_xlsx(api, october):
    from tests.factories import AccountFactory

    AccountFactory(name="=HYPERLINK(\"http://x\")", platform="kuaishou", owner=october.region.bureau,
                   opened_on=october.lagging.opened_on)
    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="xlsx")
    cell = next(row[1] for row in load_workbook(io.BytesIO(content(response)))["账号"].iter_rows(min_row=2)
                if str(row[1].value).endswith('"http://x")'))
    assert cell.data_type == "s" and cell.quotePrefix


def test_no_report_is_built_in_the_request_202_then_200(api, october):
    """Whatever the region's size: 202 with the export to follow (the shape the status_url answers), asking
    again while it is queued queues nothing more; after the worker ran the same request is 200 with the report,
    and the status_url offers the same file to download."""
    from reports.models import Export

    client = api.as_user(october.region.supervisor)
    params = {"month": "2024-10", "organisation": october.region.county.pk, "format": "xlsx"}
    first = client.get("/api/v1/reports/monthly/", params)
    assert first.status_code == 202 and first["Content-Type"] == "application/json"
    body = first.json()
    assert body["state"] == "PENDING" and body["status"] == "queued"
    assert body["filename"] == "月度监测报告-甲县人民政府-2024年10月.xlsx"
    assert "/api/v1/reports/exports/" in body["status_url"]
    following = client.get(body["status_url"])
    assert following.status_code == 200 and following.json()["state"] == "PENDING", following.content.decode()
    assert client.get("/api/v1/reports/monthly/", params).status_code == 202
    assert Export.objects.count() == 1

    assert run_jobs() == 1
    done = client.get(body["status_url"]).json()
    assert done["state"] == "SUCCESS" and done["download_url"]
    second = client.get("/api/v1/reports/monthly/", params)
    assert second.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(second.streaming_content)))["账号"].iter_rows(values_only=True)
    assert "甲县教育发布" in [r[1] for r in rows]
    assert "filename*=utf-8''" in second["Content-Disposition"]
    # Someone else's request is their own: a unit's staff get their unit's report, built for them.
    assert api.as_user(october.region.member).get(
        "/api/v1/reports/monthly/", {"month": "2024-10", "organisation": october.region.bureau.pk}).status_code == 202


def test_an_issued_month_is_served_as_issued_at_once(api, october):
    """A stored report (an issued month's newest revision) is 200 straight away, as issued, and queues nothing."""
    from reports.models import Export
    from reports.periods import parse_month
    from reports.revisions import issue_revision

    revision, _ = issue_revision(october.region.county, parse_month("2024-10", today=TODAY))
    response = api.as_user(october.region.supervisor).get(
        "/api/v1/reports/monthly/", {"month": "2024-10", "organisation": october.region.county.pk})
    assert response.status_code == 200
    assert response.json()["totals"] == revision.data["totals"]
    assert not Export.objects.exists()


def test_a_failed_build_is_queued_again_by_the_next_request_after_a_while(api, october):
    """Not on every request (a client polling the report would queue a province's build each time): once the
    failure is five minutes old."""
    import datetime as dt

    from django.utils import timezone

    from reports.models import Export, ExportStatus

    client = api.as_user(october.region.supervisor)
    params = {"month": "2024-10", "organisation": october.region.county.pk}
    assert client.get("/api/v1/reports/monthly/", params).status_code == 202
    Export.objects.update(status=ExportStatus.FAILED, finished_at=timezone.now())
    soon = client.get("/api/v1/reports/monthly/", params)
    assert soon.status_code == 202 and soon.json()["state"] == "FAILURE" and Export.objects.count() == 1
    Export.objects.update(finished_at=timezone.now() - dt.timedelta(minutes=6))
    again = client.get("/api/v1/reports/monthly/", params)
    assert again.status_code == 202 and Export.objects.filter(status=ExportStatus.QUEUED).count() == 1


def test_an_issued_months_document_is_rendered_by_the_worker_from_the_issued_revision(api, october):
    """The xlsx of an issued month is not rendered in the request either (a province's takes minutes): 202, then
    the worker's file of the issued revision; a newer revision makes the earlier file stale and queues again."""
    from accounts.models import Account
    from reports.models import Export, ReportRevision
    from reports.periods import parse_month
    from reports.revisions import issue_revision

    period = parse_month("2024-10", today=TODAY)
    issue_revision(october.region.county, period)
    client = api.as_user(october.region.supervisor)
    params = {"month": "2024-10", "organisation": october.region.county.pk, "format": "xlsx"}
    assert client.get("/api/v1/reports/monthly/", params).status_code == 202
    assert run_jobs() == 1
    first = client.get("/api/v1/reports/monthly/", params)
    assert first.status_code == 200
    names = [r[1] for r in load_workbook(io.BytesIO(content(first)))["账号"].iter_rows(values_only=True)]
    assert "甲县教育发布" in names
    # Renamed after issue: the document still shows the issued name until a new revision is issued.
    Account.objects.filter(name="甲县教育发布").update(name="甲县教育（新名）")
    again = client.get("/api/v1/reports/monthly/", params)
    assert again.status_code == 200 and "甲县教育发布" in [
        r[1] for r in load_workbook(io.BytesIO(content(again)))["账号"].iter_rows(values_only=True)]
    # A later revision (as a regeneration that found late data issues it) makes the earlier file stale.
    latest = ReportRevision.objects.get()
    ReportRevision.objects.create(organisation=latest.organisation, period=latest.period, revision=2,
                                  data=json.loads(json.dumps(latest.data, ensure_ascii=False).replace("甲县教育发布", "甲县教育（新名）")))
    assert client.get("/api/v1/reports/monthly/", params).status_code == 202
    assert run_jobs() == 1 and Export.objects.count() == 2
    names = [r[1] for r in load_workbook(io.BytesIO(content(client.get("/api/v1/reports/monthly/", params))))[
        "账号"].iter_rows(values_only=True)]
    assert "甲县教育（新名）" in names and "甲县教育发布" not in names
