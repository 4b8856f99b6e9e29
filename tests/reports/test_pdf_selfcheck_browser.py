"""The 自查 page printed from the browser is the 自查表: no menu, filters or buttons, a signature line, and the PDF
link downloads the same form."""
import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_self_inspection_page_prints_as_the_form(page, sign_in, live_server, october):
    sign_in("editor", PASSWORD)
    page.goto(f"{live_server.url}/reports/self-inspection/?month=2024-10")
    assert page.get_by_role("button", name="打印本页").is_visible()
    signature = page.get_by_text("分管负责人（签字）")
    assert not signature.is_visible()
    page.emulate_media(media="print")
    assert signature.is_visible()
    for hidden in (".sidebar", ".topbar", "form.filters", ".selfcheck-tools"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.get_by_text("信息内容每周更新").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载自查表（PDF）").click()
    assert download.value.suggested_filename == "每月自查-甲县教育局-2024年10月.pdf"
