"""A request reads the checklist behind its countdowns once (issue 14: every countdown of a page read the versions
and items again), and never reads thresholds older than an edit: the remembered checklist is forgotten when a
version, an item or a unit's place changes, and lives no longer than the request."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from govmedia.core import memo
from rules import versions
from rules.countdown import unit_groups

DAY = dt.date(2026, 9, 25)


def checklist_reads(queries) -> int:
    return sum(1 for q in queries if 'FROM "rules_checklistitem"' in q["sql"])


def weekly(groups, path: str) -> int:
    items = next(g.items for g in groups if path.startswith(g.include))
    return items["account_weekly"].thresholds["updates_per_week"]


def test_the_supervisors_home_page_reads_the_checklist_once(region, client):
    client.force_login(region.supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    # The dashboard's column and account countdowns both ask for the thresholds. (On PostgreSQL the request may
    # reuse the checklist an earlier request of the process read: tests/rules/test_countdown_checklist_stamp.py.)
    assert checklist_reads(queries) <= 1


def test_within_a_request_an_edit_is_read_at_once(region):
    # As within one request (the test client's requests remember the same way: the page test above).
    with memo.remembering():
        with CaptureQueriesContext(connection) as queries:
            before = unit_groups(DAY)
            assert unit_groups(DAY) is before
        assert checklist_reads(queries) == 1
        assert weekly(before, region.bureau.path) == 1

        version = versions.create_local_version(
            user=region.supervisor, organisation=region.county, on=DAY,
            items=[{"code": "account_weekly", "thresholds": {"updates_per_week": 2}}],
        )
        assert weekly(unit_groups(DAY), region.bureau.path) == 2
        assert weekly(unit_groups(DAY), region.other_county_bureau.path) == 1

        versions.update_local_version(user=region.supervisor, version=version, on=DAY,
                                      items=[{"code": "account_weekly", "thresholds": {"updates_per_week": 3}}])
        assert weekly(unit_groups(DAY), region.bureau.path) == 3

        versions.update_local_version(user=region.supervisor, version=version, on=DAY, active=False)
        assert weekly(unit_groups(DAY), region.bureau.path) == 1


def test_outside_a_request_nothing_is_remembered(region):
    with CaptureQueriesContext(connection) as queries:
        unit_groups(DAY)
        unit_groups(DAY)
    # A Celery task or a command reads the checklist each time: another process may have changed it.
    assert checklist_reads(queries) == 2
