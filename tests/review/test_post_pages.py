"""The post's edit page while the post is in review: the page is publishing's form, the save goes through
review (checked again, and after an approval the run starts over), as the API's PATCH does."""
import pytest

from publishing.models import Post
from publishing.services import post_create, word_list_replace
from review.models import ReviewTask
from review.services import post_submit, task_approve
from tests.publishing.test_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(newsroom):
    post = post_create(actor=newsroom.author, organisation=newsroom.bureau, title="县教育局开展教师培训",
                       body="<p>培训为期三天。</p>", columns=[newsroom.column], accounts=[newsroom.account])
    return post_submit(post=post, actor=newsroom.author)


def test_an_edit_on_the_page_after_an_approval_starts_review_again(client, newsroom, in_review):
    first = ReviewTask.objects.get(post=in_review, status="open")
    task_approve(task_id=first.pk, user=newsroom.editor, revision=1)
    assert ReviewTask.objects.get(post=in_review, status="open").stage == "review2"
    client.force_login(newsroom.author)
    response = client.post(f"/posts/{in_review.pk}/edit/", form_data(newsroom, title="县教育局开展暑期教师培训"))
    assert response.status_code == 302 and response["Location"] == f"/posts/{in_review.pk}/"
    task = ReviewTask.objects.get(post=in_review, status="open")
    assert task.stage == "review1" and task.revision.number == 2
    post = Post.objects.get(pk=in_review.pk)
    assert post.status == "in_review" and post.stage == "review1"


def test_a_blocked_word_added_on_the_page_during_review_is_refused_and_nothing_saved(client, newsroom, in_review):
    region = newsroom.region
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("内部资料", "")], actor=region.supervisor)
    client.force_login(newsroom.author)
    response = client.post(f"/posts/{in_review.pk}/edit/", form_data(newsroom, body="<p>本文为内部资料。</p>"))
    assert response.status_code == 200
    assert any("内部资料" in e for e in response.context["form"].non_field_errors())
    post = Post.objects.get(pk=in_review.pk)
    assert post.revision == 1 and post.body == "<p>培训为期三天。</p>"
    assert ReviewTask.objects.get(post=post, status="open").revision.number == 1
