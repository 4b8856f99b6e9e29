"""Two reviewers deciding the same step at once: exactly one wins, the other gets 409."""
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from review.models import ReviewTask

from .test_workflow_api import create_post, decide, open_task


def _client(user):
    from tests.factories import token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_action", ["approve", "return"])
def test_two_deputies_deciding_review2_at_once_exactly_one_wins(api, newsroom, second_action):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    assert decide(api, newsroom.editor, open_task(post["id"])).status_code == 200
    task = open_task(post["id"])
    assert task.stage == "review2"
    clients = [(_client(newsroom.deputy), "approve"), (_client(newsroom.deputy2), second_action)]
    results, barrier = [], threading.Barrier(2)

    def run(client, action):
        try:
            barrier.wait()
            response = client.post(f"/api/v1/review-tasks/{task.pk}/{action}/", {"comment": "同时办理"}, format="json")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    task.refresh_from_db()
    assert task.status in ("approved", "returned") and task.decided_by in (newsroom.deputy, newsroom.deputy2)
    # One decision only: either review3 opened once, or the post went back once.
    assert ReviewTask.objects.filter(post_id=post["id"], stage="review3").count() == (1 if task.status == "approved" else 0)


@pytest.mark.django_db
def test_a_stale_decision_is_refused_without_threads(api, newsroom):
    """The conditional UPDATE refuses a decision on a step someone else already decided, on any database."""
    from govmedia.core.exceptions import DomainConflict
    from review.services import task_approve

    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    task = open_task(post["id"])
    task_approve(task_id=task.pk, user=newsroom.deputy)
    with pytest.raises(DomainConflict):
        task_approve(task_id=task.pk, user=newsroom.deputy2)
