"""The filing form on a phone: its menu and team tables stack into one card per row instead of widening the page."""
import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_filing_form_fits_a_phone_screen(page, sign_in, live_server, region):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("editor", PASSWORD)
    page.goto(f"{live_server.url}/filings/new/")
    page.get_by_role("button", name="添加成员").click()
    page.get_by_role("button", name="添加菜单").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every field of the rows is on the screen: the rows stack (static/css/app.css, table.list), nothing to scroll.
    for field in page.locator("#team-rows tbody input, #menu-rows tbody input, #menu-rows tbody select").all():
        box = field.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
