"""The number of queries of a run does not grow with the number of subjects."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import services

D = dt.date


def populate(build, n):
    site = build.site()
    for _ in range(5):  # every batch's site fails the column veto, whatever n
        build.column(site, category="news", updates=[D(2024, 8, 1)])
    for _ in range(n):
        build.column(site, category="news", updates=[D(2024, 8, 1)])
        build.column(site, category="notice", opened_on=D(2023, 1, 1))
        build.account(updates=[D(2024, 8, 1)], platform="other", exemption_reason="测试", password_changed_on=D(2024, 1, 1))
        services.error_report_create(site=site, received_at=dt.datetime(2024, 9, 2, 10, tzinfo=dt.timezone.utc), content="错")


def test_run_queries_do_not_grow_with_subjects(build, django_assert_max_num_queries):
    # Each measured run has the same shape: findings already open that still fire, and new ones.
    populate(build, 2)
    services.inspect(as_of=D(2024, 10, 8))
    populate(build, 3)
    with CaptureQueriesContext(connection) as small:
        first = services.inspect(as_of=D(2024, 10, 9))
    assert first.status == "finished" and first.counts["new"] >= 12
    # 40 more of each (SQLite inserts at most ~60 findings per statement; PostgreSQL 5,000 a batch).
    populate(build, 40)
    with django_assert_max_num_queries(len(small)):
        second = services.inspect(as_of=D(2024, 10, 10))
    assert second.status == "finished" and second.counts["new"] >= 160
