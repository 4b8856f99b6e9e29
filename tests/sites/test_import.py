"""Importing columns from xlsx and csv: all or nothing, with a reason for each refused row."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sites.models import Column
from tests.factories import ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db

HEADER = ["栏目名称", "上级栏目", "更新类别", "内容保障单位", "栏目地址", "开设日期"]


@pytest.fixture
def portal(region):
    return SiteFactory(name="甲县人民政府门户网站", owner=region.county, supervisor=region.county)


def xlsx(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("columns.xlsx", buffer.getvalue())


def csv_file(rows, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return SimpleUploadedFile("columns.csv", "\n".join(lines).encode(encoding))


def post(api, user, site, upload):
    return api.as_user(user).post("/api/v1/columns/import/", {"site": site.pk, "file": upload}, format="multipart")


def test_an_xlsx_builds_the_tree_in_any_row_order(api, region, portal):
    ColumnFactory(site=portal, name="信息公开", category="other")
    rows = [
        ["政策解读", "政务公开", "policy", "", "", ""],       # its parent comes two rows later
        ["财政预决算", "信息公开", "年", "甲县教育局", "https://www.example.gov.cn/czyjs/", "2024-10-08"],
        ["政务公开", "", "其他", "", "", ""],
        ["政务动态", "", "动态要闻", "甲县教育局", "", ""],
    ]
    response = post(api, region.supervisor, portal, xlsx(rows))
    assert response.status_code == 201, response.data
    assert response.data["created"] == 4
    budget = Column.objects.get(site=portal, name="财政预决算")
    assert (budget.parent.name, budget.category, budget.responsible, str(budget.opened_on)) == (
        "信息公开", "annual", region.bureau, "2024-10-08")
    assert Column.objects.get(site=portal, name="政策解读").parent.name == "政务公开"


def test_a_refused_file_imports_nothing_and_says_why_row_by_row(api, region, portal):
    ColumnFactory(site=portal, name="通知公告", category="notice")
    rows = [
        ["政务动态", "", "news", "", "", ""],                    # fine, but nothing is imported
        ["人事信息", "", "weekly", "", "", ""],                  # unknown category
        ["统计数据", "数据发布", "monthly", "", "", ""],           # unknown parent
        ["领导信息", "", "other", "外县单位", "", ""],             # unknown unit
        ["通知公告", "", "notice", "", "", ""],                  # exists already
        ["政务动态", "", "news", "", "", ""],                    # same as row 2
        ["", "", "news", "", "", ""],                            # no name
        ["政府网站年报", "", "annual", "", "ftp:/bad", "2024-02-30"],  # bad URL and date
    ]
    response = post(api, region.supervisor, portal, xlsx(rows))
    assert response.status_code == 400
    assert response.data["created"] == 0
    report = {r["row"]: " ".join(r["errors"]) for r in response.data["rows"]}
    assert set(report) == {3, 4, 5, 6, 7, 8, 9}
    assert "更新类别" in report[3]
    assert "上级栏目" in report[4]
    assert "内容保障单位" in report[5]
    assert "已有" in report[6]
    assert "第 2 行" in report[7]
    assert "栏目名称" in report[8]
    assert "网址" in report[9] and "开设日期" in report[9]
    assert list(Column.objects.filter(site=portal).values_list("name", flat=True)) == ["通知公告"]


def test_a_unit_outside_the_importers_scope_is_unknown(api, region):
    site = SiteFactory(owner=region.bureau, supervisor=region.county)
    rows = [["卫生动态", "", "news", "甲县卫生健康局", "", ""]]
    response = post(api, region.owner, site, csv_file(rows))
    assert response.status_code == 400
    assert "甲县卫生健康局" in response.data["rows"][0]["errors"][0]


def test_an_ambiguous_parent_needs_a_path(api, region, portal):
    a = ColumnFactory(site=portal, name="部门信息公开")
    b = ColumnFactory(site=portal, name="乡镇信息公开")
    ColumnFactory(site=portal, name="政策文件", parent=a)
    ColumnFactory(site=portal, name="政策文件", parent=b)
    response = post(api, region.supervisor, portal, csv_file([["规范性文件", "政策文件", "policy", "", "", ""]]))
    assert response.status_code == 400 and "完整路径" in response.data["rows"][0]["errors"][0]
    response = post(api, region.supervisor, portal, csv_file([["规范性文件", "乡镇信息公开/政策文件", "policy", "", "", ""]]))
    assert response.status_code == 201
    assert Column.objects.get(name="规范性文件").parent.parent == b


def test_a_cycle_in_the_file_is_refused(api, region, portal):
    rows = [["甲", "乙", "other", "", "", ""], ["乙", "甲", "other", "", "", ""]]
    response = post(api, region.supervisor, portal, csv_file(rows))
    assert response.status_code == 400
    assert all("循环" in " ".join(r["errors"]) for r in response.data["rows"])
    assert not Column.objects.exists()


def test_a_gbk_csv_from_excel_is_read(api, region, portal):
    response = post(api, region.supervisor, portal, csv_file([["政务动态", "", "动态要闻", "", "", ""]], encoding="gb18030"))
    assert response.status_code == 201
    assert Column.objects.get().name == "政务动态"


@pytest.mark.parametrize("upload, words", [
    (SimpleUploadedFile("columns.txt", b"x"), "xlsx"),
    (SimpleUploadedFile("columns.xlsx", b"not a zip"), "xlsx"),
    (SimpleUploadedFile("columns.csv", "名称x,类别\n".encode()), "栏目名称"),
    (SimpleUploadedFile("columns.csv", "栏目名称\n\n".encode()), "没有"),
])
def test_unreadable_files_are_refused_with_a_reason(api, region, portal, upload, words):
    response = post(api, region.supervisor, portal, upload)
    assert response.status_code == 400
    assert words in response.data["file"][0]


def test_only_the_sites_managers_import(api, region, portal):
    response = post(api, region.member, SiteFactory(owner=region.bureau), csv_file([["新闻", "", "news", "", "", ""]]))
    assert response.status_code == 403
    response = post(api, region.outsider, portal, csv_file([["新闻", "", "news", "", "", ""]]))
    assert response.status_code == 400 and "site" in response.data
    assert not Column.objects.exists()
