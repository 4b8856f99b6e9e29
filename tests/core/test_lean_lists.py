"""Issue 14: the big lists write their pages with less work per row (govmedia.core.api.LeanListSerializer, the
account list's teams and menus read for the whole page), and a client reads exactly what it read before: every
row equals DRF's own rendering of it, and an account in the list equals the same account read alone."""
import datetime as dt

import pytest
from rest_framework import serializers

from accounts.models import AccountMenu, AccountTeamMember
from govmedia.core.api import LeanListSerializer
from tests.core.test_list_queries import checklist, populate  # noqa: F401  (checklist: an autouse fixture)

pytestmark = pytest.mark.django_db

LISTS = ["accounts", "sites", "columns", "posts", "review-tasks", "findings"]


def results(client, endpoint) -> list[dict]:
    response = client.get(f"/api/v1/{endpoint}/?page_size=100")
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_page_equals_drfs_own_rendering(api, region, endpoint, monkeypatch):
    populate(region, 4, "甲")
    client = api.as_user(region.supervisor)
    lean = results(client, endpoint)
    assert lean, "the list has rows to compare"
    monkeypatch.setattr(LeanListSerializer, "to_representation", serializers.ListSerializer.to_representation)
    assert results(client, endpoint) == lean


def test_an_account_in_the_list_equals_the_account_alone(api, region):
    populate(region, 3, "乙")
    accounts = [row["id"] for row in results(api.as_user(region.supervisor), "accounts")]
    first, second = accounts[0], accounts[1]
    # A menu tree three levels deep, given out of order, and a member who has left (not shown).
    top = AccountMenu.objects.create(account_id=first, name="办事", note="入口", position=2)
    AccountMenu.objects.create(account_id=first, name="查询", position=1)
    middle = AccountMenu.objects.create(account_id=first, parent=top, name="社保", position=2)
    AccountMenu.objects.create(account_id=first, parent=top, name="医保", position=1)
    AccountMenu.objects.create(account_id=first, parent=middle, name="缴费", position=1)
    AccountTeamMember.objects.create(account_id=first, name="离开者", position=0, left_on=dt.date(2024, 5, 1))
    AccountTeamMember.objects.create(account_id=second, name="王五", unit_title="科员", position=3)

    client = api.as_user(region.supervisor)
    listed = {row["id"]: row for row in results(client, "accounts")}
    for account in accounts:
        alone = client.get(f"/api/v1/accounts/{account}/").json()
        assert listed[account] == alone
    assert [m["name"] for m in listed[first]["menus"]] == ["服务", "查询", "办事"]
    assert [[c["name"] for c in m["children"]] for m in listed[first]["menus"]][2] == ["医保", "社保"]
    assert listed[first]["menus"][2]["children"][1]["children"][0]["name"] == "缴费"
    assert "离开者" not in [m["name"] for m in listed[first]["team"]]
    assert [m["name"] for m in listed[second]["team"]][-1] == "王五"


def test_a_value_outside_the_choices_is_shown_as_drf_shows_it(api, region, monkeypatch):
    """The lean reader takes a `get_…_display` label from the choices; a stored value the choices do not name
    (a platform added by an import before its label) is written as Django's method answers: the value itself."""
    from accounts.models import Account

    populate(region, 2, "丙")
    Account.objects.filter(pk=Account.objects.order_by("pk").values("pk")[:1]).update(platform="xiaohongshu")
    client = api.as_user(region.supervisor)
    lean = results(client, "accounts")
    assert "xiaohongshu" in [row["platform_display"] for row in lean]
    assert {row["platform_display"] for row in lean} - {"xiaohongshu"} <= {"微信", "微博", "抖音", "快手", "今日头条", "移动客户端", "其他"}
    monkeypatch.setattr(LeanListSerializer, "to_representation", serializers.ListSerializer.to_representation)
    assert results(client, "accounts") == lean
