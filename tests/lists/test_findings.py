"""The findings list (issue 11 "Lists"): search, sort, filters that validate, and the export of exactly what is
listed, in scope, with formula-looking text defused and numbers kept as numbers."""
import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from inspections.models import FindingStatus
from tests.factories import AccountFactory, FindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(region):
    """Three findings of the county's units and one of the other county's."""
    accounts = {}

    def make(name, owner, **fields):
        # One live account per unit and platform: the findings name their subject themselves.
        if owner.pk not in accounts:
            accounts[owner.pk] = AccountFactory(name=name, owner=owner)
        account = accounts[owner.pk]
        return FindingFactory(subject=account, subject_name=name, inspection=None, **fields)

    return {
        "stale": make("甲县教育微博", region.bureau, found_on=dt.date(2026, 10, 5), due_on=dt.date(2026, 10, 12)),
        "weekly": make("甲县卫健公众号", region.other_bureau, rule="account_weekly", found_on=dt.date(2026, 10, 20),
                       due_on=dt.date(2026, 10, 27), status=FindingStatus.RECTIFIED),
        "formula": make("=HYPERLINK(\"http://evil.example\",\"点我\")", region.bureau, found_on=dt.date(2026, 9, 1),
                        due_on=dt.date(2026, 9, 8)),
        "outside": make("乙县教育微博", region.other_county_bureau, found_on=dt.date(2026, 10, 6)),
    }


def rows(response):
    return re.findall(r'<a href="/findings/(\d+)/">', response.content.decode())


def ids(*items):
    return [str(f.pk) for f in items]


def test_search_finds_by_subject_unit_or_rule_name(client, region, findings):
    client.force_login(region.supervisor)
    assert rows(client.get("/findings/?q=卫健")) == ids(findings["weekly"])
    assert set(rows(client.get("/findings/?q=甲县教育局"))) == set(ids(findings["stale"], findings["formula"]))
    # A rule is found by its Chinese name, never its code.
    weekly_name = findings["weekly"].rule_label
    assert rows(client.get("/findings/", {"q": weekly_name})) == ids(findings["weekly"])
    # The other county's finding is never listed, whatever is searched.
    assert rows(client.get("/findings/?q=乙县")) == []


def test_sort_by_clickable_headings_and_a_bad_sort_is_ignored(client, region, findings):
    client.force_login(region.supervisor)
    newest_first = ids(findings["weekly"], findings["stale"], findings["formula"])
    assert rows(client.get("/findings/")) == newest_first
    assert rows(client.get("/findings/?sort=found_on")) == newest_first[::-1]
    assert rows(client.get("/findings/?sort=-due_on")) == newest_first
    for bad in ("organisation__users__password", "rule;drop", "-", "--found_on"):
        response = client.get("/findings/", {"sort": bad})
        assert response.status_code == 200 and rows(response) == newest_first
    page = client.get("/findings/?status=open&sort=found_on").content.decode()
    # The heading of the current sort turns it round and keeps the filter.
    assert 'href="?status=open&amp;sort=-found_on"' in page


def test_date_filters_and_a_bad_date_is_a_message_not_an_error(client, region, findings):
    client.force_login(region.supervisor)
    assert rows(client.get("/findings/?found_from=2026-10-01&found_to=2026-10-10")) == ids(findings["stale"])
    response = client.get("/findings/?found_from=2026/13/45&status=open")
    assert response.status_code == 200
    page = response.content.decode()
    assert "筛选条件有误" in page and "发现日期自" in page
    # The valid filter still applies.
    assert set(rows(response)) == set(ids(findings["stale"], findings["formula"]))
    assert "结束日期不能早于开始日期" in client.get("/findings/?found_from=2026-10-10&found_to=2026-10-01").content.decode()


def test_filters_are_kept_in_the_pager_links(client, region, findings):
    account = AccountFactory(name="甲县账号", owner=region.section)
    for n in range(55):
        FindingFactory(subject=account, subject_name=f"甲县账号{n}", inspection=None,
                       found_on=dt.date(2026, 6, 1) + dt.timedelta(days=n))
    client.force_login(region.supervisor)
    page = client.get("/findings/?q=甲县账号&sort=found_on").content.decode()
    link = re.search(r'<a href="\?([^"]*page=2)">下一页</a>', page).group(1).replace("&amp;", "&")
    assert "q=%E7%94%B2%E5%8E%BF%E8%B4%A6%E5%8F%B7" in link and "sort=found_on" in link
    assert len(rows(client.get("/findings/?" + link))) == 5


def test_export_lists_what_the_page_lists_safely(client, region, findings):
    client.force_login(region.supervisor)
    response = client.get("/findings/export.xlsx?sort=found_on&status=open")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and "检查问题-" in unquote(disposition.split("filename*=")[1])
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("编号", "问题", "严重程度", "对象类型")
    body = values[1:]
    assert [r[0] for r in body] == [findings["formula"].pk, findings["stale"].pk]  # numbers, in the page's order
    assert all(isinstance(r[0], int) for r in body)
    assert body[0][6] == dt.datetime(2026, 9, 1)  # a date cell, not text
    assert body[0][2] == "单项否决" and body[0][8] == "待整改"
    # The subject that looks like a formula is stored as text a spreadsheet will not run.
    formula_cell = sheet.cell(row=2, column=5)
    assert formula_cell.value.startswith("=HYPERLINK") and formula_cell.data_type == "s" and formula_cell.quotePrefix
    # Overdue days are a number.
    assert isinstance(body[0][9], int) and body[0][9] > 0
    assert "outside" not in str(values) and "乙县" not in str(values)


def test_export_is_scoped_to_the_caller(client, region, findings):
    client.force_login(region.outsider)
    sheet = load_workbook(io.BytesIO(client.get("/findings/export.xlsx").content)).active
    names = [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["乙县教育微博"]
    # Naming another county's unit in the filter does not widen the scope.
    sheet = load_workbook(io.BytesIO(client.get(f"/findings/export.xlsx?organisation={region.county.pk}").content)).active
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["乙县教育微博"]


def test_export_needs_sign_in(client, findings):
    response = client.get("/findings/export.xlsx")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_my_findings_search_and_sort(client, region, findings):
    client.force_login(region.member)
    assert rows(client.get("/findings/mine/")) == ids(findings["formula"], findings["stale"])
    assert rows(client.get("/findings/mine/?sort=-due_on")) == ids(findings["stale"], findings["formula"])
    assert rows(client.get("/findings/mine/?q=微博")) == ids(findings["stale"])
    assert client.get("/findings/mine/?sort=nonsense").status_code == 200
