import re

import pytest

from organisations.models import Organisation
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_reaches_the_home_page_and_navigates(page, sign_in, live_server, region):
    sign_in("supervisor", PASSWORD)
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name=re.compile("^您好")).is_visible()
    page.get_by_role("link", name="机构与人员").first.click()
    assert page.get_by_role("link", name="甲县教育局办公室").is_visible()
    page.get_by_role("link", name="甲县教育局", exact=True).click()
    assert page.get_by_role("heading", name="甲县教育局").is_visible()
    assert page.get_by_role("cell", name="主要负责人").is_visible()


def test_wrong_password_is_explained(page, sign_in, region):
    sign_in("editor", "wrong-password")
    assert page.get_by_text("用户名或密码不正确").is_visible()


def test_supervisor_adds_a_unit_on_a_phone(browser, live_server, region):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("菜单").click()  # the navigation folds away on a narrow screen
    page.get_by_role("link", name="机构与人员").first.click()
    page.get_by_label("单位名称").fill("甲县统计局")
    page.get_by_label("单位类型").select_option("department")
    page.get_by_label("上级单位").select_option(label="甲县人民政府")
    page.get_by_role("button", name="创建").click()
    assert page.get_by_role("heading", name="甲县统计局").is_visible()
    assert Organisation.objects.filter(name="甲县统计局", parent=region.county).exists()
    context.close()
