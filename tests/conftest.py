import os
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from organisations.models import OrganisationKind, Role
from publishing.checks import automata as word_automata
from rules.checklist_data import load_national
from rules.models import ChecklistItem, ChecklistVersion
from rules.packs import load_packs

from .browser_helpers import ARGS, CHROMIUM
from .factories import OrganisationFactory, person, token_for


@pytest.fixture
def region(db):
    """Two counties. In county A: the government (supervised by the office), a bureau with its staff, an
    internal section; county B is the outsider's. Each person is named for how they relate to the bureau."""
    county = OrganisationFactory(name="甲县人民政府", kind=OrganisationKind.GOVERNMENT)
    bureau = OrganisationFactory(name="甲县教育局", parent=county)
    other_bureau = OrganisationFactory(name="甲县卫生健康局", parent=county)
    section = OrganisationFactory(name="甲县教育局办公室", parent=bureau, kind=OrganisationKind.INTERNAL)
    other_county = OrganisationFactory(name="乙县人民政府", kind=OrganisationKind.GOVERNMENT)
    other_county_bureau = OrganisationFactory(name="乙县教育局", parent=other_county)
    return SimpleNamespace(
        county=county, bureau=bureau, other_bureau=other_bureau, section=section,
        other_county=other_county, other_county_bureau=other_county_bureau,
        supervisor=person("supervisor", county, Role.SUPERVISOR),
        owner=person("principal", bureau, Role.PRINCIPAL),
        member=person("editor", bureau, Role.EDITOR),
        neighbour=person("neighbour", other_bureau, Role.EDITOR),
        outsider=person("outsider", other_county, Role.SUPERVISOR),
        auditor=person("auditor", county, Role.AUDITOR),
    )


@pytest.fixture
def api():
    """An API client; `api.as_user(u)` authenticates as u with a real token."""
    client = APIClient()

    def as_user(user):
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    client.as_user = as_user
    return client


# Browser fixtures (Playwright driving Debian's Chromium against the live test server). One browser for the
# whole session: a second sync_playwright() in the same thread fails, so every area uses these; a journey
# that needs its own thread uses tests/browser_helpers.py.


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still sync.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username, password):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    return sign_in_as


# A transactional test (live server, transaction=True) flushes every table afterwards, the rows of the national
# checklist's data migration included, and a read of the checklist never writes: put the checklist back before
# each such test, through the function the migration itself runs.


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def fresh_word_automata():
    """publishing.checks caches automata by (list id, version). SQLite hands a rolled-back test's ids out again,
    so without this an automaton cached by one test would stand for another test's different list."""
    yield
    word_automata.data.clear()


@pytest.fixture(autouse=True)
def national_checklist(request):
    if not _transactional(request):
        return
    request.getfixturevalue("_django_db_helper")
    if not ChecklistVersion.objects.filter(organisation__isnull=True).exists():
        load_packs(ChecklistVersion, ChecklistItem, load_national(ChecklistVersion, ChecklistItem))
