"""A post written in the browser, then a reviewer working through the queue: approve one, return one."""
import re

import pytest

from publishing.models import Post
from review.models import ReviewTask
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_author_writes_and_submits_then_reviewer_approves_one_and_returns_one(page, sign_in, live_server, newsroom, api):
    sign_in("author", PASSWORD)
    page.goto(f"{live_server.url}/posts/new/")
    page.get_by_label("标题").fill("全县中小学开展秋季消防演练")
    page.get_by_label("正文").fill("<p>9月29日（星期日，调休上班），全县中小学开展消防演练。</p>")
    page.get_by_label(re.compile("部门动态")).check()
    page.get_by_label("甲县教育（微信）").check()
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("已保存第 1 版").is_visible()
    page.get_by_role("button", name="提交审核").click()
    assert page.get_by_text("已提交审核，进入一审").is_visible()
    written = Post.objects.get(title="全县中小学开展秋季消防演练")
    assert written.status == "in_review" and written.stage == "review1"

    # A second one, submitted later through the API.
    second = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "县教育局召开校园安全工作会", "body": "<p>会议要求。</p>", "organisation": newsroom.bureau.pk,
        "columns": [newsroom.column.pk]}, format="json").json()
    api.as_user(newsroom.author).post(f"/api/v1/posts/{second['id']}/submit/")

    page.context.clear_cookies()
    sign_in("editor", PASSWORD)
    assert page.locator(".bell-count").inner_text() == "2"
    page.locator("nav.mainnav").get_by_role("link", name="审校队列").click()
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 2 and "秋季消防演练" in rows.nth(0).inner_text()  # oldest first
    rows.nth(0).get_by_role("link").click()
    assert page.get_by_role("heading", name="全县中小学开展秋季消防演练").is_visible()
    page.get_by_role("button", name="通过").click()
    # Straight on to the next one, still inside the queue.
    assert page.get_by_role("heading", name="县教育局召开校园安全工作会").is_visible()
    assert page.get_by_text("已通过“全县中小学开展秋季消防演练”的一审").is_visible()
    page.get_by_role("button", name="退回").click()  # no comment: the page asks for one
    assert ReviewTask.objects.get(post_id=second["id"], status="open").stage == "review1"
    page.get_by_label(re.compile("意见")).fill("标题请写明会议时间。")
    page.get_by_role("button", name="退回").click()
    assert page.get_by_text("队列中已没有待办稿件").is_visible()

    written.refresh_from_db()
    assert written.stage == "review2"
    returned = Post.objects.get(pk=second["id"])
    assert returned.status == "returned"
    assert ReviewTask.objects.get(post=returned, status="returned").comment == "标题请写明会议时间。"
