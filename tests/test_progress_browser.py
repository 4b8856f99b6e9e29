"""Long work finishes by itself on the page (issue 11, item 8), in Chromium: a supervisor starts an inspection in
the page, the run is done by the test (as a worker would), and its result appears on the open page without a
reload. Playwright runs in a thread of its own; the database work stays in the test's thread."""
import datetime as dt
import threading

import pytest

from inspections import services
from inspections.models import Inspection
from tests.browser_helpers import in_browser
from tests.factories import PASSWORD
from tests.inspections.conftest import Build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_an_inspection_started_in_the_page_shows_its_result_without_a_reload(live_server, region):
    Build(region).account(updates=[D(2026, 9, 1)])  # silent for five weeks on the base date: a finding
    queued, finished = threading.Event(), threading.Event()
    outcome = {}

    def journey(page):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("supervisor")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(f"{live_server.url}/inspections/")
        page.get_by_label("检查基准日").fill("2026-10-09")
        page.get_by_role("button", name="开始检查").click()
        expect(page.locator("#inspection-live")).to_contain_text("已提交，等待执行")
        expect(page.locator("#inspection-live")).to_contain_text("完成后本页自动显示结果")
        # A marker a reload would wipe out.
        page.evaluate("window.__stillTheSamePage = true")
        queued.set()
        assert finished.wait(60), "the test did not run the inspection"
        expect(page.get_by_role("heading", name="本次新发现的问题")).to_be_visible(timeout=20000)
        expect(page.locator("#inspection-live")).to_contain_text("已完成")
        expect(page.get_by_role("link", name="账号内容不更新")).to_be_visible()
        expect(page.locator("progress")).to_have_count(0)
        outcome["same_page"] = page.evaluate("window.__stillTheSamePage === true")
        outcome["live_meta"] = page.locator('meta[name="live-refresh"]').count()

    def in_thread():
        outcome["error"] = _run(journey)
        queued.set()  # a journey that failed early does not keep the test waiting

    browser = threading.Thread(target=in_thread)
    browser.start()
    assert queued.wait(90), "the page did not show the queued run"
    assert outcome.get("error") is None, outcome.get("error")
    run = Inspection.objects.get()
    assert run.status == "queued"
    services.inspection_run(inspection_id=run.pk)  # what the worker does
    finished.set()
    browser.join(120)
    assert outcome.get("error") is None, outcome.get("error")
    assert outcome["same_page"] is True  # the result came into the page, no reload
    assert outcome["live_meta"] == 0  # and the page stopped asking


def _run(journey):
    try:
        in_browser(journey)
    except BaseException as exc:  # noqa: BLE001 - reported in the test's thread
        return exc
    return None
