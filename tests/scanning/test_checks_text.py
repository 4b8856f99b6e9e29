"""What a scan reads: Chinese pages in every charset a government site uses, attachments, links."""
import io
import zipfile

import docx
import openpyxl
import pytest

from govmedia.core.documents import new_pdf
from scanning import text

PARAGRAPH = ("通辽市人民政府办公室关于做好政府网站和政务新媒体检查工作的通知。各旗县市区人民政府，市政府各部门："
             "为进一步加强政府网站和政务新媒体建设管理，根据国务院办公厅有关要求，现将有关事项通知如下。"
             "总理朱镕基同志曾就此作出批示。")


def page(charset_meta: str = "") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return (f"<html><head>{meta}<title>通知公告</title><style>.x{{color:red}}</style>"
            f"<script>var a = '脚本里的字';</script></head><body><div>{PARAGRAPH}</div><p>第二段</p></body></html>")


def test_gbk_page_by_header():
    body = page().encode("gbk")
    assert PARAGRAPH in text.decode(body, "text/html; charset=GBK")


def test_gb2312_label_with_gbk_only_character_reads_as_browsers_do():
    # "镕" is not in GB2312: a strict GB2312 decoder fails on the very pages that are labelled so.
    body = page("gb2312").encode("gb18030")
    decoded = text.decode(body, "text/html")
    assert "朱镕基" in decoded


def test_meta_charset_wins_over_a_wrong_header():
    body = page("gbk").encode("gbk")
    assert PARAGRAPH in text.decode(body, "text/html; charset=utf-8")


def test_unlabelled_gb18030_page_is_detected():
    body = page().encode("gb18030")
    kind, read = text.extract(body, "text/html", "http://example.gov.cn/a.html")
    assert kind == "html"
    assert "朱镕基" in read and "通辽市人民政府办公室" in read


def test_utf8_page_and_bom():
    assert "朱镕基" in text.decode(page().encode("utf-8"), None)
    assert text.decode(b"\xef\xbb\xbf" + "政务".encode(), None) == "政务"


def test_html_text_is_what_a_reader_sees():
    kind, read = text.extract(page().encode("utf-8"), "text/html; charset=utf-8", "http://x.gov.cn/")
    assert kind == "html"
    assert read.startswith("通知公告")
    assert "脚本里的字" not in read and "color:red" not in read
    assert PARAGRAPH in read and "\n第二段" in read


def test_pdf_attachment_text():
    pdf = new_pdf(title="附件")
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, "拟录用人员名单 张三 身份证号 11010519491231002X")
    body = bytes(pdf.output())
    kind, read = text.extract(body, "application/octet-stream", "http://x.gov.cn/files/名单.pdf")
    assert kind == "pdf"
    assert "11010519491231002X" in read and "拟录用人员名单" in read


def test_docx_attachment_text_includes_tables():
    document = docx.Document()
    document.add_paragraph("补贴发放名单")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "李四"
    table.rows[0].cells[1].text = "6222020200000000008"
    buffer = io.BytesIO()
    document.save(buffer)
    kind, read = text.extract(buffer.getvalue(), None, "http://x.gov.cn/f/list.docx")
    assert kind == "docx"
    assert "补贴发放名单" in read and "李四 6222020200000000008" in read


def test_xlsx_attachment_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "公示"
    sheet.append(["姓名", "手机"])
    sheet.append(["王五", "13912345678"])
    buffer = io.BytesIO()
    book.save(buffer)
    kind, read = text.extract(buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "http://x.gov.cn/f/a")
    assert kind == "xlsx"
    assert "公示" in read and "王五 13912345678" in read


@pytest.mark.parametrize(("body", "content_type", "url"), [
    (b"%PDF-1.7\n1 0 obj <<>> garbage", "application/pdf", "http://x/a.pdf"),
    (b"PK\x03\x04 not really a zip", None, "http://x/a.docx"),
    (b"PK\x03\x04 not really a zip", None, "http://x/a.xlsx"),
    (b"\x00\x01\x02", "application/octet-stream", "http://x/a.bin"),
    (b"", "text/html", "http://x/"),
])
def test_broken_files_give_nothing_and_never_raise(body, content_type, url):
    kind, read = text.extract(body, content_type, url)
    assert read == ""
    assert kind in ("other", "html")


def test_zip_bomb_is_refused_before_unpacking(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (2 * 1024 * 1024))
    monkeypatch.setattr(text, "MAX_UNPACKED_BYTES", 1024 * 1024)
    assert text.extract(buffer.getvalue(), None, "http://x/a.docx") == ("other", "")


def test_links_are_absolute_http_anchors_once_each():
    html = ('<base href="/news/"><a href="a.html">1</a><a href="a.html#top">again</a><a href="mailto:x@y">m</a>'
            '<a href="https://other.example.com/p">o</a><img src="i.png"><a href="javascript:void(0)">j</a>')
    assert text.links(html, "http://www.x.gov.cn/index.html") == [
        "http://www.x.gov.cn/news/a.html", "https://other.example.com/p",
    ]
