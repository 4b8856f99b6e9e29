"""The 备案登记表 as PDF and printable page, and the register as xlsx: opened and read back."""
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Account
from govmedia.core.documents import CJKFontMissing, find_cjk_font

from .builders import open_and_approve, running_account

pytestmark = pytest.mark.django_db


def test_the_form_pdf_carries_the_official_fields_in_chinese(api, region, client):
    try:
        find_cjk_font()
    except CJKFontMissing:
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")
    filing = open_and_approve(api, region)
    account = Account.objects.get(filings__pk=filing["id"])
    response = api.as_user(region.member).get(f"/api/v1/accounts/{account.pk}/form-pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    # The official form is one sheet: a filled account (menus, team, opinions) still fits one A4 page.
    assert len(pages) == 1
    text = "".join(page.extract_text() for page in pages)
    for expected in ("政务新媒体备案登记表", "甲县教育发布", "甲县教育局", "甲县人民政府", "李局长", "教育动态",
                     "通知公告", "管理队伍", "张三", "13800000001", "主办单位意见", "开设"):
        assert expected in text, expected
    client.force_login(region.member)
    page = client.get(f"/accounts/{account.pk}/form.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")


def test_a_missing_font_is_a_clear_error_not_a_500(region, settings, client):
    settings.GOVMEDIA_CJK_FONT = "/nonexistent/font.ttc"
    account = running_account(region)
    client.force_login(region.member)
    response = client.get(f"/accounts/{account.pk}/form.pdf")
    assert response.status_code == 503
    assert "字体" in response.content.decode()


def test_the_printable_form_page(api, region, client):
    filing = open_and_approve(api, region)
    account = Account.objects.get(filings__pk=filing["id"])
    client.force_login(region.member)
    html = client.get(f"/accounts/{account.pk}/form/").content.decode()
    assert "政务新媒体备案登记表" in html and "招生考试" in html and "☑是" in html
    client.force_login(region.outsider)
    assert client.get(f"/accounts/{account.pk}/form/").status_code == 404


def test_the_register_xlsx_lists_accounts_in_scope_with_their_team(api, region):
    running_account(region, name="教育微博", platform="weibo", verified=True, national_reference="GW1")
    running_account(region, name="乙县教育", platform="weibo", owner=region.other_county_bureau, supervisor=region.other_county)
    response = api.as_user(region.supervisor).get("/api/v1/accounts/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "政务新媒体账号备案台账"
    header = [c.value for c in sheet[3]]
    assert header[:6] == ["序号", "账号名称", "发布平台", "账号类型", "账号ID", "主办单位"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 1
    row = dict(zip(header, rows[0]))
    assert row["账号名称"] == "教育微博" and row["发布平台"] == "微博" and row["是否认证"] == "是"
    assert row["管理员"] == "张三、李四" and row["全国报送系统编号"] == "GW1"
    # The page export honours the list's filters.
    from django.test import Client

    page_client = Client()
    page_client.force_login(region.supervisor)
    filtered = page_client.get("/accounts/register.xlsx?platform=wechat")
    assert load_workbook(io.BytesIO(filtered.content)).active.max_row == 3  # title, date, header: no accounts
