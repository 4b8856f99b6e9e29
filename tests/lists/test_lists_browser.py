"""The lists in Chromium (issue 11 "Lists" and "Forms never lose data"): search, a clicked heading that sorts,
bulk approval with a refusal told by name, cards at phone width, and a failed submit that stays on its draft."""
import re

import pytest

from accounts.models import Filing, FilingStatus
from review.models import ReviewTask
from tests.factories import PASSWORD
from tests.review.test_workflow_api import create_post, open_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_queue_search_sort_and_bulk_approve(page, live_server, api, newsroom):
    ids = []
    for title, extra in (("甲稿：秋季开学", {}), ("乙稿：安全生产", {}), ("丙稿：重大事项", {"sensitivity": "major"})):
        post = create_post(api, newsroom, title=title, **extra)
        api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
        ids.append(post["id"])
    sign_in(page, live_server, newsroom.editor.username)
    page.goto(f"{live_server.url}/review/")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_label("搜索").fill("安全生产")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("乙稿")

    page.goto(f"{live_server.url}/review/")
    page.locator("#queue thead").get_by_role("link", name="稿件").click()
    page.wait_for_load_state()
    assert "sort=title" in page.url
    titles = page.locator("#queue tbody td[data-label=稿件] a").all_inner_texts()
    assert titles == sorted(titles)
    page.locator("#queue thead").get_by_role("link", name=re.compile("稿件")).click()
    page.wait_for_load_state()
    assert "sort=-title" in page.url
    assert page.locator("#queue tbody td[data-label=稿件] a").all_inner_texts() == titles[::-1]

    # The major post has no checkbox; tick the other two and approve them at once.
    expect(page.get_by_label("选择“丙稿：重大事项”")).to_have_count(0)
    page.get_by_label("选择“甲稿：秋季开学”").check()
    page.get_by_label("选择“乙稿：安全生产”").check()
    page.get_by_role("button", name="批量通过所选稿件").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("已通过 2 篇")
    assert "sort=-title" in page.url  # back on the same sorted queue
    for pid in ids[:2]:
        assert open_task(pid).stage == "review2"
    assert ReviewTask.objects.get(post_id=ids[2], status="open").stage == "review1"
    expect(page.locator("#queue tbody tr")).to_have_count(1)


def test_select_all_ticks_every_post_that_may_be_approved_in_bulk(page, live_server, api, newsroom):
    """全选 ticks the rows with a checkbox and leaves the 重大敏感 post to be handled on its own."""
    ids = []
    for title, extra in (("甲稿：秋季开学", {}), ("乙稿：安全生产", {}), ("丙稿：重大事项", {"sensitivity": "major"})):
        post = create_post(api, newsroom, title=title, **extra)
        api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
        ids.append(post["id"])
    sign_in(page, live_server, newsroom.editor.username)
    page.goto(f"{live_server.url}/review/")
    select_all = page.get_by_label("全选本页可批量通过的稿件")
    expect(select_all).to_be_visible()
    select_all.check()
    expect(page.get_by_label("选择“甲稿：秋季开学”")).to_be_checked()
    expect(page.get_by_label("选择“乙稿：安全生产”")).to_be_checked()
    # Unticking one row leaves the header box neither ticked nor clear.
    page.get_by_label("选择“乙稿：安全生产”").uncheck()
    assert select_all.evaluate("el => el.indeterminate && !el.checked")
    select_all.check()
    page.get_by_role("button", name="批量通过所选稿件").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("已通过 2 篇")
    for pid in ids[:2]:
        assert open_task(pid).stage == "review2"
    assert ReviewTask.objects.get(post_id=ids[2], status="open").stage == "review1"


def test_lists_become_cards_on_a_phone(page, live_server, api, newsroom):
    post = create_post(api, newsroom, title="甲稿：秋季开学")
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, newsroom.editor.username)
    for path, table in (("/review/", "#queue"), ("/posts/", "#posts")):
        page.goto(f"{live_server.url}{path}")
        cell = page.locator(f"{table} tbody td[data-label]").first
        # A card: the cell spans the row and shows its column name before its value.
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label.strip('"') == cell.get_attribute("data-label")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_failed_submit_stays_on_its_draft_even_after_a_reload(page, live_server, region):
    sign_in(page, live_server, region.member.username)
    page.goto(f"{live_server.url}/filings/new/")
    page.get_by_label("账号名称").fill("甲县教育发布")
    page.get_by_label("发布平台").select_option("wechat")
    page.get_by_label("事项发生日期").fill("2024-09-27")
    page.get_by_label("主办单位", exact=True).select_option(label="甲县教育局")
    page.get_by_role("button", name="提交审批").click()
    page.wait_for_load_state()
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.DRAFT
    # The address is now the draft's: a reload shows the draft, it does not post a second one.
    assert page.url.endswith(f"/filings/{filing.pk}/edit/")
    page.reload()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交审批").click()
    page.wait_for_load_state()
    assert Filing.objects.count() == 1
    expect(page.get_by_label("账号名称")).to_have_value("甲县教育发布")


def test_findings_search_sort_and_export_the_list_as_shown(page, live_server, region):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from tests.factories import AccountFactory, FindingFactory

    for name, owner, day in (("甲县教育微博", region.bureau, 5), ("甲县卫健公众号", region.other_bureau, 9),
                             ("平安教育", region.section, 7)):
        FindingFactory(subject=AccountFactory(name=name, owner=owner), inspection=None, found_on=dt.date(2026, 10, day),
                       due_on=dt.date(2026, 10, day + 7))
    sign_in(page, live_server, region.supervisor.username)
    page.goto(f"{live_server.url}/findings/")
    page.get_by_label("搜索").fill("教育")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    page.locator("#findings thead").get_by_role("link", name="发现日期").click()
    page.wait_for_load_state()
    shown = page.locator("#findings tbody td[data-label=对象]").all_inner_texts()
    # The list was newest first; clicking the heading of that sort turns it round.
    assert shown == ["账号：甲县教育微博", "账号：平安教育"]
    assert "sort=found_on" in page.url and "q=" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="导出当前列表（xlsx）").click()
    assert download.value.suggested_filename.startswith("检查问题-") and download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["甲县教育微博", "平安教育"]
