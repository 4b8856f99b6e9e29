"""The reports through the API: JSON, xlsx and PDF with the same figures; scope; bad input."""
import io

import pytest
from openpyxl import load_workbook

from .test_monthly_figures import TODAY  # the fixture month is long past


def get(api, user, **params):
    return api.as_user(user).get("/api/v1/reports/monthly/", params)


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
    wb = load_workbook(io.BytesIO(response.content))
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
    wb = load_workbook(io.BytesIO(response.content))
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
    xlsx = load_workbook(io.BytesIO(get(api, october.region.supervisor, month="2024-10",
                                        organisation=october.region.county.pk, format="xlsx").content))
    pdf = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
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
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
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
    response = api.as_user(october.region.supervisor).get(
        "/api/v1/reports/quarterly/", {"quarter": "2024-Q4", "organisation": october.region.county.pk}
    )
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
    cell = next(row[1] for row in load_workbook(io.BytesIO(response.content))["账号"].iter_rows(min_row=2)
                if str(row[1].value).endswith('"http://x")'))
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_big_regions_report_is_not_built_in_the_request(api, october, monkeypatch):
    """Above the limit the API answers 202 with the background export to follow; an issued month is served as
    issued (its stored revision), never rebuilt."""
    from reports import figures, services
    from reports.periods import parse_month
    from reports.revisions import issue_revision

    monkeypatch.setattr(services, "SYNC_SUBJECT_LIMIT", 2)
    response = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk, format="xlsx")
    assert response.status_code == 202
    assert "/api/v1/reports/exports/" in response.json()["status_url"]
    assert response.json()["filename"] == "月度监测报告-甲县人民政府-2024年10月.xlsx"

    revision, _ = issue_revision(october.region.county, parse_month("2024-10", today=TODAY))

    def refuse(*args, **kwargs):
        raise AssertionError("built inside the request")

    monkeypatch.setattr(figures.ReportBuilder, "build", refuse)
    body = get(api, october.region.supervisor, month="2024-10", organisation=october.region.county.pk).json()
    assert body["totals"] == revision.data["totals"]
