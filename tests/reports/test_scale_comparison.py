"""At a province's size the month before is built for the comparison only (its verdicts, scores and totals, not
the figures nothing compares): the change a reader sees is the one a full build of that month gives."""
import datetime as dt

import pytest
from django.db import transaction

from reports.figures import ReportBuilder, build_report
from reports.periods import parse_month

TODAY = dt.date(2025, 3, 3)


def test_the_change_from_september_is_that_of_a_full_september(october):
    county = october.region.county
    report = build_report(county, parse_month("2024-10", today=TODAY), today=TODAY)
    september = ReportBuilder(county, parse_month("2024-09", today=TODAY), today=TODAY).build(with_previous=False)

    assert report["previous"] == {"period": september["period"], "totals": september["totals"]}
    for kind in ("accounts", "sites"):
        before = {x["id"]: x for x in september[kind]}
        assert report[kind], kind
        for x in report[kind]:
            old = before[x["id"]]
            assert (x["previous_score"], x["previous_verdict"]) == (old["score"], old["verdict"])
            assert x["updates_change"] == x["figures"]["updates"] - old["figures"]["updates"]
    ranks = {u["organisation"]: u["rank"] for u in september["units"]}
    assert [u["previous_rank"] for u in report["units"]] == [ranks.get(u["organisation"]) for u in report["units"]]


def test_a_failing_september_subject_shows_as_failing_in_the_comparison(october):
    """A subject September's inspection failed keeps that verdict in October's comparison (the light build still
    asks the rules as of 30 September)."""
    county = october.region.county
    september = ReportBuilder(county, parse_month("2024-09", today=TODAY), today=TODAY).build(with_previous=False)
    failing = {x["id"] for x in september["accounts"] + september["sites"] if x["verdict"] == "fail"}
    report = build_report(county, parse_month("2024-10", today=TODAY), today=TODAY)
    shown = {x["id"] for x in report["accounts"] + report["sites"] if x["previous_verdict"] == "fail"}
    assert shown == failing
    assert report["previous"]["totals"]["failing_accounts"] + report["previous"]["totals"]["failing_sites"] == len(failing)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_month_before_built_beside_this_one_gives_the_same_report(october):
    """Outside a transaction September is built on a connection of its own while October is built; the report is
    the one built one after the other (inside a transaction)."""
    county = october.region.county
    beside = build_report(county, parse_month("2024-10", today=TODAY), today=TODAY)
    with transaction.atomic():
        in_turn = build_report(county, parse_month("2024-10", today=TODAY), today=TODAY)
    assert beside["previous"]["totals"]["accounts"] > 0
    assert beside == in_turn
