"""On a phone (390×844) the daily journeys fit the screen: the 工作台, the filing form (its menu and team tables
stack into cards), a review step and a finding's answer; the sidebar folds behind 菜单 and opens; at desktop size
it stands beside the page. Seeded from the demo, so the pages carry real amounts of data."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Filing, FilingStatus
from inspections.models import UNRESOLVED, Finding
from organisations.demo import DEMO_PASSWORD
from organisations.models import User
from review.models import ReviewTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def sign_in(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def fits(page, name: str) -> None:
    """Nothing is cut off sideways: the page scrolls no wider than the screen, and no visible element reaches past
    its right edge (a table cell, a button, an input) unless it sits in a box that scrolls on purpose."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{name}: the page is {width} px wide on a {inner} px screen"
    past = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
        const r = e.getBoundingClientRect();
        if (!r.width || r.right <= innerWidth + 1) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') return false;
        }
        return true;
    }).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 20))""")
    assert past == [], f"{name}: cut off at the right edge: {past[:5]}"


def sidebar_folds_and_opens(page) -> None:
    sidebar = page.locator("nav.sidebar")
    assert not sidebar.is_visible()
    page.get_by_text("菜单", exact=True).click()
    assert sidebar.is_visible()
    assert sidebar.get_by_role("link", name="审校队列").is_visible()
    page.screenshot(path=str(SHOTS / "phone-sidebar-open.png"), full_page=True)
    page.get_by_text("菜单", exact=True).click()
    assert not sidebar.is_visible()


def test_the_daily_journeys_fit_a_phone_and_the_sidebar_folds(browser, live_server):
    call_command("seed_demo")
    principal = User.objects.get(username="edu_principal")
    task = ReviewTask.objects.actionable_by(principal).order_by("pk").first()
    draft = Filing.objects.filter(status=FilingStatus.DRAFT, created_by__username="edu_editor").order_by("pk").first()
    town_editor = User.objects.get(username="town_editor")
    finding = Finding.objects.filter(organisation__memberships__user=town_editor, status__in=UNRESOLVED).order_by("pk").first()
    assert task and draft and finding, "the demo has a step, a draft filing and a finding to answer"

    # The principal's 工作台: his waiting approval is there and opens the queue; the menu folds and opens.
    page = sign_in(browser, live_server, "edu_principal", PHONE)
    assert page.locator("[data-todo=filings] strong").inner_text() != "0"
    fits(page, "phone-workbench")
    sidebar_folds_and_opens(page)
    page.locator("[data-todo=filings]").click()
    assert page.url.endswith("/filings/")
    fits(page, "phone-filing-queue")

    # A review step: its decision buttons are on the screen.
    page.goto(f"{live_server.url}/review/tasks/{task.pk}/")
    approve = page.get_by_role("button", name="通过")
    assert approve.is_visible() and approve.bounding_box()["x"] + approve.bounding_box()["width"] <= PHONE["width"]
    fits(page, "phone-review-step")
    page.context.close()

    # The filing form: the menu and team tables stack into cards, every field within the screen.
    page = sign_in(browser, live_server, "edu_editor", PHONE)
    page.goto(f"{live_server.url}/filings/{draft.pk}/edit/")
    for table in ("#menu-rows", "#team-rows"):
        assert page.locator(f"{table} thead").evaluate("e => e.getBoundingClientRect().height") <= 1  # header hidden
        for field in page.locator(f"{table} tbody input, {table} tbody select").all():
            box = field.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], table
    # Each stacked field says which column it is.
    shown = page.locator("#team-rows tbody td[data-label=手机号码]").first.evaluate(
        "e => getComputedStyle(e, '::before').content")
    assert shown == '"手机号码"'

    fits(page, "phone-filing-form")
    page.context.close()

    # A finding's answer: the form to report the rectification fits.
    page = sign_in(browser, live_server, "town_editor", PHONE)
    page.goto(f"{live_server.url}/findings/{finding.pk}/")
    answer = page.locator("#rectification form textarea").first
    assert answer.is_visible()
    box = answer.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    fits(page, "phone-finding-answer")
    page.context.close()

    # At desktop size the sidebar stands beside the page, grouped by area, and no 菜单 button is shown.
    page = sign_in(browser, live_server, "edu_principal", DESKTOP)
    sidebar = page.locator("nav.sidebar")
    assert sidebar.is_visible() and not page.get_by_text("菜单", exact=True).is_visible()
    assert sidebar.locator(".navgroup-title").all_inner_texts()[:3] == ["工作台", "账号与网站", "内容发布"]
    assert sidebar.bounding_box()["x"] < page.locator("main").bounding_box()["x"]
    # One row of top bar, however many entries the menu has.
    assert page.locator("header.topbar").bounding_box()["height"] < 60
    fits(page, "desktop-workbench")
    page.context.close()
