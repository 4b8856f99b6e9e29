"""The post editor (issue 11, item 10) on the server's side: what Word puts on the clipboard comes out clean, images
become attachments of the post behind scoped URLs, the form still works as a plain textarea without script, and
the changes between revisions read as clear runs of inserted and deleted text."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publishing.models import Post, PostAttachment
from publishing.text import diff_html, sanitise
from tests.publishing.test_pages import form_data
from tests.review.test_workflow_api import create_post, decide, open_task

pytestmark = pytest.mark.django_db

# What Word 2016 (Chinese) puts on the clipboard for a bold title, a run in a <font>, an empty spacing line, a
# list item with Word's own bullet, and a one-cell table (trimmed, but in Word's own markup).
WORD_HTML = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
<style><!-- /* Style Definitions */ p.MsoNormal {mso-style-unhide:no; margin:0cm; font-size:10.5pt;
font-family:等线;} @page WordSection1 {size:595.3pt 841.9pt;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt;word-wrap:break-word'><!--StartFragment-->
<p class=MsoNormal align=center style='text-align:center;mso-line-height-alt:12.0pt'><b><span
style='font-size:16.0pt;font-family:方正小标宋简体;mso-hansi-font-family:Calibri'>全县秋季开学工作会议召开</span></b><span
lang=EN-US style='font-size:16.0pt'><o:p></o:p></span></p>
<p class=MsoNormal><span lang=EN-US>2026</span><span style='font-family:仿宋'>年</span><font face="仿宋_GB2312"
color="#ff0000">9</font><span style='font-family:仿宋'>月</span></p>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
lang=EN-US style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span
style='font-family:仿宋'>落实校园安全责任</span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;
mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'><tr style='mso-yfti-irow:0'><td width=277 valign=top
style='width:207.4pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt'><p class=MsoNormal><span
style='font-family:仿宋'>学校数</span></p></td><td width=277><p class=MsoNormal><span lang=EN-US>40</span></p></td></tr></table>
<!--EndFragment--></body></html>"""


def png(width=4, height=3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_word_html_comes_out_as_clean_paragraphs_and_a_table():
    clean = sanitise(WORD_HTML)
    for residue in ("mso-", "Mso", "class=", "style=", "<!--", "<font", "<span", "<o:p", "<w:", "<xml", "<meta",
                    "Symbol", "方正小标宋", "@page", "·", "lang="):
        assert residue not in clean, residue
    assert clean.startswith("<p><b>全县秋季开学工作会议召开</b></p>")
    assert "<p>2026年9月</p>" in clean
    assert "<p>落实校园安全责任</p>" in clean
    assert "<table><tbody><tr><td><p>学校数</p></td><td><p>40</p></td></tr></tbody></table>" in clean
    # Word's empty spacing line is gone: no empty paragraph between the date and the list item.
    assert not re.search(r"<p>(\s|&nbsp;|\u00a0)*</p>", clean)


def test_formatting_the_editor_writes_is_kept_and_outside_markup_is_not():
    body = ('<h2>一、总体要求</h2><p><strong>加粗</strong>与<em>倾斜</em></p><ol><li>第一</li></ol><ul><li>要点</li></ul>'
            '<table><tbody><tr><td>甲</td></tr></tbody></table><p><img src="/files/attachment/7/"></p>'
            '<p onclick="x()"><script>alert(1)</script><a href="javascript:alert(1)">坏链接</a></p>')
    clean = sanitise(body)
    for kept in ("<h2>一、总体要求</h2>", "<strong>加粗</strong>", "<em>倾斜</em>", "<ol><li>第一</li></ol>",
                 "<ul><li>要点</li></ul>", "<td>甲</td>", '<img src="/files/attachment/7/">'):
        assert kept in clean, kept
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean


def test_a_word_paste_saved_through_the_plain_form_is_stored_clean(client, newsroom):
    """Without script the body is the textarea: whatever it holds is cleaned on the server all the same."""
    client.force_login(newsroom.author)
    response = client.post("/posts/new/", form_data(newsroom, body=WORD_HTML))
    assert response.status_code == 302
    body = Post.objects.get().body
    assert "mso-" not in body and "<span" not in body and "全县秋季开学工作会议召开" in body


def test_the_form_is_a_textarea_the_editor_takes_over_and_knows_where_images_go(client, newsroom):
    client.force_login(newsroom.author)
    new = client.get("/posts/new/").content.decode()
    assert re.search(r'<textarea[^>]*data-editor="rich"', new)
    assert "vendor/quill/quill.min.js" in new and "js/editor.js" in new
    assert "data-image-url" not in new  # a post not yet saved has nowhere to keep an image
    client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get()
    edit = client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert f'data-image-url="/posts/{post.pk}/images/"' in edit


def test_an_image_becomes_an_attachment_behind_a_scoped_url(client, newsroom):
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get()
    response = client.post(f"/posts/{post.pk}/images/", {"image": SimpleUploadedFile("会场.png", png(), "image/png")})
    assert response.status_code == 201, response.content
    attachment = PostAttachment.objects.get(post=post)
    assert response.json() == {"url": f"/files/attachment/{attachment.pk}/", "name": "会场.png"}
    assert client.get(response.json()["url"])["Content-Type"] == "image/png"
    # The editor puts the URL in the body: it is kept, and the content check does not call it an outside image.
    client.post(f"/posts/{post.pk}/edit/", form_data(newsroom, body=f'<p>会场<img src="{response.json()["url"]}"></p>'))
    post.refresh_from_db()
    assert f'<img src="/files/attachment/{attachment.pk}/">' in post.body
    assert not [w for w in post.warnings if "图片" in w["message"]]
    # Someone who cannot see the post can neither add to it nor read the picture.
    client.force_login(newsroom.region.neighbour)
    assert client.post(f"/posts/{post.pk}/images/", {"image": SimpleUploadedFile("a.png", png())}).status_code == 404
    assert client.get(response.json()["url"]).status_code == 404


@pytest.mark.parametrize("upload, message", [
    (None, "请选择要插入的图片"),
    (("说明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "只能插入"),
    (("伪装.png", b"<svg onload=alert(1)></svg>"), "只能插入"),
])
def test_an_upload_that_is_not_a_picture_is_refused_in_chinese(client, newsroom, upload, message):
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get()
    data = {"image": SimpleUploadedFile(upload[0], upload[1])} if upload else {}
    response = client.post(f"/posts/{post.pk}/images/", data)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not PostAttachment.objects.exists()


def test_an_image_cannot_be_added_to_a_published_or_withdrawn_post(client, newsroom):
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom))
    post = Post.objects.get()
    Post.objects.filter(pk=post.pk).update(status="withdrawn")
    response = client.post(f"/posts/{post.pk}/images/", {"image": SimpleUploadedFile("a.png", png())})
    assert response.status_code == 409 and "不能再添加附件" in response.json()["detail"]


def test_the_diff_is_character_runs_for_chinese_and_word_runs_for_numbers_and_latin():
    diff = diff_html("全县秋季开学工作会议召开，参会 120 人。", "全县春季开学工作会议顺利召开，参会 125 人。")
    assert diff.html == ("全县<del>秋</del><ins>春</ins>季开学工作会议<ins>顺利</ins>召开，参会 <del>120</del><ins>125</ins> 人。")
    assert (diff.added, diff.removed) == (6, 4)
    # A rewritten phrase is one deletion and one insertion, not a comb of one-character fragments.
    rewritten = diff_html("认真落实工作要求", "切实执行工作部署")
    assert rewritten.html == "<del>认真落实</del><ins>切实执行</ins>工作<del>要求</del><ins>部署</ins>"
    assert diff_html("甲\n乙", "甲\n乙").changed is False
    assert diff_html("<b>", "<i>").html == "&lt;<del>b</del><ins>i</ins>&gt;"  # text, never markup


def test_the_step_page_and_the_post_page_show_the_changes_with_counts(api, client, newsroom):
    post = create_post(api, newsroom, body="<p>全县共有学校四十所。</p>")
    api.as_user(newsroom.author).post(f"/api/v1/posts/{post['id']}/submit/")
    decide(api, newsroom.editor, open_task(post["id"]))
    api.as_user(newsroom.author).patch(f"/api/v1/posts/{post['id']}/", {"body": "<p>全县共有中小学校四十二所。</p>"},
                                       format="json")
    client.force_login(newsroom.editor)
    step = client.get(f"/review/tasks/{open_task(post['id']).pk}/").content.decode()
    assert "全县共有<ins>中小</ins>学校四十<ins>二</ins>所。" in step
    assert "新增 3 字" in step and "删除 0 字" in step
    page = client.get(f"/posts/{post['id']}/?compare=1").content.decode()
    assert "第 1 版与当前第 2 版的差异" in page and "<ins>中小</ins>" in page
    assert "?compare=1" in client.get(f"/posts/{post['id']}/").content.decode()
    # A revision that does not exist compares nothing (no error).
    assert "差异" not in client.get(f"/posts/{post['id']}/?compare=9").content.decode()
