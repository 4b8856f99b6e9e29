"""The shared document helpers (govmedia.core.documents): the CJK font, spreadsheet cells that never run as
formulas, and PDF tables with Chinese text."""
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from govmedia.core import documents
from tests.accounts.builders import running_account


def _read_back(book):
    return load_workbook(io.BytesIO(documents.xlsx_bytes(book)))


@pytest.mark.django_db
def test_an_account_named_like_a_formula_is_exported_as_text(api, region):
    running_account(region, name="=1+1")
    response = api.as_user(region.supervisor).get("/api/v1/accounts/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    name = sheet.cell(row=4, column=header.index("账号名称") + 1)
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+1", "s", True)


@pytest.mark.parametrize("write_only", [False, True])
def test_cells_are_written_safely_in_both_kinds_of_workbook(settings, write_only):
    settings.TIME_ZONE = "Asia/Shanghai"
    book = documents.workbook(write_only=write_only)
    ws = book.create_sheet("台账")
    documents.set_widths(ws, [12, 30])
    documents.append_title(ws, "标题")
    documents.append_header(ws, ["名称", "日期"])
    moment = dt.datetime(2024, 10, 8, 1, 30, tzinfo=dt.timezone.utc)
    documents.append_row(ws, ["=HYPERLINK(\"http://x\")", "+86 123", "-1", "@SUM(A1)", "#N/A", "甲\x01乙", "普通",
                              dt.date(2024, 10, 8), moment, 3, None])
    sheet = _read_back(book).active
    assert sheet.title == "台账" and len(sheet.parent.worksheets) == 1  # no stray default sheet
    cells = list(sheet[3])
    for c in cells[:5]:
        assert (c.data_type, c.quotePrefix) == ("s", True), c.value
    assert [c.value for c in cells[:7]] == ["=HYPERLINK(\"http://x\")", "+86 123", "-1", "@SUM(A1)", "#N/A", "甲乙", "普通"]
    assert not cells[6].quotePrefix
    assert cells[7].value == dt.datetime(2024, 10, 8) and cells[7].number_format == "yyyy-mm-dd"
    assert cells[8].value == dt.datetime(2024, 10, 8, 9, 30)  # local time: Excel has no time zones
    assert cells[9].value == 3
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["A2"].font.b and sheet["A2"].fill.fgColor.rgb.endswith("F2F2F2")
    assert sheet.column_dimensions["B"].width == 30


def test_fitted_widths_follow_the_longest_text_within_bounds():
    assert documents.fitted_widths(["名称", "说明"], [["甲", "x" * 100], ["乙丙丁戊", ""]]) == [8, 48]


def test_the_shipped_cjk_font_is_found_unless_another_is_configured(settings):
    settings.GOVMEDIA_CJK_FONT = ""
    assert Path(documents.find_cjk_font()).name == "wqy-microhei.ttc"
    settings.GOVMEDIA_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(documents.CJKFontMissing):
        documents.find_cjk_font()
    response = documents.pdf_response(lambda: documents.new_pdf(title="x").output(), "x.pdf")
    assert response.status_code == 503 and "字体" in response.content.decode()


def test_a_pdf_table_prints_chinese_with_headings_spans_and_shaded_labels(settings):
    settings.GOVMEDIA_CJK_FONT = ""
    pdf = documents.new_pdf(title="测试", orientation="L")
    pdf.set_font("cjk", size=9)
    documents.pdf_table(pdf, [["甲县教育局", None, 3]], headings=["单位", "空", "数量"])
    documents.pdf_table(pdf, [[documents.PdfCell("主办单位", shaded=True), documents.PdfCell("甲县人民政府", colspan=2)]],
                        col_widths=(30, 60, 60))
    response = documents.pdf_response(lambda: bytes(pdf.output()), "test.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="test.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("单位", "数量", "甲县教育局", "主办单位", "甲县人民政府"):
        assert expected in text
