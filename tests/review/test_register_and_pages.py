"""The register (page, API, xlsx), the queue page and step page, and the bell."""
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from notifications.models import Notification
from publishing.models import Post
from publishing.services import post_publish
from review.models import ReviewTask
from tests.factories import NotificationFactory

from .test_workflow_api import create_post, decide, open_task

pytestmark = pytest.mark.django_db
SIX = ("editor", "deputy", "principal", "editor2", "section", "deputy2")


def publish_through_six(api, newsroom, when, **extra):
    post = create_post(api, newsroom, **extra)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    for name in SIX:
        assert decide(api, getattr(newsroom, name), open_task(post["id"]), comment=f"{name} 同意").status_code == 200
    post_publish(post_id=post["id"], now=when)
    return post["id"]


def test_register_lists_each_stage_decider_for_the_period_and_exports_xlsx(api, newsroom):
    # Published on the last working day before National Day 2024, and on a holiday; the period is October only.
    before = timezone.make_aware(dt.datetime(2024, 9, 30, 16, 0))
    holiday = timezone.make_aware(dt.datetime(2024, 10, 3, 10, 0))
    publish_through_six(api, newsroom, before, title="九月稿件")
    october = publish_through_six(api, newsroom, holiday, title="国庆假期安全提示")
    client = api.as_user(newsroom.region.supervisor)
    data = client.get(f"/api/v1/register/?from=2024-10-01&to=2024-10-31&organisation={newsroom.bureau.pk}").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["post"] == october and row["title"] == "国庆假期安全提示"
    assert [d["stage"] for d in row["decisions"]] == ["review1", "review2", "review3", "proof1", "proof2", "proof3"]
    assert [d["decided_by"] for d in row["decisions"]] == [getattr(newsroom, n).pk for n in SIX]
    assert len(row["publications"]) == 2

    response = client.get("/api/v1/register/?from=2024-09-01&to=2024-10-31&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:3] == ("序号", "稿件编号", "标题") and "三审（签发）人" in header
    assert [r[2] for r in rows[2:]] == ["九月稿件", "国庆假期安全提示"]
    assert rows[3][header.index("三审（签发）人")] == str(newsroom.principal)
    assert rows[3][header.index("三校时间")]

    assert client.get("/api/v1/register/?from=2024-10-31&to=2024-10-01").status_code == 400
    assert "from" in client.get("/api/v1/register/?from=oct&to=2024-10-01").json()
    # Out of scope: the other county sees nothing of the bureau.
    assert api.as_user(newsroom.region.outsider).get("/api/v1/register/?from=2024-09-01&to=2024-10-31").json()["count"] == 0
    assert api.as_user(newsroom.region.outsider).get(f"/api/v1/register/?from=2024-09-01&to=2024-10-31&organisation={newsroom.bureau.pk}").status_code == 400


def test_register_page_shows_the_decisions(api, newsroom, client):
    publish_through_six(api, newsroom, timezone.make_aware(dt.datetime(2025, 1, 27, 9, 0)), title="春节前安全检查")
    client.force_login(newsroom.region.supervisor)
    page = client.get("/register/?start=2025-01-01&end=2025-02-10").content.decode()
    assert "春节前安全检查" in page and str(newsroom.principal) in page and str(newsroom.deputy2) in page
    xlsx = client.get("/register/?start=2025-01-01&end=2025-02-10&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_queue_page_filters_and_step_page_moves_on_to_the_next(api, newsroom, client):
    first = create_post(api, newsroom, title="第一篇")
    second = create_post(api, newsroom, title="第二篇", sensitivity="major")
    for p in (first, second):
        api.as_user(newsroom.author).post(f"/api/v1/posts/{p['id']}/submit/")
    client.force_login(newsroom.editor)
    page = client.get("/review/").content.decode()
    assert page.index("第一篇") < page.index("第二篇")
    major_only = client.get("/review/?sensitivity=major").content.decode()
    assert "第二篇" in major_only and "第一篇" not in major_only
    task = open_task(first["id"])
    response = client.post(f"/review/tasks/{task.pk}/decide/", {"decision": "approve", "comment": "", "revision": "1"})
    assert response.status_code == 302 and response["Location"] == f"/review/tasks/{open_task(second['id']).pk}/"
    # A return needs a comment, and the step stays open without one.
    second_task = open_task(second["id"])
    response = client.post(f"/review/tasks/{second_task.pk}/decide/", {"decision": "return", "comment": ""}, follow=True)
    assert "退回须填写意见" in response.content.decode()
    response = client.post(f"/review/tasks/{second_task.pk}/decide/", {"decision": "return", "comment": "标题不准确"})
    assert response["Location"] == "/review/"
    assert Post.objects.get(pk=second["id"]).status == "returned"
    # The deputy decides review2 of the first post; review3 is the principal's, and the page refuses the deputy.
    client.force_login(newsroom.deputy)
    client.post(f"/review/tasks/{open_task(first['id']).pk}/decide/", {"decision": "approve"})
    review3 = open_task(first["id"])
    assert review3.stage == "review3"
    response = client.post(f"/review/tasks/{review3.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "主要负责人" in response.content.decode()
    assert open_task(first["id"]).pk == review3.pk
    client.force_login(newsroom.region.neighbour)
    assert client.get(f"/review/tasks/{open_task(first['id']).pk}/").status_code == 404


def test_step_page_shows_changes_since_the_last_approved_revision(api, newsroom, client):
    post = create_post(api, newsroom, body="<p>全县共有学校四十所。</p>")
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"body": "<p>全县共有学校四十二所。</p>"}, format="json")
    task = open_task(post["id"])
    client.force_login(newsroom.editor)
    page = client.get(f"/review/tasks/{task.pk}/").content.decode()
    assert "自第 1 版" in page and "<ins>二</ins>" in page


def test_bell_counts_unread_and_the_list_marks_them_read(api, newsroom, client):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    client.force_login(newsroom.editor)
    home = client.get("/review/").content.decode()
    assert 'data-unread="1"' in home
    note = Notification.objects.get(user=newsroom.editor)
    response = client.post(f"/notifications/{note.pk}/read/", {"go": "1"})
    assert response["Location"] == f"/review/tasks/{open_task(post['id']).pk}/"
    assert 'data-unread="0"' in client.get("/notifications/").content.decode()
    other = NotificationFactory(user=newsroom.deputy, kind="x", text="别人的")
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    api_list = api.as_user(newsroom.editor).get("/api/v1/notifications/?unread=true").json()
    assert api_list["count"] == 0


def test_overdue_steps_notify_the_deputy_head_once(api, newsroom):
    from review.services import notify_overdue

    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    task = open_task(post["id"])
    # Opened on Sun 29 Sep 2024 (a make-up working day): 2 working days later is Mon 30 Sep... then the holiday.
    ReviewTask.objects.filter(pk=task.pk).update(due_on=dt.date(2024, 10, 8))
    assert notify_overdue(today=dt.date(2024, 10, 8)) == 0  # due today is on time
    assert notify_overdue(today=dt.date(2024, 10, 9)) == 1
    assert notify_overdue(today=dt.date(2024, 10, 10)) == 0  # once per step
    users = set(Notification.objects.filter(kind="step_overdue").values_list("user__username", flat=True))
    assert {"deputy", "deputy2", "editor"} <= users
    assert api.as_user(newsroom.editor).get("/api/v1/review-tasks/?overdue=true").json()["count"] == 1


def test_principal_sets_a_shorter_routine_policy_in_the_page_but_not_for_major(client, newsroom):
    from review.models import ReviewPolicy

    client.force_login(newsroom.principal)
    data = {"organisation": newsroom.bureau.pk, "sensitivity": "routine", "use_review1": "1", "role_review1": "editor",
            "days_review1": "1", "use_review2": "1", "role_review2": "deputy_head", "days_review2": "1",
            "use_review3": "1", "role_review3": "principal", "days_review3": "2"}
    assert client.post("/review/policies/", data)["Location"] == "/review/policies/"
    assert [s["stage"] for s in ReviewPolicy.objects.get(sensitivity="routine").stages] == ["review1", "review2", "review3"]
    page = client.post("/review/policies/", {**data, "sensitivity": "major"}).content.decode()
    assert "重大敏感稿件必须经过完整的三审三校" in page
    assert not ReviewPolicy.objects.filter(sensitivity="major").exists()
    client.force_login(newsroom.editor)
    assert "设置流程" not in client.get("/review/policies/").content.decode()
