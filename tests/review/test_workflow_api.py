"""The whole 三审三校 through the API, with six different people, and every refusal on the way."""
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, AccountUpdate
from publishing.models import Post, PostUserObjectPermission, Publication
from publishing.tasks import publish_due_posts
from notifications.models import Notification
from review.models import ReviewTask
from sites.models import Column, ColumnUpdate

pytestmark = pytest.mark.django_db

BODY = "<p>全县中小学秋季开学工作会议召开。</p>"


def create_post(api, newsroom, **extra):
    payload = {"title": "全县秋季开学工作会议召开", "body": BODY, "organisation": newsroom.bureau.pk,
               "columns": [newsroom.column.pk], "accounts": [newsroom.account.pk], **extra}
    response = api.as_user(newsroom.author).post("/api/v1/posts/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def open_task(post_id):
    return ReviewTask.objects.get(post_id=post_id, status="open")


def decide(api, user, task, action="approve", **body):
    return api.as_user(user).post(f"/api/v1/review-tasks/{task.pk}/{action}/", body, format="json")


def test_six_people_take_a_post_through_every_stage_and_it_is_published(api, newsroom, django_capture_on_commit_callbacks):
    post = create_post(api, newsroom)
    assert post["status"] == "draft" and post["revision"] == 1
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review" and response.json()["stage"] == "review1"

    sequence = [
        ("review1", newsroom.editor), ("review2", newsroom.deputy), ("review3", newsroom.principal),
        ("proof1", newsroom.editor2), ("proof2", newsroom.section), ("proof3", newsroom.deputy2),
    ]
    for stage, reviewer in sequence:
        task = open_task(post["id"])
        assert task.stage == stage
        queue = api.as_user(reviewer).get("/api/v1/review-tasks/?actionable=true").json()
        assert [t["id"] for t in queue["results"]] == [task.pk]
        assert Notification.objects.filter(user=reviewer, kind="step_opened").exists()
        with django_capture_on_commit_callbacks() as callbacks:
            response = decide(api, reviewer, task, comment=f"{stage} 同意", revision=1)
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "approved"
        assert response.json()["decided_by"] == reviewer.pk
        # The permission to decide went with the stage: now only the next stage's role holders have it.
        holders = set(PostUserObjectPermission.objects.filter(content_object_id=post["id"]).values_list("user__username", flat=True))
        following = ReviewTask.objects.filter(post_id=post["id"], status="open").first()
        # ... less the author, who decides at most 一审 (the author is an editor, and 一校 is the editors').
        expected = set() if following is None else set(
            newsroom.bureau.memberships.filter(role=following.role).exclude(user=newsroom.author)
            .values_list("user__username", flat=True))
        assert holders == expected
    stored = Post.objects.get(pk=post["id"])
    assert stored.status == "scheduled"
    assert len(callbacks) >= 1  # publication queued on commit

    assert publish_due_posts() == 1
    assert publish_due_posts() == 0  # idempotent
    stored.refresh_from_db()
    assert stored.status == "published"
    today = timezone.localdate()
    assert Column.objects.get(pk=newsroom.column.pk).last_updated_on == today
    assert Account.objects.get(pk=newsroom.account.pk).last_updated_on == today
    assert ColumnUpdate.objects.filter(column=newsroom.column, source="publication").count() == 1
    assert AccountUpdate.objects.filter(account=newsroom.account, source="publication").count() == 1
    urls = sorted(Publication.objects.filter(post=stored).values_list("url", flat=True))
    assert urls[0].startswith("https://mp.weixin.qq.com/jiaxianjiaoyu/") and urls[1].startswith("https://www.jia.gov.cn/bmdt/")
    assert Notification.objects.filter(user=newsroom.author, kind="post_published").exists()
    decided = list(ReviewTask.objects.filter(post=stored).order_by("position").values_list("decided_by", flat=True))
    assert decided == [r.pk for _, r in sequence]


def test_a_reviewer_without_the_stage_role_gets_403_and_nothing_changes(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    task = open_task(post["id"])
    response = decide(api, newsroom.deputy, task)  # review1 is the editor's
    assert response.status_code == 403
    assert "信息员" in response.json()["detail"]
    task.refresh_from_db()
    assert task.status == "open"
    assert api.as_user(newsroom.deputy).get("/api/v1/review-tasks/?actionable=true").json()["count"] == 0


def test_out_of_scope_task_is_404(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    task = open_task(post["id"])
    region = newsroom.region
    assert decide(api, region.neighbour, task).status_code == 404
    assert decide(api, region.outsider, task).status_code == 404
    assert api.as_user(region.outsider).get(f"/api/v1/posts/{post['id']}/").status_code == 404
    assert api.as_user(region.supervisor).get(f"/api/v1/posts/{post['id']}/").status_code == 200


def test_deciding_a_closed_step_is_409(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    task = open_task(post["id"])
    assert decide(api, newsroom.editor, task).status_code == 200
    again = decide(api, newsroom.editor, task)
    assert again.status_code == 409
    assert "已由" in again.json()["detail"]
    assert decide(api, newsroom.editor, task, action="return", comment="晚了").status_code == 409


def test_return_sends_it_back_with_the_comment_and_resubmission_starts_at_review1(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    task = open_task(post["id"])
    no_comment = decide(api, newsroom.deputy, task, action="return")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()
    response = decide(api, newsroom.deputy, task, action="return", comment="数据需核实")
    assert response.status_code == 200
    stored = api.as_user(newsroom.author).get(f"/api/v1/posts/{post['id']}/").json()
    assert stored["status"] == "returned" and stored["stage"] is None
    note = Notification.objects.get(user=newsroom.author, kind="post_returned")
    assert "数据需核实" in note.text
    api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"body": "<p>数据已核实。</p>"}, format="json")
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").json()["stage"] == "review1"
    assert open_task(post["id"]).revision.number == 2


def test_an_edit_after_an_approval_starts_again_at_review1(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    assert open_task(post["id"]).stage == "review2"
    response = api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"title": "全县秋季开学工作会议召开（更正）"}, format="json")
    assert response.status_code == 200, response.json()
    task = open_task(post["id"])
    assert task.stage == "review1" and task.revision.number == 2
    # The deputy's permission went with the cancelled stage.
    assert api.as_user(newsroom.deputy).get("/api/v1/review-tasks/?actionable=true").json()["count"] == 0


def test_an_edit_before_any_approval_keeps_the_stage_and_a_stale_revision_is_409(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"body": "<p>改了一个字。</p>"}, format="json")
    task = open_task(post["id"])
    assert task.stage == "review1" and task.revision.number == 2
    assert decide(api, newsroom.editor, task, revision=1).status_code == 409
    assert decide(api, newsroom.editor, task, revision=2).status_code == 200


def test_major_posts_pass_the_principal_even_with_a_short_routine_policy(api, newsroom):
    region = newsroom.region
    # The shortest routine policy allowed: the three reviews (the deputy signs), one proofreading.
    short = [{"stage": "review1", "role": "editor", "days": 1}, {"stage": "review2", "role": "section_head", "days": 1},
             {"stage": "review3", "role": "deputy_head", "days": 1}, {"stage": "proof3", "role": "deputy_head", "days": 1}]
    response = api.as_user(region.owner).post("/api/v1/review-policies/", {
        "organisation": newsroom.bureau.pk, "sensitivity": "routine", "stages": short}, format="json")
    assert response.status_code == 201, response.json()
    refused = api.as_user(region.owner).post("/api/v1/review-policies/", {
        "organisation": newsroom.bureau.pk, "sensitivity": "major", "stages": short}, format="json")
    assert refused.status_code == 400 and "stages" in refused.json()

    routine = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{routine['id']}/submit/")
    for reviewer in (newsroom.editor, newsroom.section, newsroom.deputy):
        assert decide(api, reviewer, open_task(routine["id"])).status_code == 200
    assert open_task(routine["id"]).stage == "proof3"

    major = create_post(api, newsroom, sensitivity="major", title="关于调整学区划分的通告")
    api.as_user(newsroom.author).post(f"/api/v1/posts/{major['id']}/submit/")
    stages = []
    for reviewer in (newsroom.editor, newsroom.deputy, newsroom.principal):
        task = open_task(major["id"])
        stages.append(task.stage)
        assert decide(api, reviewer, task).status_code == 200
    assert stages == ["review1", "review2", "review3"]


def test_distinct_people_policy_refuses_the_same_person_twice(api, newsroom):
    from review.models import DEFAULT_STAGES

    api.as_user(newsroom.region.owner).post("/api/v1/review-policies/", {
        "organisation": newsroom.bureau.pk, "sensitivity": "routine", "stages": DEFAULT_STAGES,
        "distinct_people": True}, format="json")
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    for reviewer in (newsroom.editor, newsroom.deputy, newsroom.principal):
        decide(api, reviewer, open_task(post["id"]))
    proof1 = open_task(post["id"])
    assert decide(api, newsroom.editor, proof1).status_code == 403  # decided review1 already
    assert decide(api, newsroom.editor2, proof1).status_code == 200
    proof2 = open_task(post["id"])
    assert decide(api, newsroom.section, proof2).status_code == 200
    proof3 = open_task(post["id"])
    assert decide(api, newsroom.deputy, proof3).status_code == 403  # decided review2 already
    assert decide(api, newsroom.deputy2, proof3).status_code == 200


def test_withdraw_stops_review_and_a_wrong_person_cannot_edit(api, newsroom):
    post = create_post(api, newsroom)
    region = newsroom.region
    assert api.as_user(region.supervisor).patch(f"/api/v1/posts/{post['id']}/", {"title": "x"}, format="json").status_code == 403
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/withdraw/", {"comment": "不发了"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert not ReviewTask.objects.filter(post_id=post["id"], status="open").exists()
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").status_code == 409
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/withdraw/").status_code == 409


def test_channels_must_belong_to_the_unit(api, newsroom):
    response = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "t", "body": BODY, "organisation": newsroom.bureau.pk, "columns": [newsroom.foreign_column.pk]},
        format="json")
    assert response.status_code == 400 and "columns" in response.json()
    response = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "t", "body": BODY, "organisation": newsroom.region.other_bureau.pk}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()  # not in the author's scope


def test_scheduled_publication_waits_for_its_time(api, newsroom):
    publish_at = timezone.make_aware(dt.datetime(2030, 10, 8, 9, 0))
    post = create_post(api, newsroom, publish_at=publish_at.isoformat())
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    for reviewer in (newsroom.editor, newsroom.deputy, newsroom.principal, newsroom.editor2, newsroom.section, newsroom.deputy2):
        assert decide(api, reviewer, open_task(post["id"])).status_code == 200
    assert publish_due_posts() == 0
    assert Post.objects.get(pk=post["id"]).status == "scheduled"
    from publishing.services import post_publish

    assert post_publish(post_id=post["id"], now=publish_at - dt.timedelta(minutes=1)) is None
    published = post_publish(post_id=post["id"], now=publish_at)
    assert published.status == "published" and published.published_at == publish_at
    assert Column.objects.get(pk=newsroom.column.pk).last_updated_on == dt.date(2030, 10, 8)


def test_review_task_list_has_no_n_plus_one(api, newsroom, django_assert_max_num_queries):
    for n in range(6):
        post = create_post(api, newsroom, title=f"稿件{n}")
        api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    client = api.as_user(newsroom.editor)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/review-tasks/?actionable=true")
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/posts/").json()["count"] == 6
