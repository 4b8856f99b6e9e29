"""The monthly report and the quarterly bulletin as PDF, read back: an official document's layout (title block,
"第 N 页 共 M 页", landscape, header rows on every page, headings kept with their tables, names unbroken) holding
what a person reads (summary, ranking, failing subjects and reasons) in Chinese."""
import io
import re

import pytest
from pypdf import PdfReader

from govmedia.core.documents import CJKFontMissing, find_cjk_font
from reports import documents
from reports.figures import build_report
from reports.periods import parse_month, parse_quarter

from .conftest import publish
from .test_api import content, get
from .test_monthly_figures import TODAY

LONG_UNIT = "甲县教育体育和科学技术局（县语言文字工作委员会办公室）"
# What must never reach a reader: rule, platform, verdict and status codes, Python reprs, float artefacts.
CODES = re.compile(r"account_stale|account_weekly|message_late|duplicate_platform|wechat|weibo|douyin|\bfail\b|"
                   r"\bpass\b|\boverdue\b|\brectified\b|None|True|False|\{'|\d\.\d{3,}")


@pytest.fixture(autouse=True)
def cjk_font():
    try:
        find_cjk_font()
    except CJKFontMissing:
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")


def read(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def landscape(content: bytes) -> bool:
    return all(page.mediabox.width > page.mediabox.height for page in PdfReader(io.BytesIO(content)).pages)


def test_the_monthly_pdf_is_an_official_document_with_the_months_verdicts(api, october):
    r = october.region
    response = get(api, r.supervisor, month="2024-10", organisation=r.county.pk, format="pdf")
    document = content(response)
    assert response.status_code == 200 and document.startswith(b"%PDF")
    pages = read(document)
    text = "\n".join(pages)
    # Title block: the issuing unit, then the title without repeating 人民政府, the period and the date.
    assert pages[0].index("甲县人民政府") < pages[0].index("甲县政府网站与政务新媒体月度监测报告")
    assert "人民政府政府" not in text
    assert "2024年10月（2024年10月1日至2024年10月31日）" in pages[0]
    assert "统计截至 2024年10月31日" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {len(pages)} 页" in page
    assert landscape(document)
    # What a person reads: the summary (3 accounts, 2 failing), the ranking and each failing subject's reasons.
    for heading in ("一、总体情况", "二、单位排名", "三、不合格网站与账号及原因"):
        assert heading in text
    assert "本期共监测政府网站 1 个、政务新媒体账号 3 个，其中不合格网站" in text
    assert "不合格账号 2 个" in text
    failing = text[text.index("三、不合格网站与账号及原因"):]
    lagging = next(line for line in failing.splitlines() if "甲县教育发布" in line)
    assert "甲县教育局" in lagging and "账号内容不更新" in lagging
    silent = next(line for line in failing.splitlines() if "甲县卫健抖音" in line)
    assert "互动回应差（账号）" in silent
    # The per-subject detail stays in the xlsx, and the PDF says so.
    assert "见 Excel 文件" in text.replace("\n", "")
    assert "甲县教育微博" not in failing  # a passing account is not listed among the failing
    assert not CODES.search(text), CODES.search(text)


def _report(units: int, accounts_per_unit: int) -> dict:
    """A region's report as figures.build_report shapes it, every account failing: the PDF's largest case."""
    names = [LONG_UNIT if u == 0 else f"清源县第{u}局" for u in range(units)]
    accounts = [
        {"id": u * accounts_per_unit + j, "name": f"清源发布{u}-{j}", "platform": "wechat", "platform_label": "微信",
         "organisation": u, "organisation_name": names[u], "verdict": "fail", "score": 96.0,
         "vetoes": [{"rule": "account_stale", "label": "账号内容不更新"}],
         "deductions": [{"rule": "message_late", "label": "留言逾期未答复", "points": 2.0},
                        {"rule": "account_original", "label": "账号两周无原创", "points": 2.0}] if j % 4 == 0 else []}
        for u in range(units) for j in range(accounts_per_unit)
    ]
    unit_rows = [
        {"organisation": u, "organisation_name": names[u], "rank": u + 1, "sites": 0, "accounts": accounts_per_unit,
         "failing_sites": 0, "failing_accounts": accounts_per_unit, "average_score": 96.0,
         "previous_average_score": 97.3, "findings_opened": 1, "findings_rectified": 0, "findings_overdue": 0,
         "findings_unresolved": 1}
        for u in range(units)
    ]
    totals = {"sites": 0, "accounts": len(accounts), "failing_sites": 0, "failing_accounts": len(accounts),
              "average_score": 96.0, "findings_opened": units, "findings_rectified": 0, "findings_overdue": 0,
              "findings_unresolved": units}
    return {
        "kind": "monthly", "organisation": {"id": 1, "name": "清源县人民政府"},
        "period": {"key": "2024-10", "label": "2024年10月", "start": "2024-10-01", "end": "2024-10-31",
                   "as_of": "2024-10-31", "complete": True},
        "checklist_version": {"id": 1, "name": "政府网站与政务新媒体检查指标", "year": 2024},
        "totals": totals, "units": unit_rows, "sites": [], "accounts": accounts, "findings": [],
    }


def test_a_long_pdf_repeats_its_header_keeps_headings_with_their_tables_and_names_whole():
    report = _report(units=60, accounts_per_unit=20)  # 1,200 failing accounts: dozens of pages
    content = documents.render_pdf(report)
    pages = read(content)
    assert len(pages) > 20
    assert landscape(content)
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {len(pages)} 页" in page
    start = next(i for i, page in enumerate(pages) if "三、不合格网站与账号及原因" in page)
    # The heading shares its page with the table's header row and first row: never alone at a page's foot.
    heading_page = pages[start].split("三、不合格网站与账号及原因", 1)[1]
    assert "不合格原因" in heading_page and "清源发布0-0" in heading_page
    ranking_page = next(page for page in pages if "二、单位排名" in page).split("二、单位排名", 1)[1]
    assert "名次" in ranking_page and LONG_UNIT in ranking_page
    # Each later page of the table starts with its header row, under the running title.
    for page in pages[start + 1:]:
        lines = page.splitlines()
        assert lines[0] == "清源县政府网站与政务新媒体月度监测报告（2024年10月）"
        assert lines[1].split() == ["单位", "类型", "名称", "不合格原因", "扣分项", "得分"]
    text = "\n".join(pages)
    # Every failing account is listed once, each with its unit's name whole on its line.
    for j in range(20):
        assert f"{LONG_UNIT} 账号 清源发布0-{j} 账号内容不更新" in text
    assert all(f"清源发布59-{j} " in text for j in range(20))
    assert "留言逾期未答复（扣2分）；账号两周无原创（扣2分）" in text.replace("\n", "")
    assert not CODES.search(text), CODES.search(text)


def test_the_quarterly_bulletin_pdf(api, october):
    r = october.region
    report = build_report(r.county, parse_quarter("2024-Q4", today=TODAY), today=TODAY)
    content = documents.render_pdf(report)
    pages = read(content)
    text = "\n".join(pages)
    assert "甲县政府网站与政务新媒体检查情况通报" in pages[0] and "2024年第四季度" in pages[0]
    assert f"第 1 页 共 {len(pages)} 页" in pages[0]
    assert "甲县教育发布" in text and "账号内容不更新" in text
    assert not CODES.search(text), CODES.search(text)


def test_a_report_with_nothing_failing_says_so(october):
    report = build_report(october.region.county, parse_month("2024-10", today=TODAY), today=TODAY)
    for kind in ("sites", "accounts"):
        for subject in report[kind]:
            subject["verdict"] = "pass"
    text = "\n".join(read(documents.render_pdf(report)))
    after = text[text.index("三、不合格网站与账号及原因"):]
    assert "（无）" in after


def test_the_published_bulletin_pdf_carries_its_published_wording(api, client, october):
    r = october.region
    response = publish(api, r.supervisor, organisation=r.county.pk, summary="请各单位于 7 日内整改。\n整改情况报县政府办公室。")
    assert response.status_code == 200, response.json()
    client.force_login(r.member)  # the region's units read the bulletin that names them
    document = client.get(f"/reports/bulletins/{response.json()['id']}.pdf")
    assert document.status_code == 200
    pdf = b"".join(document.streaming_content)  # a kept file, streamed
    pages = read(pdf)
    text = "\n".join(pages)
    assert "甲县政府网站与政务新媒体检查情况通报" in pages[0]
    overview = text[text.index("一、总体情况"):text.index("二、单位排名")]
    assert "请各单位于 7 日内整改。" in overview and "整改情况报县政府办公室。" in overview
    assert landscape(pdf)
    assert not CODES.search(text), CODES.search(text)
