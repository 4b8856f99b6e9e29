"""Writes by UPDATE (which the change log does not see) still reach the audit log (issue 12): the review step's
claim, a review run cancelled, the account an opening filing sets applying or back to draft, the register number
copied to the account, and the units re-rooted under a moved one — one entry per operation, naming what it did."""
import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Account
from govmedia.core.models import AuditEntry
from organisations.services import organisation_update
from publishing.models import Post
from review.models import ReviewTask
from tests.accounts.builders import full_form
from tests.factories import OrganisationFactory
from tests.publishing.conftest import newsroom  # noqa: F401
from tests.review.test_workflow_api import create_post, decide, open_task

pytestmark = pytest.mark.django_db


def entries(obj, action="update"):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk),
                                     workflow_action=action)


def test_the_review_claim_and_a_cancelled_run_are_audited(api, newsroom):
    post = create_post(api, newsroom)
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").status_code == 200
    post_obj = Post.objects.get(pk=post["id"])
    opened = entries(post_obj).get()
    assert opened.actor == newsroom.author and opened.changes_dict["stage"] == [None, "review1"]
    task = open_task(post["id"])
    assert decide(api, newsroom.editor, task).status_code == 200
    claim = entries(ReviewTask.objects.get(pk=task.pk), "approve").get()
    assert claim.actor == newsroom.editor and claim.changes_dict["status"] == ["open", "approved"]
    # The next step opened by the decision, in the decider's name.
    assert entries(post_obj).filter(actor=newsroom.editor, additional_data__deciders__isnull=False).exists()

    second = open_task(post["id"])
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/withdraw/", {"comment": "不发了"},
                                             format="json").status_code == 200
    cancelled = entries(post_obj).filter(additional_data__cancelled_tasks__isnull=False).get()
    assert cancelled.additional_data["cancelled_tasks"] == [second.pk] and "取消未办环节 1 个" in cancelled.additional_data["comment"]
    assert ReviewTask.objects.get(pk=second.pk).status == "cancelled"


def test_an_opening_filing_audits_the_account_it_changes(api, region):
    response = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "reason": "开设", "form": full_form(region)},
        format="json")
    filing = response.json()["id"]
    assert api.as_user(region.member).post(f"/api/v1/filings/{filing}/submit/").status_code == 200
    account = Account.objects.get(filings__pk=filing)
    applying = entries(account).get()
    assert applying.actor == region.member and applying.changes_dict["status"] == ["draft", "applying"]
    assert api.as_user(region.owner).post(f"/api/v1/filings/{filing}/reject/", {"comment": "材料不全"},
                                          format="json").status_code == 200
    back = entries(account).exclude(pk=applying.pk).get()
    assert back.actor == region.owner and back.changes_dict["status"] == ["applying", "draft"]


def test_moving_a_unit_audits_the_units_moved_with_it(region):
    new_parent = OrganisationFactory(name="丙县人民政府")
    organisation_update(organisation=region.bureau, parent=new_parent)
    entry = entries(region.bureau).get()
    assert sorted(entry.additional_data["moved"]) == [region.section.pk]
    assert "下级单位 1 个随之移动" in entry.additional_data["comment"]
