"""The one menu (govmedia/navigation.py): its order, its labels, and who sees which entry."""
import pytest

FULL_MENU = [
    "工作台", "工作日历",
    "政务新媒体", "备案审批", "网站与栏目",
    "稿件", "审校队列", "发布台账", "审校流程", "词表",
    "本单位整改", "检查问题", "更新倒计时", "找错与留言", "检查记录", "检查指标", "网站扫描",
    "监测报告", "每月自查",
    "机构与人员", "审计日志", "接口账号", "接口推送",
]
AREAS = ["工作台", "账号与网站", "内容发布", "检查与整改", "报告", "系统管理"]


def menu(client, user):
    client.force_login(user)
    response = client.get("/calendar/")
    assert response.status_code == 200
    return [item["label"] for item in response.context["nav_items"]]


@pytest.mark.django_db
def test_a_supervisor_sees_the_whole_menu_in_order(client, region):
    assert menu(client, region.supervisor) == FULL_MENU


@pytest.mark.django_db
def test_an_editor_does_not_see_the_supervisors_entries(client, region):
    hidden = {"词表", "审校流程", "审计日志", "接口账号", "接口推送"}
    assert menu(client, region.member) == [label for label in FULL_MENU if label not in hidden]


@pytest.mark.django_db
def test_the_current_page_is_marked_active(client, region):
    client.force_login(region.member)
    items = client.get("/calendar/").context["nav_items"]
    assert [item["label"] for item in items if item["active"]] == ["工作日历"]


@pytest.mark.django_db
def test_an_auditor_is_not_offered_a_self_inspection_they_cannot_fill_in(client, region):
    """The auditor acts for no unit: the 每月自查 entry used to lead them to a 404."""
    assert "每月自查" not in menu(client, region.auditor)
    assert client.get("/reports/self-inspection/").status_code == 404
    assert "每月自查" in menu(client, region.member)
    assert client.get("/reports/self-inspection/").status_code == 200


@pytest.mark.django_db
def test_the_sidebar_groups_the_menu_by_area(client, region):
    client.force_login(region.supervisor)
    groups = client.get("/calendar/").context["nav_groups"]
    assert [g["label"] for g in groups] == AREAS
    assert [i["label"] for g in groups for i in g["items"]] == FULL_MENU
    assert [g["label"] for g in groups if g["active"]] == ["工作台"]


@pytest.mark.django_db
def test_an_area_without_entries_for_the_role_is_not_shown(client, region):
    """An editor opens no administrative page but 机构与人员, so 系统管理 shows that one entry alone."""
    client.force_login(region.member)
    groups = {g["label"]: [i["label"] for i in g["items"]] for g in client.get("/").context["nav_groups"]}
    assert groups["系统管理"] == ["机构与人员"]
    assert "词表" not in groups["内容发布"]


@pytest.mark.django_db
def test_only_the_most_specific_entry_is_active(client, region):
    client.force_login(region.member)
    items = client.get("/findings/mine/").context["nav_items"]
    assert [item["label"] for item in items if item["active"]] == ["本单位整改"]
