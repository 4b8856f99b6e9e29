"""The post pages and the word-list page, as the office uses them."""
import pytest

from publishing.models import CoProducer, Post, WordList

pytestmark = pytest.mark.django_db


def form_data(newsroom, **extra):
    data = {
        "organisation": newsroom.bureau.pk, "title": "县教育局开展教师培训", "kind": "news",
        "body": "<p>培训为期三天。</p>", "origin": "original", "sensitivity": "routine",
        "columns": [newsroom.column.pk], "accounts": [newsroom.account.pk],
        "co-TOTAL_FORMS": "2", "co-INITIAL_FORMS": "0", "co-MIN_NUM_FORMS": "0", "co-MAX_NUM_FORMS": "20",
        "co-0-organisation": newsroom.region.other_bureau.pk, "co-0-consent_on": "2024-10-08", "co-0-consent_reference": "卫健函〔2024〕3号",
    }
    data.update(extra)
    return data


def test_write_edit_and_submit_a_post_in_pages(client, newsroom):
    client.force_login(newsroom.author)
    response = client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get(title="县教育局开展教师培训")
    assert response["Location"] == f"/posts/{post.pk}/"
    assert CoProducer.objects.get(post=post).consent_reference == "卫健函〔2024〕3号"
    assert {c.pk for c in post.columns.all()} == {newsroom.column.pk}
    response = client.post(f"/posts/{post.pk}/edit/", form_data(newsroom, title="县教育局开展暑期教师培训"))
    post.refresh_from_db()
    assert post.revision == 2 and post.title == "县教育局开展暑期教师培训"
    page = client.post(f"/posts/{post.pk}/submit/", follow=True).content.decode()
    assert "已提交审核" in page
    post.refresh_from_db()
    assert post.status == "in_review"
    # An unknown channel is refused next to the field, not with a 500.
    bad = client.post("/posts/new/", form_data(newsroom, columns=[newsroom.foreign_column.pk]))
    assert bad.status_code == 200 and "columns" in bad.context["form"].errors


def test_a_blocked_submit_is_explained_on_the_page(client, newsroom):
    from publishing.services import word_list_replace

    word_list_replace(organisation=newsroom.region.county, kind="sensitive", entries=[("绝密", "")], actor=newsroom.region.supervisor)
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom, body="<p>这是绝密材料。</p>"))
    post = Post.objects.get()
    page = client.post(f"/posts/{post.pk}/submit/", follow=True).content.decode()
    assert "含有敏感词“绝密”（第3字）" in page
    post.refresh_from_db()
    assert post.status == "draft"


def test_others_cannot_see_or_edit_the_post(client, newsroom):
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get()
    client.force_login(newsroom.region.neighbour)
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert client.get(f"/posts/{post.pk}/edit/").status_code == 404
    client.force_login(newsroom.region.supervisor)
    assert client.get(f"/posts/{post.pk}/").status_code == 200
    assert client.get(f"/posts/{post.pk}/edit/").status_code == 403


def test_supervisor_keeps_word_lists_in_a_page_and_imports_a_file(client, newsroom):
    from django.core.files.uploadedfile import SimpleUploadedFile

    region = newsroom.region
    client.force_login(region.supervisor)
    client.post("/word-lists/", {"organisation": region.county.pk, "kind": "correction", "entries": "国务院办公室,国务院办公厅\n村委会→村民委员会"})
    word_list = WordList.objects.get(kind="correction")
    assert dict(word_list.entries.values_list("text", "suggestion")) == {"国务院办公室": "国务院办公厅", "村委会": "村民委员会"}
    upload = SimpleUploadedFile("list.csv", "清源县政府,清源县人民政府\n".encode("utf-8-sig"))
    client.post("/word-lists/", {"organisation": region.county.pk, "kind": "correction", "file": upload, "append": "on"})
    word_list.refresh_from_db()
    assert word_list.entries.count() == 3 and word_list.version == 2
    client.force_login(newsroom.author)
    page = client.get("/word-lists/").content.decode()
    assert "编辑或导入词表" not in page
