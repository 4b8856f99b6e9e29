"""Authors delete their abandoned drafts (issue 11 "Forms never lose data"): a post never submitted, a draft
filing, and a refused filing its filer gives up — each recorded in the audit log; nothing once in review."""
import pytest

from accounts.models import Account, AccountStatus, Filing, FilingStatus
from govmedia.core.models import AuditEntry
from publishing.models import Post
from tests.accounts.test_pages import form_post
from tests.review.test_workflow_api import create_post

pytestmark = pytest.mark.django_db


def test_the_author_deletes_a_draft_post_never_submitted(api, client, newsroom):
    post = create_post(api, newsroom, title="废弃的稿件")
    client.force_login(newsroom.author)
    page = client.get(f"/posts/{post['id']}/").content.decode()
    assert f'action="/posts/{post["id"]}/delete/"' in page and "删除草稿" in page
    assert f'action="/posts/{post["id"]}/withdraw/"' not in page  # deleting, not also 撤回, is the way out
    response = client.post(f"/posts/{post['id']}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/posts/"
    assert "已删除草稿“废弃的稿件”" in response.content.decode()
    assert not Post.objects.filter(pk=post["id"]).exists()
    assert AuditEntry.objects.filter(object_pk=str(post["id"]), additional_data__action="delete").exists()


def test_nobody_else_deletes_it_and_a_submitted_post_is_withdrawn_not_deleted(api, client, newsroom):
    post = create_post(api, newsroom, title="别人的稿件")
    client.force_login(newsroom.editor)  # a writer of the same unit, not the author
    page = client.get(f"/posts/{post['id']}/").content.decode()
    assert "删除草稿" not in page and f'action="/posts/{post["id"]}/withdraw/"' in page
    response = client.post(f"/posts/{post['id']}/delete/", follow=True)
    assert "只有撰稿人可以删除自己的草稿" in response.content.decode()
    assert Post.objects.filter(pk=post["id"]).exists()

    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    client.force_login(newsroom.author)
    response = client.post(f"/posts/{post['id']}/delete/", follow=True)
    assert "只有从未提交审核的草稿可以删除" in response.content.decode()
    assert Post.objects.filter(pk=post["id"]).exists()
    client.force_login(newsroom.region.outsider)
    assert client.post(f"/posts/{post['id']}/delete/").status_code == 404
    assert client.get(f"/posts/{post['id']}/delete/").status_code in (404, 405)


def test_a_refused_opening_is_given_up_with_its_never_opened_account(client, region):
    client.force_login(region.member)
    client.post("/filings/new/", form_post(region, action="submit"))
    filing = Filing.objects.get()
    client.force_login(region.owner)
    client.post(f"/filings/{filing.pk}/reject/", {"comment": "名称不规范"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED
    account_pk = filing.account_id
    assert Account.objects.get(pk=account_pk).status == AccountStatus.DRAFT

    client.force_login(region.member)
    assert "放弃并删除" in client.get(f"/filings/{filing.pk}/").content.decode()
    response = client.post(f"/filings/{filing.pk}/delete/", follow=True)
    assert "已放弃并删除该备案" in response.content.decode()
    assert not Filing.objects.filter(pk=filing.pk).exists()
    assert not Account.objects.filter(pk=account_pk).exists()  # no orphan draft account left behind
    assert AuditEntry.objects.filter(object_pk=str(filing.pk), additional_data__action="delete").exists()


def test_a_pending_filing_cannot_be_deleted(client, region):
    client.force_login(region.member)
    client.post("/filings/new/", form_post(region, action="submit"))
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.PENDING
    response = client.post(f"/filings/{filing.pk}/delete/", follow=True)
    assert "审批中和已通过的备案留作记录" in response.content.decode()
    assert Filing.objects.filter(pk=filing.pk).exists()


def test_the_api_deletes_drafts_by_the_same_rule_as_the_page(api, newsroom):
    post = create_post(api, newsroom, title="接口删除的稿件")
    response = api.as_user(newsroom.editor).delete(f"/api/v1/posts/{post['id']}/")
    assert response.status_code == 403 and "只有撰稿人可以删除自己的草稿" in response.content.decode()
    assert api.as_user(newsroom.region.outsider).delete(f"/api/v1/posts/{post['id']}/").status_code == 404
    assert api.as_user(newsroom.author).delete(f"/api/v1/posts/{post['id']}/").status_code == 204
    assert not Post.objects.filter(pk=post["id"]).exists()
    assert AuditEntry.objects.filter(object_pk=str(post["id"]), additional_data__action="delete").exists()
