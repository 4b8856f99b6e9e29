"""The review queue (issue 11 "Lists"): search, sort, date filters, and bulk approval where policy allows —
each approval still one audited decision through the review engine, refusals told per post."""
import re
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from govmedia.core.models import AuditEntry
from organisations.models import Membership, Role
from publishing.models import Post
from review.models import ReviewTask
from tests.review.test_workflow_api import create_post, decide, open_task


def submitted(api, newsroom, title, **extra):
    post = create_post(api, newsroom, title=title, **extra)
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").status_code == 200
    return post["id"]


def listed(response):
    return re.findall(r'<a href="/review/tasks/(\d+)/[^"]*">([^<]+)</a>', response.content.decode())


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_search_and_sort_the_queue(api, client, newsroom):
    first = submitted(api, newsroom, "全县秋季开学工作会议召开")
    second = submitted(api, newsroom, "教育局召开安全生产专题会")
    client.force_login(newsroom.editor)
    titles = [t for _pk, t in listed(client.get("/review/"))]
    assert titles == ["全县秋季开学工作会议召开", "教育局召开安全生产专题会"]  # oldest first
    assert [t for _pk, t in listed(client.get("/review/?sort=-opened_at"))] == titles[::-1]
    assert [t for _pk, t in listed(client.get("/review/?sort=title"))] == sorted(titles)
    assert [t for _pk, t in listed(client.get("/review/?q=安全生产"))] == ["教育局召开安全生产专题会"]
    # The author's name is searchable too.
    assert len(listed(client.get("/review/", {"q": str(newsroom.author)}))) == 2
    assert client.get("/review/?sort=post__author__password").status_code == 200
    page = client.get("/review/?q=安全生产&sort=-due_on").content.decode()
    # The step link keeps the queue's search and sort, so deciding moves on within the same list.
    task = open_task(second)
    assert f"/review/tasks/{task.pk}/?" in page and "sort=-due_on" in page
    assert open_task(first).pk != task.pk


@pytest.mark.django_db
def test_queue_date_filter_validates(api, client, newsroom):
    submitted(api, newsroom, "全县秋季开学工作会议召开")
    client.force_login(newsroom.editor)
    response = client.get("/review/?opened_from=不是日期")
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode() and "送达日期自" in response.content.decode()
    assert len(listed(response)) == 1
    assert listed(client.get("/review/?opened_to=2000-01-01")) == []


@pytest.mark.django_db
def test_bulk_approve_each_an_audited_decision_and_refusals_per_post(api, client, newsroom):
    # The editor also holds the deputy role, so he sees 二审 steps; he may not decide one after his own 一审.
    Membership.objects.create(user=newsroom.editor, organisation=newsroom.bureau, role=Role.DEPUTY_HEAD)
    a = submitted(api, newsroom, "甲稿")
    b = submitted(api, newsroom, "乙稿")
    major = submitted(api, newsroom, "重大稿", sensitivity="major")
    own = submitted(api, newsroom, "已一审稿")
    assert decide(api, newsroom.editor, open_task(own)).status_code == 200
    barred = open_task(own)
    assert barred.stage == "review2"
    tasks = {pid: open_task(pid) for pid in (a, b, major)}
    before = AuditEntry.objects.filter(workflow_action="approve", content_type=ContentType.objects.get_for_model(Post)).count()

    client.force_login(newsroom.editor)
    queue = client.get("/review/").content.decode()
    assert f'name="task" value="{tasks[a].pk}"' in queue
    assert f'name="task" value="{tasks[major].pk}"' not in queue  # 重大敏感 is read one by one
    data = {"task": [tasks[a].pk, tasks[b].pk, tasks[major].pk, barred.pk, 999999],
            f"revision_{tasks[a].pk}": tasks[a].revision.number, "query": "sort=title"}
    response = client.post("/review/bulk-approve/", data)
    assert response.status_code == 302 and response["Location"] == "/review/?sort=title"
    said = texts(response)
    assert any("已通过 2 篇" in m and "甲稿" in m and "乙稿" in m for m in said), said
    assert any("重大稿" in m and "不能批量通过" in m for m in said), said
    assert any("已一审稿" in m and "三位不同人员" in m for m in said), said
    assert any("第 999999 号环节" in m for m in said), said

    for pid in (a, b):
        approved = ReviewTask.objects.get(post_id=pid, stage="review1")
        assert approved.status == "approved" and approved.decided_by == newsroom.editor
        assert open_task(pid).stage == "review2"  # the run moved on as after a single decision
    assert ReviewTask.objects.get(pk=tasks[major].pk).status == "open"
    assert ReviewTask.objects.get(pk=barred.pk).status == "open"
    # One audited approval per approved post, as after a single decision; none for the refused ones.
    post_type = ContentType.objects.get_for_model(Post)
    approvals = AuditEntry.objects.filter(workflow_action="approve", content_type=post_type)
    assert approvals.count() == before + 2
    assert sorted(approvals.filter(object_pk__in=[str(a), str(b)]).values_list("object_pk", flat=True)) == sorted([str(a), str(b)])
    assert approvals.filter(object_pk=str(major)).count() == 0
    assert approvals.filter(object_pk=str(own)).count() == 1  # its 一审 only, from before the bulk approval


@pytest.mark.django_db
def test_bulk_approve_of_a_post_edited_since_the_queue_was_shown_is_refused(api, client, newsroom):
    pid = submitted(api, newsroom, "甲稿")
    task = open_task(pid)
    client.force_login(newsroom.editor)
    queue = client.get("/review/").content.decode()
    assert f'name="revision_{task.pk}" value="1"' in queue
    # The author edits the post meanwhile: the open step now decides revision 2.
    edited = api.as_user(newsroom.author).patch(f"/api/v1/posts/{pid}/", {"title": "甲稿（修改）"}, format="json")
    assert edited.status_code == 200, edited.json()
    response = client.post("/review/bulk-approve/", {"task": [task.pk], f"revision_{task.pk}": 1})
    assert ReviewTask.objects.get(pk=task.pk).status == "open"
    assert any("第2版" in m for m in texts(response)), texts(response)


@pytest.mark.django_db
def test_bulk_approve_without_a_choice_or_by_an_outsider(api, client, newsroom):
    pid = submitted(api, newsroom, "甲稿")
    task = open_task(pid)
    client.force_login(newsroom.editor)
    assert "请先勾选" in " ".join(texts(client.post("/review/bulk-approve/", {"task": ["x"]})))
    assert client.get("/review/bulk-approve/").status_code == 405
    outsider = Client()
    outsider.force_login(newsroom.region.outsider)
    response = outsider.post("/review/bulk-approve/", {"task": [task.pk]})
    assert ReviewTask.objects.get(pk=task.pk).status == "open"
    assert any("不在您的范围内" in m for m in texts(response))
    # And the author, who cannot decide 一审 without the editor's role grant, is refused by name.
    author = Client()
    author.force_login(newsroom.deputy)
    response = author.post("/review/bulk-approve/", {"task": [task.pk]})
    assert ReviewTask.objects.get(pk=task.pk).status == "open"
    assert any("甲稿" in m and "权限" in m for m in texts(response))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bulk_approvals_of_the_same_step_at_once_exactly_one_wins(api, newsroom):
    pid = submitted(api, newsroom, "甲稿")
    assert decide(api, newsroom.editor, open_task(pid)).status_code == 200
    task = open_task(pid)
    assert task.stage == "review2"
    clients = []
    for user in (newsroom.deputy, newsroom.deputy2):
        c = Client()
        c.force_login(user)
        clients.append(c)
    said, barrier = [], threading.Barrier(2)

    def run(c):
        try:
            barrier.wait()
            said.append(texts(c.post("/review/bulk-approve/", {"task": [task.pk]})))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [m for ms in said for m in ms]
    assert sum("已通过 1 篇" in m for m in flat) == 1, flat
    assert sum("未通过" in m for m in flat) == 1, flat
    assert ReviewTask.objects.filter(post_id=pid, stage="review3").count() == 1
