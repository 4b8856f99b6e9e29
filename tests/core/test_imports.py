"""Reading uploaded tables (govmedia.core.imports) and every importer's answer to what Excel in China writes:
GBK csv files, UTF-8 with a BOM, files too big or not text at all. Whatever comes in is a 200 or a clear 400,
never a 500."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import AccountUpdate
from govmedia.core.imports import ImportReport, UnreadableFile, decode_text, read_table, read_upload
from inspections.models import ErrorReport, Message
from sites.models import Column
from tests.accounts.builders import running_account
from tests.factories import SiteFactory, WordListFactory

CSV = "栏目名称,更新类别\n政务动态,动态要闻\n通知公告,通知公告\n"
NOT_TEXT = b"\x80\x81\xff\xfe\xfd" * 20  # neither UTF-8 nor GB18030
POSTS = "发表时间,文章标题,原文链接,原创声明\n2024年10月12日 08:00,周六调休上班,https://mp.example/a,原创\n"


def upload(content: bytes, name="data.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- reading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes_is_read(encoding):
    table = read_table(upload(CSV.encode(encoding)))
    assert table.header == ["栏目名称", "更新类别"]
    assert [(r.number, r.cells) for r in table.rows] == [(2, ["政务动态", "动态要闻"]), (3, ["通知公告", "通知公告"])]


def test_gb18030_beyond_gbk_is_read():
    text = "名称\n䶮（龑）\n"  # U+4DAE is in GB18030 but not in GBK
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_text(text.encode("gb18030")) == text


def test_bytes_that_are_no_text_are_refused_with_a_chinese_reason():
    with pytest.raises(UnreadableFile) as caught:
        read_table(upload(NOT_TEXT))
    assert "编码" in caught.value.reason and caught.value.message_dict == {"file": [caught.value.reason]}


def test_the_size_cap_is_a_setting_and_counts_what_is_read(settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(UnreadableFile) as caught:
        read_upload(upload(b"x" * 1025))
    assert caught.value.reason == "文件超过 1 KB，请分批导入。"
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    with pytest.raises(UnreadableFile, match="文件超过 5 MB，请分批导入。"):
        read_upload(SimpleUploadedFile("big.csv", b"x" * (5 * 1024 * 1024 + 1)))
    settings.IMPORT_MAX_BYTES = 1024
    assert read_upload(upload(b"x" * 1024)) == b"x" * 1024
    with pytest.raises(UnreadableFile):  # no declared size: what is read counts
        read_upload(io.BytesIO(b"x" * 5000), max_bytes=4096)


def test_rows_keep_their_spreadsheet_numbers_and_blank_rows_are_left_out():
    table = read_table(upload("a,b\n1,2\n\n , \n3,4\n".encode()))
    assert [(r.number, r.cells) for r in table.rows] == [(2, ["1", "2"]), (5, ["3", "4"])]
    assert table.records() == [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})]
    assert table.rows[0].get(7) == "" and table.rows[0].get(None) == ""


def test_an_xlsx_is_read_from_its_first_sheet():
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "日期", "时间", "编号"])
    sheet.append([])
    sheet.append(["政务动态", dt.date(2024, 10, 8), dt.datetime(2024, 10, 8, 9, 30), 12.0])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(upload(buffer.getvalue(), "columns.xlsx"))
    assert table.header == ["名称", "日期", "时间", "编号"]
    assert [(r.number, r.cells) for r in table.rows] == [(3, ["政务动态", "2024-10-08", "2024-10-08 09:30:00", "12"])]


def test_names_formats_and_row_caps():
    with pytest.raises(UnreadableFile, match="仅支持 xlsx 或 csv 文件"):
        read_table(upload(b"a\n1\n", "data.txt"), formats=("xlsx", "csv"))
    with pytest.raises(UnreadableFile, match="xlsx"):
        read_table(upload(b"not a zip", "data.xlsx"))
    with pytest.raises(UnreadableFile, match="一次最多导入 2 行"):
        read_table(upload(b"a\n1\n2\n3\n"), max_rows=2)
    assert read_table(upload(b"")).header == []


def test_a_field_beyond_the_csv_limit_is_refused_not_raised():
    with pytest.raises(UnreadableFile, match="csv"):
        read_table(upload(b'a\n"' + b"x" * 200_000 + b'"\n'), max_bytes=1024 * 1024)


def test_the_report_groups_problems_by_row_in_row_order():
    report = ImportReport()
    assert report.ok
    report.refuse_row(4, "标题为空。")
    report.refuse_row(3, "发布时间晚于今天。", field="published_at")
    report.refuse_row(4, "链接不是 http(s) 地址。")
    assert not report.ok
    assert report.by_row() == [{"row": 3, "errors": ["发布时间晚于今天。"]},
                               {"row": 4, "errors": ["标题为空。", "链接不是 http(s) 地址。"]}]
    assert report.errors_of(4) == ["标题为空。", "链接不是 http(s) 地址。"]
    report.refuse_file("文件为空。")
    assert report.file_errors == ["文件为空。"]


# --- every importer, through the API ----------------------------------------------------------------------------


@pytest.fixture
def site(region):
    return SiteFactory(name="甲县教育局网站", url="https://jy.example.gov.cn/", owner=region.bureau, supervisor=region.county,
                       launched_on=dt.date(2020, 1, 1))


def post(api, user, url, file, **data):
    return api.as_user(user).post(url, {"file": file, **data}, format="multipart")


@pytest.mark.django_db
def test_account_posts_in_gbk_are_imported_and_bad_ones_refused_row_by_row(api, region):
    account = running_account(region)
    url = f"/api/v1/accounts/{account.pk}/updates/import/"
    response = post(api, region.member, url, upload(POSTS.encode("gbk")))
    assert response.status_code == 200, response.json()
    assert AccountUpdate.objects.get(account=account).title == "周六调休上班"
    wrong = POSTS.replace("原创\n", "也许\n")
    response = post(api, region.member, url, upload(wrong.encode("gbk")))
    assert response.status_code == 400
    assert response.json()["row_errors"] == [{"row": 2, "errors": ["是否原创“也许”无法识别（填 是/否 或 原创/转载）。"]}]


@pytest.mark.django_db
def test_columns_in_gbk_are_imported_and_bad_ones_refused_row_by_row(api, region, site):
    url = "/api/v1/columns/import/"
    response = post(api, region.supervisor, url, upload(CSV.encode("gbk"), "columns.csv"), site=site.pk)
    assert response.status_code == 201, response.data
    assert sorted(Column.objects.filter(site=site).values_list("name", flat=True)) == ["政务动态", "通知公告"]
    wrong = "栏目名称,更新类别\n人事信息,每周\n"
    response = post(api, region.supervisor, url, upload(wrong.encode("gbk"), "columns.csv"), site=site.pk)
    assert response.status_code == 400 and response.data["rows"][0]["row"] == 2
    assert "未知的更新类别“每周”" in response.data["rows"][0]["errors"][0]


@pytest.mark.django_db
def test_error_reports_in_gbk_are_imported_and_bad_ones_refused_row_by_row(api, region, site):
    text = f"site,received_at,content,url,reporter,external_id\n{site.pk},2024-09-30 10:00,首页错别字“登陆”,,张三,A1\n"
    response = post(api, region.member, "/api/v1/error-reports/import/", upload(text.encode("gbk")))
    assert response.status_code == 200 and response.json() == {"created": 1, "skipped": 0, "errors": []}
    assert ErrorReport.objects.get().content == "首页错别字“登陆”"
    wrong = f"site,received_at,content\n{site.pk},昨天,错字\n"
    response = post(api, region.member, "/api/v1/error-reports/import/", upload(wrong.encode("gbk")))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"line": 2, "field": "received_at", "error": "收到时间格式应为 YYYY-MM-DD HH:MM。"}]


@pytest.mark.django_db
def test_messages_in_gbk_are_imported_and_bad_ones_refused_row_by_row(api, region, site):
    text = ("site,account,received_at,author,title,content,public,external_id\n"
            f"{site.pk},,2024-09-30 10:00,李四,咨询,开学时间？,是,M1\n")
    response = post(api, region.member, "/api/v1/messages/import/", upload(text.encode("gbk")))
    assert response.status_code == 200, response.json()
    assert Message.objects.get().content == "开学时间？"
    wrong = "site,account,received_at,content\n,,2024-09-30 10:00,没有对象\n"
    response = post(api, region.member, "/api/v1/messages/import/", upload(wrong.encode("gbk")))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "site"


@pytest.mark.django_db
def test_a_word_list_in_gbk_is_imported(api, region):
    word_list = WordListFactory(organisation=region.county, kind="correction")
    url = f"/api/v1/word-lists/{word_list.pk}/import/"
    response = post(api, region.supervisor, url, upload("国务院办公室,国务院办公厅\n".encode("gbk"), "words.csv"))
    assert response.status_code == 200, response.json()
    assert list(word_list.entries.values_list("text", "suggestion")) == [("国务院办公室", "国务院办公厅")]


IMPORTERS = ["accounts", "columns", "error-reports", "messages", "word-lists"]


def importer(name, region, site):
    """(who imports, the URL, the form's other fields) of one importer."""
    if name == "accounts":
        return region.member, f"/api/v1/accounts/{running_account(region).pk}/updates/import/", {}
    if name == "columns":
        return region.supervisor, "/api/v1/columns/import/", {"site": site.pk}
    if name == "word-lists":
        word_list = WordListFactory(organisation=region.county, kind="sensitive")
        return region.supervisor, f"/api/v1/word-lists/{word_list.pk}/import/", {}
    return region.member, f"/api/v1/{name}/import/", {}


def _file_errors(body: dict) -> list[str]:
    """The file-level reason in each importer's own (fixed) shape."""
    if "errors" in body:
        return [e["error"] for e in body["errors"] if e["field"] == "file"]
    return body["file"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", IMPORTERS)
def test_every_importer_answers_an_undecodable_file_with_a_400(api, region, site, name):
    user, url, data = importer(name, region, site)
    response = post(api, user, url, upload(NOT_TEXT, "data.csv"), **data)
    assert response.status_code == 400
    assert any("编码" in reason for reason in _file_errors(response.json()))


@pytest.mark.django_db
@pytest.mark.parametrize("name", IMPORTERS)
def test_every_importer_answers_an_oversized_file_with_a_400_in_chinese(api, region, site, settings, monkeypatch, name):
    settings.IMPORT_MAX_BYTES = 1024
    monkeypatch.setattr("publishing.services.WORD_FILE_MAX_BYTES", 1024)  # word lists have a cap of their own
    user, url, data = importer(name, region, site)
    response = post(api, user, url, upload(b"a," * 1024, "data.csv"), **data)
    assert response.status_code == 400
    assert "文件超过 1 KB，请分批导入。" in _file_errors(response.json())


@pytest.mark.django_db
def test_the_pages_take_a_gbk_file_and_say_in_chinese_when_it_is_unreadable(client, region, site):
    client.force_login(region.member)
    text = f"site,received_at,content\n{site.pk},2024-09-30 10:00,错别字“登陆”\n"
    response = client.post("/error-reports/", {"csv-file": upload(text.encode("gbk"))}, follow=True)
    assert response.status_code == 200 and ErrorReport.objects.get().content == "错别字“登陆”"
    assert "已导入 1 条" in response.content.decode()
    response = client.post("/messages/", {"csv-file": upload(NOT_TEXT)}, follow=True)
    assert response.status_code == 200 and not Message.objects.exists()
    assert "第 1 行 文件：无法识别文件编码" in response.content.decode()
    account = running_account(region)
    response = client.post(f"/accounts/{account.pk}/updates/import/", {"import-file": upload(POSTS.encode("gbk"))})
    assert response.status_code == 302 and AccountUpdate.objects.get(account=account).title == "周六调休上班"


@pytest.mark.django_db
def test_account_posts_may_come_as_the_platforms_xlsx(api, region):
    account = running_account(region)
    book = Workbook()
    book.active.append(["发布时间", "标题", "链接", "是否原创"])
    book.active.append([dt.datetime(2024, 10, 12, 8, 0), "周六调休上班", "https://mp.example/a", "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    url = f"/api/v1/accounts/{account.pk}/updates/import/"
    response = post(api, region.member, url, upload(buffer.getvalue(), "export.xlsx"))
    assert response.status_code == 200, response.json()
    update = AccountUpdate.objects.get(account=account)
    assert (update.title, update.original) == ("周六调休上班", True)
    assert timezone.localtime(update.published_at).strftime("%Y-%m-%d %H:%M") == "2024-10-12 08:00"
