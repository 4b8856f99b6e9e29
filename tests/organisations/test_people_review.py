"""三员分立 in the review (三审三校): no administrator decides a stage, the superuser included, even when the
decide permission of the post were granted to them; the stage's role holder does."""
import pytest

from review.models import ReviewTask
from review.services import may_decide
from tests.factories import UserFactory
from tests.publishing.conftest import newsroom  # noqa: F401 (the fixture of a bureau's six reviewers)

pytestmark = pytest.mark.django_db


def test_no_administrator_decides_a_review_stage(api, newsroom):  # noqa: F811
    post = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "全县秋季开学工作会议召开", "body": "<p>会议召开。</p>", "organisation": newsroom.bureau.pk,
        "columns": [newsroom.column.pk], "accounts": [newsroom.account.pk]}, format="json").json()
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").status_code == 200
    task = ReviewTask.objects.get(post_id=post["id"], status="open")
    assert may_decide(newsroom.editor, task)
    administrators = [UserFactory(username="root", is_superuser=True, is_staff=True)] + [
        UserFactory(username=f"{role}_admin", admin_role=role) for role in ("system", "security", "audit")]
    for user in administrators:
        assert not may_decide(user, task)
        response = api.as_user(user).post(f"/api/v1/review-tasks/{task.pk}/approve/", {}, format="json")
        assert response.status_code in (403, 404)
    task.refresh_from_db()
    assert task.status == "open"
