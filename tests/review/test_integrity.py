"""三审三校 that one person cannot pass (SPEC "Wave 2"; API.md "Review integrity"): a supervisor who holds every
role, an author who reviews, a policy cut below the three reviews, a lowered sensitivity, and channels that may
not publish — each refused with its reason, in the API and on the page."""
import pytest

from accounts.models import AccountStatus
from organisations.models import Membership, Role
from publishing.models import Post
from review.models import ReviewTask
from sites.models import SiteStatus
from tests.factories import AccountFactory, person
from tests.review.test_workflow_api import create_post, decide, open_task

pytestmark = pytest.mark.django_db


def grant(api, actor, user, organisation, role):
    return api.as_user(actor).post("/api/v1/memberships/", {"user": user.pk, "organisation": organisation.pk,
                                                           "role": role}, format="json")


def test_nobody_grants_or_withdraws_their_own_role(api, client, newsroom):
    region = newsroom.region
    refused = grant(api, region.supervisor, region.supervisor, newsroom.bureau, Role.DEPUTY_HEAD)
    assert refused.status_code == 403
    assert "不能为自己分配或撤销角色" in refused.json()["detail"]
    assert not Membership.objects.filter(user=region.supervisor, organisation=newsroom.bureau).exists()
    # A colleague may grant it; the supervisor then cannot withdraw it himself either.
    colleague = person("supervisor2", region.county, Role.SUPERVISOR)
    assert grant(api, colleague, region.supervisor, newsroom.bureau, Role.DEPUTY_HEAD).status_code == 201
    membership = Membership.objects.get(user=region.supervisor, organisation=newsroom.bureau)
    assert api.as_user(region.supervisor).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    # The page says the same and grants nothing.
    client.force_login(region.supervisor)
    page = client.post(f"/organisations/{newsroom.bureau.pk}/roles/",
                       {"user": region.supervisor.pk, "role": Role.PRINCIPAL}, follow=True).content.decode()
    assert "不能为自己分配或撤销角色" in page
    assert not Membership.objects.filter(user=region.supervisor, role=Role.PRINCIPAL).exists()


def test_one_person_holding_every_role_cannot_pass_a_post_alone(api, newsroom):
    """The author holds all four reviewing roles: he may decide 一审 of his own post and nothing after it."""
    for role in (Role.DEPUTY_HEAD, Role.PRINCIPAL, Role.SECTION_HEAD):
        Membership.objects.create(user=newsroom.author, organisation=newsroom.bureau, role=role)
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    assert decide(api, newsroom.author, open_task(post["id"])).status_code == 200  # 一审 is allowed

    review2 = open_task(post["id"])
    assert review2.stage == "review2"
    refused = decide(api, newsroom.author, review2)
    assert refused.status_code == 403
    assert "只能办理一审" in refused.json()["detail"]
    # He is not even offered the step: not in his queue.
    queue = api.as_user(newsroom.author).get("/api/v1/review-tasks/?actionable=true").json()
    assert queue["results"] == []
    assert ReviewTask.objects.get(pk=review2.pk).status == "open"


def test_three_reviews_are_three_different_people(api, newsroom):
    """The editor who decided 一审 also holds the deputy role: he may not decide 二审 or 三审."""
    Membership.objects.create(user=newsroom.editor, organisation=newsroom.bureau, role=Role.DEPUTY_HEAD)
    Membership.objects.create(user=newsroom.deputy, organisation=newsroom.bureau, role=Role.PRINCIPAL)
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    assert decide(api, newsroom.editor, open_task(post["id"])).status_code == 200
    refused = decide(api, newsroom.editor, open_task(post["id"]))
    assert refused.status_code == 403 and "三位不同人员" in refused.json()["detail"]
    assert decide(api, newsroom.deputy, open_task(post["id"])).status_code == 200
    review3 = open_task(post["id"])
    assert review3.stage == "review3"
    refused = decide(api, newsroom.deputy, review3)
    assert refused.status_code == 403 and "您已办理本稿件的二审" in refused.json()["detail"]
    assert decide(api, newsroom.principal, review3).status_code == 200
    # Proofreading is not a review: the 一审 editor may proofread (the unit did not ask for distinct people).
    assert decide(api, newsroom.editor, open_task(post["id"])).status_code == 200


def test_the_step_page_says_why_a_barred_reviewer_cannot_decide(api, client, newsroom):
    Membership.objects.create(user=newsroom.author, organisation=newsroom.bureau, role=Role.DEPUTY_HEAD)
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    client.force_login(newsroom.author)
    page = client.get(f"/review/tasks/{open_task(post['id']).pk}/").content.decode()
    assert "只能办理一审" in page and 'value="approve"' not in page


@pytest.mark.parametrize("stages", [
    ["review1", "review3"],
    ["review1", "review2", "proof1", "proof2", "proof3"],
])
def test_no_policy_goes_below_the_three_reviews(api, client, newsroom, stages):
    roles = {"review1": "editor", "review2": "deputy_head", "review3": "principal", "proof1": "editor",
             "proof2": "section_head", "proof3": "deputy_head"}
    body = {"organisation": newsroom.bureau.pk, "sensitivity": "routine",
            "stages": [{"stage": s, "role": roles[s], "days": 1} for s in stages]}
    refused = api.as_user(newsroom.principal).post("/api/v1/review-policies/", body, format="json")
    assert refused.status_code == 400
    assert "至少包括一审、二审、三审" in str(refused.json()["stages"])
    client.force_login(newsroom.principal)
    data = {"organisation": newsroom.bureau.pk, "sensitivity": "routine"}
    for s in stages:
        data.update({f"use_{s}": "1", f"role_{s}": roles[s], f"days_{s}": "1"})
    assert "至少包括一审、二审、三审" in client.post("/review/policies/", data).content.decode()


def test_sensitivity_is_raised_by_a_reviewer_and_never_lowered_after_submission(api, newsroom):
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    review2 = open_task(post["id"])
    # Someone who does not hold the step cannot raise it.
    assert decide(api, newsroom.section, review2, action="raise-sensitivity").status_code == 403
    raised = decide(api, newsroom.deputy, review2, action="raise-sensitivity", comment="涉及学区调整，属重大敏感")
    assert raised.status_code == 200, raised.json()
    stored = Post.objects.get(pk=post["id"])
    assert stored.sensitivity == "major" and stored.stage == "review1"
    # The new run is the major policy from the first stage: the earlier 一审 no longer counts.
    assert open_task(post["id"]).stage == "review1"
    assert ReviewTask.objects.get(pk=review2.pk).status == "cancelled"
    lowered = api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"sensitivity": "routine"}, format="json")
    assert lowered.status_code == 400
    assert "不能再降低敏感程度" in str(lowered.json()["sensitivity"])
    assert Post.objects.get(pk=post["id"]).sensitivity == "major"


def test_only_running_and_closing_accounts_and_running_sites_are_targets(api, newsroom):
    applying = AccountFactory(name="甲县教育抖音", platform="douyin", owner=newsroom.bureau, status=AccountStatus.APPLYING)
    refused = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "通知", "body": "<p>正文</p>", "organisation": newsroom.bureau.pk, "accounts": [applying.pk]}, format="json")
    assert refused.status_code == 400 and "甲县教育抖音" in str(refused.json()["accounts"])
    closing = AccountFactory(name="甲县教育微博", platform="weibo", owner=newsroom.bureau, status=AccountStatus.CLOSING)
    allowed = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "通知", "body": "<p>正文</p>", "organisation": newsroom.bureau.pk, "accounts": [closing.pk]}, format="json")
    assert allowed.status_code == 201, allowed.json()
    newsroom.site.status = SiteStatus.OFFLINE
    newsroom.site.save()
    refused = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "通知", "body": "<p>正文</p>", "organisation": newsroom.bureau.pk, "columns": [newsroom.column.pk]},
        format="json")
    assert refused.status_code == 400 and "运行中的网站" in str(refused.json()["columns"])


def test_a_new_post_form_offers_only_publishable_channels(client, newsroom):
    AccountFactory(name="甲县教育抖音", platform="douyin", owner=newsroom.bureau, status=AccountStatus.APPLYING)
    client.force_login(newsroom.author)
    page = client.get("/posts/new/").content.decode()
    assert "甲县教育" in page and "甲县教育抖音" not in page
