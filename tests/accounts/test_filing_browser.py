"""The office staff's journey in a real browser: an editor files an opening with two team members and a
two-level menu; the principal and then the supervisor approve; the account shows as running."""
import pytest

from accounts.models import Account, AccountStatus
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_editor_files_an_opening_and_two_approvals_make_it_run(page, sign_in, live_server, region):
    sign_in("editor", PASSWORD)
    page.get_by_role("link", name="政务新媒体").first.click()
    page.get_by_role("link", name="开设新账号").click()
    page.get_by_label("账号名称").fill("甲县教育发布")
    page.get_by_label("发布平台").select_option("wechat")
    page.get_by_label("账号类型").select_option("subscription")
    page.get_by_label("账号ID").fill("jxjyfb")
    page.get_by_label("事项发生日期").fill("2024-09-27")
    page.get_by_label("主管单位", exact=True).select_option(label="甲县人民政府")
    page.get_by_label("分管领导").nth(0).fill("王主任")
    page.get_by_label("职务").nth(0).fill("县政府办副主任")
    page.get_by_label("联系电话及方式").nth(0).fill("0551-7654321")
    page.get_by_label("主办单位", exact=True).select_option(label="甲县教育局")
    page.get_by_label("分管领导").nth(1).fill("李局长")
    page.get_by_label("职务").nth(1).fill("副局长")
    page.get_by_label("联系电话及方式").nth(1).fill("0551-1234567")
    page.get_by_label("平台功能").fill("信息发布、政务服务")
    page.get_by_label("基本情况介绍").fill("甲县教育局官方公众号。")
    # A two-level menu: one first-level item with a second-level item under it.
    page.get_by_label("菜单名称").nth(0).fill("教育动态")
    page.get_by_role("button", name="添加菜单").click()
    page.get_by_label("菜单级别").nth(1).select_option("2")
    page.get_by_label("菜单名称").nth(1).fill("通知公告")
    # Two team members; a third row added by mistake is removed in place.
    page.get_by_label("管理员姓名").nth(0).fill("张三")
    page.get_by_label("手机号码").nth(0).fill("13800000001")
    page.get_by_role("button", name="添加成员").click()
    page.get_by_label("管理员姓名").nth(1).fill("李四")
    page.get_by_label("手机号码").nth(1).fill("13800000002")
    page.get_by_role("button", name="添加成员").click()
    page.get_by_label("管理员姓名").nth(2).fill("多余的行")
    page.locator("#team-rows tbody tr").nth(2).get_by_role("button", name="删除").click()
    assert page.get_by_label("管理员姓名").count() == 2
    page.get_by_label("开办（变更、关停）理由").fill("发布教育政策与服务信息")
    page.get_by_role("button", name="提交审批").click()
    assert page.get_by_text("备案已提交").is_visible()
    account = Account.objects.get(name="甲县教育发布")
    assert account.status == AccountStatus.APPLYING
    sign_out(page)

    sign_in("principal", PASSWORD)
    page.get_by_role("link", name="备案审批").first.click()
    page.get_by_role("link", name="甲县教育发布").click()
    page.get_by_label("意见").fill("同意开设")
    page.get_by_role("button", name="同意").click()
    assert page.get_by_text("已审批同意").is_visible()
    sign_out(page)

    sign_in("supervisor", PASSWORD)
    page.get_by_role("link", name="备案审批").first.click()
    page.get_by_role("link", name="甲县教育发布").click()
    page.get_by_role("button", name="同意").click()
    page.get_by_role("link", name="甲县教育发布").first.click()
    assert page.get_by_text("运行中").first.is_visible()
    assert page.get_by_role("cell", name="李四").is_visible()
    assert page.get_by_text("通知公告").is_visible()
    account.refresh_from_db()
    assert account.status == AccountStatus.RUNNING
    assert account.menus.get(name="通知公告").parent.name == "教育动态"
    assert sorted(account.team.values_list("name", flat=True)) == ["张三", "李四"]
