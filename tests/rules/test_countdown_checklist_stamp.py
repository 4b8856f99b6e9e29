"""Issue 14: on PostgreSQL a request does not read and merge the checklist again when nothing in it changed since
another request of the process read it: one fingerprint query of the versions, items and their units' paths
stands for it. Any change — from this process or another (which sends this one no signal) — changes the
fingerprint, so the next request reads the new thresholds."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govmedia.core import memo
from organisations.models import Organisation
from rules import versions
from rules.countdown import unit_groups

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,  # the fingerprint spells rows as PostgreSQL text
]

DAY = dt.date(2026, 9, 25)


def checklist_reads(queries) -> int:
    return sum(1 for q in queries if 'FROM "rules_checklistitem"' in q["sql"])


def weekly(path: str) -> int:
    """`updates_per_week` in force at `path`, as a new request reads it."""
    with memo.remembering():
        items = next(g.items for g in unit_groups(DAY) if path.startswith(g.include))
    return items["account_weekly"].thresholds["updates_per_week"]


def test_a_later_request_reuses_the_checklist_while_it_is_unchanged(region):
    with memo.remembering():
        first = unit_groups(DAY)
    with memo.remembering(), CaptureQueriesContext(connection) as queries:
        assert unit_groups(DAY) is first
    assert checklist_reads(queries) == 0
    assert len(queries.captured_queries) == 1  # the fingerprint


def test_another_process_s_edit_is_read_by_the_next_request(region):
    version = versions.create_local_version(
        user=region.supervisor, organisation=region.county, on=DAY,
        items=[{"code": "account_weekly", "thresholds": {"updates_per_week": 2}}],
    )
    assert weekly(region.bureau.path) == 2
    with connection.cursor() as cursor:  # as another process writes: no model signal reaches this one
        cursor.execute(
            "UPDATE rules_checklistitem SET thresholds = %s WHERE version_id = %s AND code = 'account_weekly'",
            ['{"updates_per_week": 4}', version.pk],
        )
    assert weekly(region.bureau.path) == 4
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rules_checklistversion SET active = false WHERE id = %s", [version.pk])
    assert weekly(region.bureau.path) == 1


def test_a_unit_that_moves_takes_its_override_along(region):
    versions.create_local_version(
        user=region.supervisor, organisation=region.bureau, on=DAY,
        items=[{"code": "account_weekly", "thresholds": {"updates_per_week": 3}}],
    )
    assert weekly(region.bureau.path) == 3
    Organisation.objects.filter(pk=region.bureau.pk).update(path="/moved/")  # no signal: another process's move
    assert weekly(region.bureau.path) == 1
    assert weekly("/moved/") == 3
