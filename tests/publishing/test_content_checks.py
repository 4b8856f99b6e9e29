"""Blocking and warned submissions, with positions in the text; the word lists are data per organisation tree."""
import pytest

from publishing import checks
from publishing.models import Post, WordList
from publishing.services import parse_word_file, word_list_replace
from review.models import ReviewTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(newsroom):
    region = newsroom.region
    # The county's lists apply to the bureau below it.
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("绝密", ""), ("内部资料", "")], actor=region.supervisor)
    word_list_replace(organisation=region.county, kind="advertising", entries=[("限时抢购", ""), ("taobao.com", "")], actor=region.supervisor)
    word_list_replace(organisation=region.county, kind="correction", entries=[("国务院办公室", "国务院办公厅")], actor=region.supervisor)
    word_list_replace(organisation=region.county, kind="allowlist", entries=[("gov.cn", "")], actor=region.supervisor)
    return region


def draft(api, newsroom, **fields):
    payload = {"title": "教育局工作动态", "body": "<p>正文。</p>", "organisation": newsroom.bureau.pk,
               "columns": [newsroom.column.pk], **fields}
    response = api.as_user(newsroom.author).post("/api/v1/posts/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_blocking_problems_stop_the_submit_with_each_position(api, newsroom, lists):
    body = "<p>本通知为<b>绝</b>密文件。</p><p>欢迎限时抢购，详见 <a href=\"https://shop.taobao.com/x\">这里</a>。</p>"
    post_id = draft(api, newsroom, body=body, title="关于内部资料的说明")
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/submit/")
    assert response.status_code == 400
    data = response.json()
    problems = {(p["code"], p["field"], p["offset"], p["text"]) for p in data["problems"]}
    # Offsets are in the text a reader sees: "本通知为绝密文件。\n欢迎限时抢购，详见 这里。"
    assert ("sensitive_word", "body", 4, "绝密") in problems  # found across the <b> tag
    assert ("sensitive_word", "title", 2, "内部资料") in problems
    assert ("advertising", "body", 12, "限时抢购") in problems
    assert ("advertising_link", "body", 20, "https://shop.taobao.com/x") in problems
    assert any("绝密" in m for m in data["body"]) and data["title"]
    post = Post.objects.get(pk=post_id)
    assert post.status == "draft" and not ReviewTask.objects.filter(post=post).exists()


def test_reprint_without_source_and_unmarked_draft_for_comment_are_blocked(api, newsroom, lists):
    post_id = draft(api, newsroom, origin="reprint", title="关于学区调整方案的公告",
                    body="<p>现就学区调整方案公开征求意见，时间为三十日。</p>")
    data = api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/submit/").json()
    codes = {p["code"]: p for p in data["problems"]}
    assert "source_name" in data and codes["reprint_without_source"]["field"] == "source_name"
    assert (codes["draft_not_marked"]["field"], codes["draft_not_marked"]["offset"]) == ("body", 8)
    assert codes["draft_not_marked"]["text"] == "公开征求"
    api.as_user(newsroom.author).patch(f"/api/v1/posts/{post_id}/", {
        "title": "关于学区调整方案（征求意见稿）的公告", "source_name": "甲县人民政府网"}, format="json")
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/submit/").status_code == 200


def test_warnings_are_stored_with_positions_and_shown_to_reviewers(api, newsroom, lists, client):
    other = newsroom.region.other_bureau
    body = "<p>根据国务院办公室通知，详见 https://www.example.com/a 和 https://www.jia.gov.cn/b 。</p>"
    post_id = draft(api, newsroom, body=body, kind="policy",
                    co_producers=[{"organisation": other.pk}])
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/submit/")
    assert response.status_code == 200, response.json()
    warnings = {w["code"]: w for w in response.json()["warnings"]}
    assert warnings["correction"]["offset"] == 2 and warnings["correction"]["suggestion"] == "国务院办公厅"
    assert warnings["external_link"]["text"] == "https://www.example.com/a"  # gov.cn is allowed
    assert len([w for w in response.json()["warnings"] if w["code"] == "external_link"]) == 1
    assert "policy_without_interpretation" in warnings
    assert "甲县卫生健康局" in warnings["coproducer_consent_missing"]["message"]
    # The reviewer of the open stage sees them marked in the text.
    client.force_login(newsroom.editor)
    task = ReviewTask.objects.get(post_id=post_id, status="open")
    page = client.get(f"/review/tasks/{task.pk}/").content.decode()
    assert '<mark class="warn"' in page and "国务院办公室</mark>" in page
    assert "建议改为“国务院办公厅”" in page


def test_a_unit_below_does_not_inherit_a_sibling_list_and_lists_rebuild_on_change(newsroom, lists):
    region = newsroom.region
    other_post = Post(organisation=region.other_county_bureau, title="绝密", body="", author=region.outsider)
    assert checks.check_post(other_post).blocking == []  # the other county has no such list
    post = Post(organisation=newsroom.bureau, title="新词出现", body="", author=newsroom.author)
    assert checks.check_post(post).blocking == []
    builds = checks.automata.builds
    checks.check_post(post)
    assert checks.automata.builds == builds  # cached
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("新词", "")], actor=region.supervisor, append=True)
    assert [p.text for p in checks.check_post(post).blocking] == ["新词"]
    assert WordList.objects.get(organisation=region.county, kind="sensitive").version == 2


def test_word_lists_import_from_files_and_only_supervisors_edit_them(api, newsroom, lists):
    from django.core.files.uploadedfile import SimpleUploadedFile

    region = newsroom.region
    assert parse_word_file("国务院办公室,国务院办公厅\n# 注释\n村委会,村民委员会\n".encode("gb18030"), "correction") == [
        ("国务院办公室", "国务院办公厅"), ("村委会", "村民委员会")]
    word_list = WordList.objects.get(organisation=region.county, kind="sensitive")
    upload = SimpleUploadedFile("words.txt", "机密\n秘密\n".encode("utf-8"))
    response = api.as_user(region.supervisor).post(f"/api/v1/word-lists/{word_list.pk}/import/", {"file": upload, "append": "true"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert {e["text"] for e in response.json()["entries"]} == {"绝密", "内部资料", "机密", "秘密"}
    upload = SimpleUploadedFile("words.txt", b"x")
    # The county's auditor sees the list but may not change it; the bureau's editor does not see it at all.
    assert api.as_user(region.auditor).post(f"/api/v1/word-lists/{word_list.pk}/import/", {"file": upload}, format="multipart").status_code == 403
    assert api.as_user(newsroom.author).post(f"/api/v1/word-lists/{word_list.pk}/import/", {"file": upload}, format="multipart").status_code == 404
    response = api.as_user(region.supervisor).post("/api/v1/word-lists/", {"organisation": region.county.pk, "kind": "bogus"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()


def test_body_is_sanitised_and_attachments_are_limited(api, newsroom, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(settings.BASE_DIR / "var" / "test-media")
    post_id = draft(api, newsroom, body='<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>')
    body = Post.objects.get(pk=post_id).body
    assert "script" not in body and "onclick" not in body and "javascript" not in body and "正文" in body
    bad = SimpleUploadedFile("run.exe", b"MZ")
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/attachments/", {"file": bad}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    settings.POST_ATTACHMENT_MAX_MB = 0
    big = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    assert api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/attachments/", {"file": big}, format="multipart").status_code == 400
    settings.POST_ATTACHMENT_MAX_MB = 5
    good = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x")
    response = api.as_user(newsroom.author).post(f"/api/v1/posts/{post_id}/attachments/", {"file": good}, format="multipart")
    assert response.status_code == 201 and response.json()["name"] == "通知.pdf"


def test_interpretation_must_link_a_policy(api, newsroom):
    response = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "解读", "organisation": newsroom.bureau.pk, "kind": "interpretation"}, format="json")
    assert response.status_code == 400 and "interprets" in response.json()
    policy = draft(api, newsroom, kind="policy", title="甲县教育局关于规范办学行为的通知")
    response = api.as_user(newsroom.author).post("/api/v1/posts/", {
        "title": "解读", "organisation": newsroom.bureau.pk, "kind": "interpretation", "interprets": policy}, format="json")
    assert response.status_code == 201
    assert not [p for p in checks.check_post(Post.objects.get(pk=policy)).warnings if p.code == "policy_without_interpretation"]
