"""Issue 14: the account, column and finding lists compile their page's statement once per process for the same
inputs (govmedia.core.statements) and run it on a cursor. A later request reuses it only while every input is
unchanged — the caller's roles, the query string and page, the day, the checklist behind the countdown — and a
change of any of them is seen by the very next request. A list built from a read its key does not name (a filter
that looks a unit up) is never kept. The checklist's fingerprint exists on PostgreSQL only: there the countdown
lists are kept; on SQLite only the finding list is."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govmedia.core import statements
from organisations.models import Membership, Role
from rules import versions
from rules.definitions import COLUMN_PERIODS
from tests.core.test_list_queries import checklist, populate  # noqa: F401  (checklist: an autouse fixture)

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
COUNTDOWN_LISTS = ["accounts", "columns"]
LISTS = ["findings", *COUNTDOWN_LISTS] if POSTGRES else ["findings"]


@pytest.fixture(autouse=True)
def no_kept_statements():
    statements._entries.clear()
    yield
    statements._entries.clear()


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def compiles(client, url) -> tuple[dict, int]:
    """The answer, and how many statements the request compiled (0: a kept statement ran)."""
    compiled = []
    original = statements.CompiledRows._compile

    def counting(self, window):
        compiled.append(window)
        return original(self, window)

    statements.CompiledRows._compile = counting
    try:
        return read(client, url), len(compiled)
    finally:
        statements.CompiledRows._compile = original


@pytest.mark.parametrize("endpoint", LISTS)
def test_the_second_request_runs_the_kept_statement_and_answers_the_same(api, region, endpoint):
    populate(region, 3, "甲")
    client = api.as_user(region.supervisor)
    url = f"/api/v1/{endpoint}/?page_size=2"
    first, built = compiles(client, url)
    again, rebuilt = compiles(client, url)
    assert (built, rebuilt) == (1, 0)
    assert again == first and len(first["results"]) == 2 and first["next"]
    # The page and the page size are inputs: each is its own statement, with its own rows.
    second, built = compiles(client, url + "&page=2")
    assert built == 1 and {r["id"] for r in second["results"]}.isdisjoint(r["id"] for r in first["results"])


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_change_of_roles_is_seen_at_once(api, region, endpoint):
    populate(region, 2, "乙")
    client = api.as_user(region.outsider)  # supervises the other county: none of the bureau's rows
    url = f"/api/v1/{endpoint}/"
    assert read(client, url)["count"] == 0
    assert read(client, url)["count"] == 0  # kept
    grant = Membership.objects.create(user=region.outsider, organisation=region.county, role=Role.SUPERVISOR)
    assert read(client, url)["count"] > 0
    grant.delete()
    assert read(client, url)["count"] == 0


@pytest.mark.parametrize("endpoint", LISTS)
def test_another_query_string_is_another_statement(api, region, endpoint):
    populate(region, 2, "丙")
    client = api.as_user(region.supervisor)
    everything = read(client, f"/api/v1/{endpoint}/")["results"]
    ordering = read(client, f"/api/v1/{endpoint}/?ordering=-id")["results"]
    assert [row["id"] for row in ordering] == sorted((row["id"] for row in everything), reverse=True)


def test_a_new_row_is_listed_at_once(api, region):
    """The statement is kept, never its rows."""
    populate(region, 1, "丁")
    client = api.as_user(region.supervisor)
    before = read(client, "/api/v1/findings/")["count"]
    populate(region, 1, "戊")
    assert read(client, "/api/v1/findings/")["count"] > before


@pytest.mark.postgres  # the countdown lists are kept only where the checklist has a fingerprint
@pytest.mark.parametrize("endpoint", COUNTDOWN_LISTS)
def test_the_next_day_and_a_checklist_change_are_seen_at_once(api, region, endpoint, monkeypatch):
    populate(region, 2, "己")
    client = api.as_user(region.supervisor)
    url = f"/api/v1/{endpoint}/"
    today = read(client, url)["results"]
    assert compiles(client, url)[1] == 0
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: real(*a, **k) + dt.timedelta(days=1))
    tomorrow, built = compiles(client, url)
    assert built == 1
    assert [r["days_left"] + 1 for r in tomorrow["results"]] == [r["days_left"] for r in today]
    monkeypatch.setattr(timezone, "localdate", real)
    # A local checklist for the county: stricter thresholds, through the service (this process) …
    kept = read(client, url)["results"]
    version = versions.create_local_version(
        user=region.supervisor, organisation=region.county, on=real(),
        items=[{"code": "column_stale", "thresholds": {"periods": {name: {"days": 1} for name in COLUMN_PERIODS}}},
               {"code": "account_stale", "thresholds": {"days": 1}}],
    )
    stricter, built = compiles(client, url)
    assert built == 1
    assert [r["deadline"] for r in stricter["results"]] != [r["deadline"] for r in kept]
    # … and by another process, which sends this one no signal: the fingerprint changes all the same.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rules_checklistversion SET active = false WHERE id = %s", [version.pk])
    assert read(client, url)["results"] == kept


def test_a_list_built_from_an_unnamed_read_is_not_kept(api, region):
    """`?within=` looks the unit up while the queryset is built: a read the key does not name."""
    populate(region, 2, "庚")
    client = api.as_user(region.supervisor)
    with CaptureQueriesContext(connection):
        read(client, f"/api/v1/accounts/?within={region.bureau.pk}")
    assert not statements._entries
