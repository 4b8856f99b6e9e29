"""The office's journey in a real browser: register a site, add columns, see the tree.

Playwright runs in a thread of its own (tests/browser_helpers.py): its sync API refuses to start where another
instance (the session browser of tests/conftest.py) already keeps an event loop.
"""
import pytest

from sites.models import Column, Site
from tests.browser_helpers import in_browser

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_registers_a_site_and_builds_its_column_tree(region, live_server):
    def journey(page):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(region.supervisor.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="网站与栏目").first.click()
        page.get_by_role("link", name="登记网站").click()
        page.get_by_label("网站名称").fill("甲县教育局网站")
        page.get_by_label("首页地址").fill("https://jy.example.gov.cn/")
        page.get_by_label("主办单位").select_option(label="甲县教育局")
        page.get_by_label("主管单位").select_option(label="甲县人民政府")
        page.get_by_label("网站标识码").fill("1234000001")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="甲县教育局网站").is_visible()

        page.get_by_role("link", name="添加栏目").click()
        page.get_by_label("栏目名称").fill("政务公开")
        page.get_by_label("更新类别").select_option(label="其他（更新周期不明显）")
        page.get_by_role("button", name="保存并继续添加").click()
        page.wait_for_load_state()
        page.get_by_label("栏目名称").fill("政策文件")
        page.get_by_label("上级栏目").select_option(label="甲县教育局网站 / 政务公开")
        page.get_by_label("更新类别").select_option(label="政策文件")
        page.get_by_label("内容保障单位").select_option(label="甲县教育局")
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_load_state()

        rows = page.locator("#column-tree tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).inner_text().startswith("▾")  # the parent row can be folded
        assert "政策文件" in rows.nth(1).inner_text() and "从未更新" in rows.nth(1).inner_text()
        # Folding the parent hides the child; the category filter shows one category.
        rows.nth(0).get_by_role("button").click()
        assert rows.nth(1).is_hidden()
        page.get_by_label("更新类别").select_option("policy")
        assert rows.nth(1).is_visible() and rows.nth(0).is_hidden()

    in_browser(journey)
    site = Site.objects.get(name="甲县教育局网站")
    child = Column.objects.get(site=site, name="政策文件")
    assert child.parent.name == "政务公开" and child.responsible == region.bureau
