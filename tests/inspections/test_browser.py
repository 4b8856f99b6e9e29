"""A unit's editor, on a phone, finds what it must fix and answers a finding with a link and a file; the next
run verifies it and the page says so.

Playwright runs in a thread of its own (as in tests/sites): its sync API refuses to start where another
instance already keeps an event loop. Database work stays in the test's thread, between the journeys.
"""
import datetime as dt
from unittest import mock

import pytest

from accounts.services import account_add_update
from inspections import services
from inspections.models import Finding, Rectification
from tests.browser_helpers import in_browser as threaded_in_browser
from tests.factories import PASSWORD

from .conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


def in_browser(journey):
    return threaded_in_browser(journey, viewport={"width": 390, "height": 844})


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_unit_answers_a_finding_on_a_phone(live_server, region, build, tmp_path):
    account = build.account(updates=[D(2024, 9, 1)])
    with mock.patch("django.utils.timezone.localdate", return_value=D(2024, 9, 30)):  # run on the day it judges
        services.inspect(as_of=D(2024, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    evidence = tmp_path / "更新截图.pdf"  # evidence is an image, PDF or Office file, judged by its content
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    def answer(page):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/findings/mine/")
        assert page.get_by_role("heading", name="本单位整改").is_visible()
        row = page.get_by_role("row").filter(has_text="账号内容不更新")
        # Due a week later, moved past 国庆 (2024-10-01..07) to the next working day.
        assert row.get_by_text("2024-10-08").is_visible()
        row.get_by_role("link", name="查看并反馈整改").click()
        assert page.locator("#evidence").get_by_text("2024-09-01").first.is_visible()
        page.get_by_role("button", name="提交整改情况").click()
        expect(page.locator(".field.has-error").get_by_text("必填")).to_be_visible()
        page.get_by_label("整改情况").fill("已安排专人，恢复每周更新。")
        page.get_by_label("佐证链接").fill("https://mp.example.gov.cn/s/abc")
        page.get_by_label("佐证材料").set_input_files(str(evidence))
        page.get_by_role("button", name="提交整改情况").click()
        expect(page.get_by_text("整改情况已提交")).to_be_visible()
        expect(page.get_by_text("待复查")).to_be_visible()

    in_browser(answer)
    given = Rectification.objects.get(finding=finding)
    assert given.comment == "已安排专人，恢复每周更新。" and given.evidence_url == "https://mp.example.gov.cn/s/abc"
    assert given.evidence_file.name.endswith(".pdf")

    account_add_update(account=account, published_at=at(D(2024, 10, 2)), title="恢复更新")
    with mock.patch("django.utils.timezone.localdate", return_value=D(2024, 10, 3)):
        services.inspect(as_of=D(2024, 10, 3))

    def verified(page):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/findings/{finding.pk}/")
        expect(page.get_by_text("复查通过")).to_be_visible()
        expect(page.get_by_role("heading").get_by_text("已整改")).to_be_visible()
        assert page.get_by_role("button", name="提交整改情况").count() == 0

    in_browser(verified)


def test_a_required_mark_stays_on_its_label_line_in_the_run_form(live_server, region):
    # .filters labels stack their children; the "*" of 检查基准日 fell onto a line of its own.
    def look(page):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("supervisor")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/inspections/")
        label, mark = page.locator("label[for=id_as_of]"), page.locator("label[for=id_as_of] .req")
        assert abs(mark.bounding_box()["y"] - label.bounding_box()["y"]) < 4
        assert label.bounding_box()["height"] < 32

    threaded_in_browser(look, viewport={"width": 1366, "height": 900})
