"""The monthly self-inspection (自查): its prefill told by the same rule results as the month's report (never
"every account updated weekly" beside "not updated for 14 days"), thresholds in words from the checklist in force,
and the 自查表 printable (a print stylesheet) and as a PDF read back."""
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from govmedia.core.documents import CJKFontMissing, find_cjk_font
from reports.figures import build_report
from reports.periods import parse_month
from reports.selfcheck import INDICATORS, prefill, rules_broken
from rules.versions import create_local_version

from .test_monthly_figures import TODAY

OCTOBER = parse_month("2024-10", today=TODAY)


def names_in(note: str) -> set[str]:
    return set(re.findall(r"[甲乙]县[^、：。，\s]+", note.split("：", 1)[-1]))


def test_the_prefill_and_the_report_tell_one_truth(october):
    r = october.region
    # The county: its silent account (卫健抖音, never updated, no interaction) and the lagging one.
    known = prefill(r.county, OCTOBER)["indicators"]
    report = build_report(r.county, OCTOBER, today=TODAY)
    stale_in_report = {a["name"] for a in report["accounts"] if "account_stale" in rules_broken(a)}
    assert stale_in_report == {"甲县教育发布", "甲县卫健抖音"}
    assert known["content_dormant"]["result"] == "no"
    assert names_in(known["content_dormant"]["note"]) == stale_in_report
    # An account that went without updates past the staleness period missed whole weeks too: never "all weekly".
    assert known["content_weekly"]["result"] == "no"
    assert stale_in_report <= names_in(known["content_weekly"]["note"])
    assert known["interaction_function"]["result"] == "no" and "甲县卫健抖音" in known["interaction_function"]["note"]
    # Thresholds in words from the checklist in force (rules.words), not a number written in the prefill.
    assert "未做到“14 天内至少更新 1 次”" in known["content_dormant"]["note"]
    assert "发现后 7 天内整改" in known["oversight_rectified"]["note"]
    for answer in known.values():
        assert "所有账号每周均有更新" not in answer["note"]


def test_a_local_threshold_is_what_the_prefill_says(october):
    r = october.region
    create_local_version(user=r.supervisor, organisation=r.county, on=dt.date(2024, 10, 1),
                         items=[{"code": "account_stale", "thresholds": {"days": 10}}])
    note = prefill(r.bureau, OCTOBER)["indicators"]["content_dormant"]["note"]
    assert "10 天内至少更新 1 次" in note and "14 天" not in note


def test_a_unit_without_failures_is_told_so_in_the_checklists_words(october):
    r = october.region
    known = prefill(r.other_bureau, parse_month("2024-08", today=TODAY))["indicators"]
    # August: the silent account (opened 1 January, never updated) was already stale.
    assert known["content_dormant"]["result"] == "no"
    assert known["content_weekly"]["result"] == "no"


@pytest.fixture
def cjk_font():
    try:
        find_cjk_font()
    except CJKFontMissing:
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")


def pdf_pages(content: bytes):
    return PdfReader(io.BytesIO(content)).pages


def test_the_self_inspection_pdf_prints_the_prefill_then_the_saved_answers(client, october, cjk_font):
    r = october.region
    client.force_login(r.member)
    response = client.get("/reports/self-inspection/print.pdf", {"month": "2024-10", "organisation": r.bureau.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    pages = pdf_pages(response.content)
    assert all(page.mediabox.height > page.mediabox.width for page in pages)  # a form: A4 portrait
    texts = [page.extract_text() for page in pages]
    text = "\n".join(texts)
    for number, page in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {len(texts)} 页" in page
    assert texts[0].index("甲县教育局") < texts[0].index("政务新媒体日常监管指标自查表")
    assert "自查月份：2024年10月" in texts[0] and "尚未保存，以下为系统预填" in texts[0]
    assert "一、本级政务新媒体（共 2 个）" in text and "甲县教育发布 微信" in text
    for item in INDICATORS:
        assert item.text[:10] in text, item.text  # a wrapped indicator: its first line
    weekly = next(line for line in text.splitlines() if "信息内容每周更新" in line)
    assert "不符合（系统预填）" in weekly
    assert "单位（盖章）" in text and "分管负责人（签字）" in text
    assert not re.search(r"\b(yes|no|na|None)\b", text)

    data = {"organisation": r.bureau.pk, "month": "2024-10", "leader": "周伟", "leader_phone": "0551-1234567",
            "keeper": "赵晓燕"}
    data.update({f"{i.code}__result": "yes" for i in INDICATORS})
    data["content_ads__result"] = "na"
    assert client.post("/reports/self-inspection/", data).status_code == 302
    saved = "\n".join(p.extract_text() for p in pdf_pages(
        client.get("/reports/self-inspection/print.pdf", {"month": "2024-10", "organisation": r.bureau.pk}).content))
    assert "保存时间：" in saved and "系统预填" not in saved
    assert "周伟 0551-1234567" in saved and "赵晓燕" in saved
    ads = next(line for line in saved.splitlines() if "无刊登商业广告" in line)
    assert "不适用" in ads


def test_the_self_inspection_pdf_is_scoped(client, october, cjk_font):
    r = october.region
    client.force_login(r.member)
    assert client.get("/reports/self-inspection/print.pdf", {"organisation": r.other_bureau.pk}).status_code == 404
    assert client.get("/reports/self-inspection/print.pdf", {"month": "2024-13"}).status_code == 404
    client.logout()
    assert client.get("/reports/self-inspection/print.pdf").status_code == 302


def test_the_self_inspection_page_prints_as_the_form(client, october):
    r = october.region
    client.force_login(r.member)
    html = client.get("/reports/self-inspection/", {"month": "2024-10"}).content.decode()
    assert "@media print" in html and "data-print" in html
    assert f"/reports/self-inspection/print.pdf?organisation={r.bureau.pk}&amp;month=2024-10" in html
