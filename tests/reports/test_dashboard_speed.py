"""Issue 14: the province dashboard costs a fixed number of queries, whatever the region holds, and its at-risk
panel still lists the nearest deadlines first and counts what the countdown list counts."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.api import countdown_queryset
from reports.dashboard import AT_RISK_SHOWN, dashboard_context
from tests.core.test_list_queries import populate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 11, 4)


def queries(region) -> int:
    with CaptureQueriesContext(connection) as context:
        dashboard_context(region.supervisor, region.county, today=TODAY)
    return len(context.captured_queries)


def test_the_dashboard_costs_the_same_for_a_few_units_and_many(region):
    populate(region, 2, "甲")
    few = queries(region)
    populate(region, 18, "乙")
    many = queries(region)
    assert many <= few <= 32, (few, many)


def test_the_at_risk_panel_agrees_with_the_countdown_list(region):
    populate(region, 20, "丙")
    panel = dashboard_context(region.supervisor, region.county, today=TODAY)["dashboard"]["at_risk"]
    listed = countdown_queryset(region.supervisor, kind="account", organisation=region.county.pk, within=3, today=TODAY)
    assert [a.pk for a in panel["accounts"]] == [a.pk for a in listed[:AT_RISK_SHOWN]]
    assert [a.days_left for a in panel["accounts"]] == [a.days_left for a in listed[:AT_RISK_SHOWN]]
    assert panel["account_counts"]["broken"] == listed.filter(days_left__lt=0).count() == 20
    assert all(a.owner.name for a in panel["accounts"]) and all(c.site.name for c in panel["columns"])
