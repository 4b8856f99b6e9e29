"""The 安岳 pack requires 三审三校 in full for every post (安岳 §16; SPEC "三审三校 that one person cannot pass":
no policy below what the unit's pack requires). A unit that adopts it cannot keep a shorter policy, its posts run all
six stages, and a run begun with fewer stages is not published."""
import datetime as dt

import pytest

from publishing.models import Post
from review import services as review_services
from rules import versions
from rules.models import ChecklistVersion
from rules.packs import ALL_REVIEW_STAGES, required_review_stages
from tests.review.test_workflow_api import create_post, decide, open_task
from tests.publishing.conftest import newsroom  # noqa: F401

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 10, 9)
ROLES = {"review1": "editor", "review2": "deputy_head", "review3": "principal", "proof1": "editor",
         "proof2": "section_head", "proof3": "deputy_head"}
THREE = ["review1", "review2", "review3"]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


def adopt(newsroom, region_name):
    template = ChecklistVersion.objects.get(template=True, region=region_name)
    return versions.adopt_template(user=newsroom.region.supervisor, organisation=newsroom.region.county,
                                   template=template, on=FRIDAY)


def policy_body(newsroom, stages):
    return {"organisation": newsroom.bureau.pk, "sensitivity": "routine",
            "stages": [{"stage": s, "role": ROLES[s], "days": 1} for s in stages]}


def test_the_anyue_template_alone_requires_all_six_stages_and_adoption_carries_it(newsroom):
    templates = {v.region: v.review_stages for v in ChecklistVersion.objects.filter(template=True)}
    assert templates["安岳县"] == list(ALL_REVIEW_STAGES)
    assert all(stages == [] for region, stages in templates.items() if region != "安岳县")
    assert required_review_stages(newsroom.bureau) == []
    adopt(newsroom, "安岳县")
    # The county adopted it: every unit below it (the bureau) is held to it, the other county is not.
    assert required_review_stages(newsroom.bureau) == list(ALL_REVIEW_STAGES)
    assert required_review_stages(newsroom.region.other_county_bureau) == []


def test_a_policy_below_six_stages_is_refused_in_an_anyue_unit_with_a_chinese_reason(api, client, newsroom):
    adopt(newsroom, "安岳县")
    refused = api.as_user(newsroom.principal).post("/api/v1/review-policies/", policy_body(newsroom, THREE), format="json")
    assert refused.status_code == 400
    reason = str(refused.json()["stages"])
    assert "三审三校全部六个环节（安岳 §16）" in reason and "不能缺少一校、二校、三校" in reason
    client.force_login(newsroom.principal)
    data = {"organisation": newsroom.bureau.pk, "sensitivity": "routine"}
    for s in THREE:
        data.update({f"use_{s}": "1", f"role_{s}": ROLES[s], f"days_{s}": "1"})
    assert "三审三校全部六个环节" in client.post("/review/policies/", data).content.decode()
    full = api.as_user(newsroom.principal).post("/api/v1/review-policies/", policy_body(newsroom, ALL_REVIEW_STAGES),
                                                format="json")
    assert full.status_code in (200, 201), full.content


def test_the_same_three_stage_policy_is_allowed_under_another_pack(api, newsroom):
    adopt(newsroom, "青岛西海岸新区")
    saved = api.as_user(newsroom.principal).post("/api/v1/review-policies/", policy_body(newsroom, THREE), format="json")
    assert saved.status_code in (200, 201), saved.content


def test_a_short_policy_from_before_the_adoption_still_runs_all_six_stages(api, newsroom):
    assert api.as_user(newsroom.principal).post("/api/v1/review-policies/", policy_body(newsroom, THREE),
                                                format="json").status_code in (200, 201)
    adopt(newsroom, "安岳县")
    post = create_post(api, newsroom)
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/").status_code == 200
    stages, _ = review_services.policy_for(Post.objects.get(pk=post["id"]))
    assert [s["stage"] for s in stages] == list(ALL_REVIEW_STAGES)
    # The policy's own roles and days are kept for the stages it had.
    assert stages[0] == {"stage": "review1", "role": "editor", "days": 1}


def test_a_run_begun_with_three_stages_is_not_published_after_the_unit_adopts_anyue(api, newsroom):
    api.as_user(newsroom.principal).post("/api/v1/review-policies/", policy_body(newsroom, THREE), format="json")
    post = create_post(api, newsroom)
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    assert decide(api, newsroom.editor, open_task(post["id"])).status_code == 200
    assert decide(api, newsroom.deputy, open_task(post["id"])).status_code == 200
    adopt(newsroom, "安岳县")
    last = open_task(post["id"])
    refused = decide(api, newsroom.principal, last)
    assert refused.status_code == 400
    assert "三审三校全部六个环节" in str(refused.json()) and "重新提交" in str(refused.json())
    last.refresh_from_db()
    assert last.status == "open"
    assert Post.objects.get(pk=post["id"]).status == "in_review"


def test_the_checklist_page_says_the_unit_must_pass_all_six_stages(client, newsroom):
    client.force_login(newsroom.region.supervisor)
    before = client.get("/checklist/", {"organisation": newsroom.bureau.pk}).content.decode()
    assert 'id="review-stages"' not in before
    assert "每篇稿件须经一审、二审、三审、一校、二校、三校全部环节（安岳 §16）" in before  # the template's list
    adopt(newsroom, "安岳县")
    after = client.get("/checklist/", {"organisation": newsroom.bureau.pk}).content.decode()
    assert 'id="review-stages"' in after and "（一审、二审、三审、一校、二校、三校）" in after and "（安岳 §16）" in after
