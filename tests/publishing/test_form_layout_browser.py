"""The post form as a new user sees it at desktop width: a lone checkbox sits under its label's start."""
import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


def test_the_disclosure_checkbox_is_not_stretched_and_centred(page, sign_in, live_server, newsroom):
    # The stacked .field stretched the checkbox across the form, drawing it in the middle of the page.
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("author", PASSWORD)
    page.goto(f"{live_server.url}/posts/new/")
    label = page.locator("label[for=id_disclosure_required]").bounding_box()
    box = page.locator("#id_disclosure_required").bounding_box()
    assert abs(box["x"] - label["x"]) < 8 and box["width"] < 40
