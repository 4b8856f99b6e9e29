import io

import pytest

from organisations import demo as organisations_demo
from publishing import demo as publishing_demo
from publishing.models import Post, WordList
from review import demo as review_demo
from review.models import ReviewTask
from sites.models import Column
from tests.factories import AccountFactory, ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_demo_seeds_posts_at_every_stage_and_in_every_state():
    region = organisations_demo.seed(io.StringIO())
    edu = region["units"]["县教育局"]
    # What the sites and accounts areas add before this one: a portal column for the bureau and its account.
    site = SiteFactory(name="清源县人民政府网", url="https://www.qingyuan.gov.cn", owner=region["root"])
    ColumnFactory(site=site, name="教育动态", category="news", responsible=edu, url="https://www.qingyuan.gov.cn/jydt")
    AccountFactory(name="清源教育", platform="wechat", owner=edu)
    publishing_demo.seed_area(region, io.StringIO())
    review_demo.seed_area(region, io.StringIO())
    posts = Post.objects.filter(organisation=edu)
    assert set(posts.values_list("status", flat=True)) == {"draft", "in_review", "returned", "scheduled", "published", "withdrawn"}
    assert set(posts.exclude(stage=None).values_list("stage", flat=True)) == {"review1", "review2", "review3", "proof1", "proof2", "proof3"}
    published = posts.filter(status="published").first()
    deciders = list(ReviewTask.objects.filter(post=published, status="approved").order_by("position").values_list("decided_by__username", flat=True))
    assert deciders == review_demo.DECIDERS
    assert WordList.objects.filter(organisation=region["root"]).count() == 4
    assert Column.objects.get(name="教育动态").last_updated_on is not None


def test_demo_without_channels_still_seeds_drafts():
    region = organisations_demo.seed(io.StringIO())
    publishing_demo.seed_area(region, io.StringIO())
    review_demo.seed_area(region, io.StringIO())
    assert Post.objects.filter(status="draft").count() == 2
