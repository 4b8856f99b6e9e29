"""The one menu (govmedia/navigation.py): its order, its labels, and who sees which entry."""
import pytest

FULL_MENU = [
    "首页", "机构与人员", "政务新媒体", "备案审批", "网站与栏目", "稿件", "发布台账", "词表", "审校队列", "审校流程",
    "本单位整改", "检查问题", "更新倒计时", "找错与留言", "检查记录", "检查指标", "网站扫描", "监测报告", "每月自查", "工作日历", "审计日志",
    "接口账号", "接口推送",
]


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
