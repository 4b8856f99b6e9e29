"""A supervisor adopts the 济南 template for the county on the checklist page, tightens account staleness to 10
days, is refused a loosening to 60 days, and reads the page on a phone — in Chromium."""
import re

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_adopts_a_template_and_tightens_an_item(page, sign_in, live_server, region):
    sign_in("supervisor", PASSWORD)
    page.goto(f"{live_server.url}/checklist/?organisation={region.county.pk}")
    assert page.get_by_role("heading", name="检查指标").is_visible()
    select = page.locator("#adopt-form select")
    jinan = next(o for o in select.locator("option").all_inner_texts() if "济南" in o)
    select.select_option(label=jinan)
    page.locator("#adopt-form").get_by_role("button", name="采用").click()
    page.wait_for_load_state()
    assert "济南" in page.locator("#version-name").inner_text()
    stale = page.locator("#checklist-items tr[data-code=account_stale]")
    assert stale.locator(".national-value").inner_text() == "14 天内至少更新 1 次"

    form = page.locator("#item-form")
    form.get_by_label("指标").select_option(value="account_stale")
    form.get_by_label("数值").fill("10")
    form.get_by_role("button", name="保存指标").click()
    page.wait_for_load_state()
    stale = page.locator("#checklist-items tr[data-code=account_stale]")
    assert stale.locator(".local-value").inner_text() == "10 天内至少更新 1 次"

    form = page.locator("#item-form")
    form.get_by_label("指标").select_option(value="account_stale")
    form.get_by_label("数值").fill("60")
    form.get_by_role("button", name="保存指标").click()
    page.wait_for_load_state()
    assert page.get_by_text(re.compile("全国.*14")).first.is_visible()  # the refusal names the national value
    assert page.locator("#checklist-items tr[data-code=account_stale] .local-value").inner_text() == "10 天内至少更新 1 次"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.locator("#checklist-items tr[data-code=account_stale]").is_visible()
    table = page.locator("#checklist-items").inner_text()
    assert "account_stale" not in table and "{" not in table
    assert "account_stale" not in page.locator(".messages, .errors, [role=alert]").all_inner_texts().__str__()
