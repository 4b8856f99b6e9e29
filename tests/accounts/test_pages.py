"""The register's pages: list with filters and counts, detail, the sectioned filing form, the approval queue."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, AccountStatus, Filing, FilingStatus
from tests.inspections.conftest import regional_rules

from .builders import running_account

pytestmark = pytest.mark.django_db


def form_post(region, **overrides):
    data = {
        "name": "甲县教育发布", "platform": "wechat", "account_type": "subscription", "platform_id": "jxjy",
        "registered_on": "2024-09-20", "verified": "on", "supervisor": region.county.pk, "supervisor_leader": "王主任",
        "supervisor_leader_title": "副主任", "supervisor_contact": "0551-7654321", "owner": region.bureau.pk,
        "owner_leader": "李局长", "owner_leader_title": "副局长", "owner_contact": "0551-1234567",
        "functions": "信息发布", "introduction": "介绍", "event_date": "2024-09-27", "reason": "开设",
        "menu-level": ["1", "2"], "menu-name": ["教育动态", "通知公告"], "menu-note": ["", ""],
        "team-name": ["张三", "李四"], "team-unit_title": ["信息员", "主任"], "team-office_phone": ["", "0551-1"],
        "team-mobile": ["13800000001", ""],
    }
    data.update(overrides)
    return data


def test_list_filters_and_counts(client, region):
    today = timezone.localdate()
    running_account(region, name="教育微博", platform="weibo", last_updated_on=today)
    running_account(region, name="教育抖音", platform="douyin", last_updated_on=today - dt.timedelta(days=40))
    running_account(region, name="卫健微信", platform="wechat", owner=region.other_bureau, status=AccountStatus.CLOSING)
    client.force_login(region.supervisor)
    html = client.get("/accounts/").content.decode()
    assert "教育微博" in html and "卫健微信" in html and "共 3 个" in html
    stale = client.get("/accounts/?days=14").content.decode()
    assert "教育抖音" in stale and "教育微博" not in stale
    assert "卫健微信" not in client.get(f"/accounts/?owner={region.bureau.pk}").content.decode()
    closing = client.get("/accounts/?status=closing").content.decode()
    assert "卫健微信" in closing and "教育微博" not in closing
    client.force_login(region.neighbour)
    assert "教育微博" not in client.get("/accounts/").content.decode()


def test_list_page_queries_stay_flat(client, region, django_assert_max_num_queries):
    for index in range(20):
        running_account(region, name=f"号{index}", platform="other", exemption_reason="测试")
    client.force_login(region.supervisor)
    # A fixed count whatever the number of accounts: the page, the menu, and the checklist in force (each
    # countdown rule reads the versions once).
    with django_assert_max_num_queries(28):
        assert client.get("/accounts/").status_code == 200
    for index in range(20, 40):
        running_account(region, name=f"号{index}", platform="other", exemption_reason="测试")
    with django_assert_max_num_queries(28):
        assert client.get("/accounts/").status_code == 200


def test_detail_shows_filings_history_and_the_notice_period(client, region):
    regional_rules(region)  # closure and backfill periods are qingdao's (§7, §19): in force by the unit's version
    account = running_account(region, status=AccountStatus.CLOSING, closure_notice_on=dt.date(2024, 9, 20))
    client.force_login(region.member)
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "2024-10-16" in html  # the first allowed deregistration date
    client.force_login(region.outsider)
    assert client.get(f"/accounts/{account.pk}/").status_code == 404


def test_the_form_saves_an_incomplete_draft_and_shows_errors_next_to_fields_on_submit(client, region):
    client.force_login(region.member)
    response = client.post("/filings/new/", form_post(region, owner_leader="", platform_id="", action="submit"))
    # The draft is kept; the submission explains what is missing, field by field.
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.DRAFT
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写主办单位分管领导" in html and "请填写账号ID" in html
    assert 'value="张三"' in html and 'value="通知公告"' in html  # rows survive the round trip
    # The page posts the retry to the draft it saved, never to /filings/new/ again (one draft, not two).
    assert f'action="/filings/{filing.pk}/edit/"' in html
    retry = client.post(f"/filings/{filing.pk}/edit/", form_post(region, owner_leader="", platform_id="", action="submit"))
    assert retry.status_code == 400 and Filing.objects.count() == 1
    # Resume the draft later: it comes back filled in.
    page = client.get(f"/filings/{filing.pk}/edit/").content.decode()
    assert 'value="甲县教育发布"' in page and 'value="李四"' in page
    done = client.post(f"/filings/{filing.pk}/edit/", form_post(region, action="submit"))
    assert done.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


def test_menu_rows_out_of_order_and_bad_mobiles_are_explained(client, region):
    client.force_login(region.member)
    response = client.post("/filings/new/", form_post(region, **{"menu-level": ["2"], "menu-name": ["孤儿菜单"], "menu-note": [""],
                                                              "team-mobile": ["123", ""]}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "前面缺少上一级菜单" in html
    assert not Filing.objects.exists()
    response = client.post("/filings/new/", form_post(region, **{"team-mobile": ["123", ""]}))
    assert "手机号码应为11位数字" in response.content.decode()


def test_internal_section_owner_is_refused_next_to_the_field(client, region):
    client.force_login(region.member)
    response = client.post("/filings/new/", form_post(region, owner=region.section.pk))
    assert response.status_code == 400 and "内设机构" in response.content.decode()


def test_queue_and_decisions_through_the_pages(client, region):
    client.force_login(region.member)
    client.post("/filings/new/", form_post(region, action="submit"))
    filing = Filing.objects.get()
    client.force_login(region.owner)
    queue = client.get("/filings/").content.decode()
    assert "甲县教育发布" in queue and "主办单位主要负责人审批" in queue
    client.post(f"/filings/{filing.pk}/approve/", {"comment": "同意"})
    client.force_login(region.supervisor)
    assert "甲县教育发布" in client.get("/filings/").content.decode()
    client.post(f"/filings/{filing.pk}/approve/", {"comment": ""})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED
    assert Account.objects.get().status == AccountStatus.RUNNING
    # A second click on a decided filing is explained, not a crash.
    response = client.post(f"/filings/{filing.pk}/approve/", follow=True)
    assert "没有待审批的环节" in response.content.decode()


def test_existing_account_registration_page(client, region):
    regional_rules(region)  # closure and backfill periods are qingdao's (§7, §19): in force by the unit's version
    client.force_login(region.member)
    data = form_post(region, platform="douyin")
    response = client.post("/accounts/existing/", data)
    assert response.status_code == 302
    account = Account.objects.get()
    assert account.status == AccountStatus.RUNNING and account.backfill_due_on is not None
    again = client.post("/accounts/existing/", data)
    assert again.status_code == 400 and "已有在用账号" in again.content.decode()


def test_import_page_reports_refused_rows(client, region):
    from django.core.files.uploadedfile import SimpleUploadedFile

    account = running_account(region)
    client.force_login(region.member)
    bad = SimpleUploadedFile("x.csv", "发布时间,标题,链接,是否原创\n不是日期,标题,,是\n".encode(), content_type="text/csv")
    response = client.post(f"/accounts/{account.pk}/updates/import/", {"import-file": bad})
    assert response.status_code == 400
    assert "第 2 行" in response.content.decode()
