"""The post editor in Chromium (issue 11, item 10): bold, a list, a table and an uploaded picture, then a paste from
Word, saved and read back from the database as clean HTML."""
import io
import re

import pytest
from PIL import Image

from publishing.models import Post, PostAttachment
from tests.factories import PASSWORD
from tests.publishing.test_editor import WORD_HTML
from tests.publishing.test_pages import form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_author_formats_a_post_adds_a_table_and_a_picture_and_pastes_from_word(page, sign_in, live_server, newsroom,
                                                                             client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(newsroom.author)
    client.post("/posts/new/", form_data(newsroom, body="<p>培训为期三天。</p>", title="县教育局开展教师培训"))
    post = Post.objects.get()
    picture = tmp_path / "会场.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 120, 200)).save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())

    sign_in("author", PASSWORD)
    page.goto(f"{live_server.url}/posts/{post.pk}/edit/")
    editor = page.get_by_label("正文")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("培训为期三天。")
    expect(page.locator("textarea[name=body]")).to_be_hidden()

    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("重点")
    page.get_by_role("button", name="加粗").click()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="项目符号列表").click()
    page.keyboard.type("第一项")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.get_by_role("button", name="插入表格").click()
    page.keyboard.type("学校数")
    page.keyboard.press("Control+End")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="插入图片").click()
    chooser.value.set_files(str(picture))
    expect(page.locator(".editor-status")).to_contain_text("已插入图片“会场.png”")
    expect(editor.locator("img")).to_have_count(1)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存第 2 版")).to_be_visible()

    post.refresh_from_db()
    attachment = PostAttachment.objects.get(post=post)
    assert "<p>培训为期三天。</p>" in post.body
    assert "<strong>重点</strong>" in post.body
    assert "<ul><li>第一项</li></ul>" in post.body
    assert re.search(r"<table><tbody><tr><td>学校数</td><td></td><td></td></tr>", post.body), post.body
    assert f'<img src="/files/attachment/{attachment.pk}/">' in post.body
    assert "&nbsp;" not in post.body and "data-" not in post.body and "ql-" not in post.body
    # The picture shows on the post's page, from its scoped URL.
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    image = page.locator("article.post-body img")
    expect(image).to_have_count(1)
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 8

    # A paste from Word: the editor and the server keep the text and drop Word's styling.
    page.goto(f"{live_server.url}/posts/{post.pk}/edit/")
    editor = page.get_by_label("正文")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    editor.evaluate("""(el, html) => {
        const data = new DataTransfer();
        data.setData("text/html", html);
        data.setData("text/plain", "全县秋季开学工作会议召开");
        el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", WORD_HTML)
    expect(editor).to_contain_text("落实校园安全责任")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存第 3 版")).to_be_visible()
    post.refresh_from_db()
    assert "全县秋季开学工作会议召开" in post.body and "落实校园安全责任" in post.body and "学校数" in post.body
    for residue in ("mso-", "Mso", "style=", "class=", "<span", "<font", "<!--", "·", "Symbol"):
        assert residue not in post.body, (residue, post.body)


def test_without_script_the_body_is_a_plain_html_box(browser, live_server, newsroom):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("author")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(f"{live_server.url}/posts/new/")
        page.get_by_label("标题").fill("县教育局召开校园安全工作会")
        page.get_by_label("正文").fill("<p>会议要求<b>落实责任</b>。</p>")
        page.get_by_label(re.compile("部门动态")).check()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已保存第 1 版")).to_be_visible()
    finally:
        context.close()
    assert Post.objects.get(title="县教育局召开校园安全工作会").body == "<p>会议要求<b>落实责任</b>。</p>"
