"""Shared builders for the register's tests: a complete 备案登记表 and accounts in a given state."""
import datetime as dt

from tests.factories import AccountFactory, AccountTeamMemberFactory


def full_form(region, **overrides):
    form = {
        "name": "甲县教育发布", "platform": "wechat", "account_type": "subscription", "platform_id": "jxjyfb",
        "registered_on": "2024-09-20", "verified": True, "news_licence": False,
        "supervisor": region.county.pk, "supervisor_leader": "王主任", "supervisor_leader_title": "县政府办副主任",
        "supervisor_contact": "0551-7654321",
        "owner": region.bureau.pk, "owner_leader": "李局长", "owner_leader_title": "副局长", "owner_contact": "0551-1234567",
        "functions": "信息发布、政务服务", "introduction": "甲县教育局官方公众号。", "url": "https://mp.example.gov.cn/jxjy",
        "followers": 1200, "operation_started_on": "2024-09-25",
        "menus": [{"name": "教育动态", "children": [{"name": "通知公告"}, {"name": "招生考试"}]}, {"name": "办事服务"}],
        "team": [{"name": "张三", "unit_title": "甲县教育局 信息员", "mobile": "13800000001"},
                 {"name": "李四", "unit_title": "甲县教育局 办公室主任", "office_phone": "0551-1111111"}],
    }
    form.update(overrides)
    return form


def running_account(region, *, name="甲县教育微博", platform="weibo", owner=None, team=("张三", "李四"), **fields):
    """A running account of the bureau (or `owner`), supervised by the county, opened 10 Jan 2024, with its team."""
    fields.setdefault("supervisor", region.county)
    fields.setdefault("opened_on", dt.date(2024, 1, 10))
    account = AccountFactory(name=name, platform=platform, owner=owner or region.bureau, operator=owner or region.bureau,
                             **fields)
    for index, member in enumerate(team, start=1):
        AccountTeamMemberFactory(account=account, name=member, mobile=f"1380000000{index}", position=index)
    return account


def open_and_approve(api, region, **overrides):
    """File an opening as the editor, approve it as the principal then the supervisor; return the filing JSON."""
    response = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "reason": "开设", "form": full_form(region, **overrides)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    filing_id = response.json()["id"]
    assert api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/").status_code == 200
    assert api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/", {}, format="json").status_code == 200
    response = api.as_user(region.supervisor).post(f"/api/v1/filings/{filing_id}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()
