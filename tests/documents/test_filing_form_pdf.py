"""The 备案登记表 PDF in its official layout, read back: page numbers, headings on one line, a long unit name
whole, Chinese labels for every code, and a long management team continuing on a second page under its header."""
import io
import re

import pytest
from pypdf import PdfReader

from accounts.models import Account
from govmedia.core.documents import CJKFontMissing, find_cjk_font
from tests.accounts.builders import open_and_approve

pytestmark = pytest.mark.django_db

LONG_UNIT = "甲县教育体育和科学技术局（县语言文字工作委员会办公室）"


@pytest.fixture(autouse=True)
def cjk_font():
    try:
        find_cjk_font()
    except CJKFontMissing:
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")


def form_pages(api, region, account) -> list[str]:
    response = api.as_user(region.member).get(f"/api/v1/accounts/{account.pk}/form-pdf/")
    assert response.status_code == 200
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_form_reads_like_the_official_one(api, region):
    region.bureau.name = LONG_UNIT
    region.bureau.save()
    account = Account.objects.get(filings__pk=open_and_approve(api, region)["id"])
    pages = form_pages(api, region, account)
    assert len(pages) == 1
    text = pages[0]
    assert text.splitlines()[0] == "政务新媒体备案登记表"
    assert "第 1 页 共 1 页" in text
    lines = text.splitlines()
    # The unit's long name in smaller type, broken only before its parenthesis; the form's headings on one line.
    assert "主办单位 甲县教育体育和科学技术局 （县语言文字工作委员会办公室）" in text
    assert "承办单位 甲县教育体育和科学技术局 （县语言文字工作委员会办公室）" in text
    assert any("主管单位分管领导及职务" in line for line in lines)
    assert "微信（订阅号）" in text and "■正常" in text
    # No code of a platform, an account type, a filing kind or a status; no Python values.
    words = set(re.findall(r"[A-Za-z_]{2,}", text)) - {"ID", "https", "mp", "example", "gov", "cn", "jxjy", "jxjyfb"}
    assert not words, words


def test_a_long_team_continues_under_its_header_on_the_next_page(api, region):
    team = [{"name": f"管理员{i}", "unit_title": "甲县教育局 信息员", "mobile": f"1380000{i:04d}"} for i in range(45)]
    account = Account.objects.get(filings__pk=open_and_approve(api, region, team=team)["id"])
    pages = form_pages(api, region, account)
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 2 页" in page
    second = pages[1].splitlines()
    assert second[0] == "政务新媒体备案登记表（甲县教育发布）"
    assert second[1].split() == ["管理员姓名", "所在单位及职务", "办公电话", "手机号码"]
    text = "\n".join(pages)
    assert all(f"管理员{i} " in text for i in range(45))
    # The heading of the team table is on the page where the table starts.
    first = pages[0]
    assert "管理队伍（主要成员）" in first and first.index("管理队伍（主要成员）") < first.index("管理员0 ")
