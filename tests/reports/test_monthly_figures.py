"""The monthly report's figures, checked against October 2024 data built for the test."""
import datetime as dt

from reports.figures import build_report
from reports.periods import parse_month
from tests.factories import AccountFactory

TODAY = dt.date(2025, 3, 3)


def october_report(organisation, user=None):
    return build_report(organisation, parse_month("2024-10", today=TODAY), user=user, today=TODAY)


def by_name(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_account_figures_across_national_day(october):
    report = october_report(october.region.county)
    lagging = by_name(report["accounts"], "甲县教育发布")
    f = lagging["figures"]
    assert f["updates"] == 4  # 1 Nov 00:10 Shanghai is November's
    assert f["update_days"] == 3
    assert f["originals"] == 2
    # 20 Sep → 8 Oct: 17 days without an update; 12 Oct → 31 Oct: 18 days.
    assert f["longest_gap_days"] == 18
    # Originals: 20 Sep → 12 Oct: 21 days.
    assert f["longest_original_gap_days"] == 21
    # Weeks ending in October: 30 Sep–6 Oct (holiday), 14–20 Oct and 21–27 Oct had nothing.
    assert f["weeks_without_update"] == ["2024-W40", "2024-W42", "2024-W43"]
    assert (f["messages_received"], f["messages_on_time"], f["messages_late"], f["messages_overdue"],
            f["messages_pending"]) == (4, 1, 1, 1, 1)
    assert lagging["verdict"] == "fail"
    assert [v["rule"] for v in lagging["vetoes"]] == ["account_stale"]
    # The weekly and fortnightly-original rules are 青岛's (rules.packs): the national checklist does not hold them.
    assert sorted(d["rule"] for d in lagging["deductions"]) == ["message_late"]
    assert lagging["score"] == 98.0
    assert (lagging["findings_opened"], lagging["findings_rectified"], lagging["findings_overdue"]) == (1, 1, 0)


def test_a_steady_account_passes_and_a_mute_one_fails(october):
    report = october_report(october.region.county)
    steady = by_name(report["accounts"], "甲县教育微博")
    assert steady["figures"]["longest_gap_days"] == 2
    assert steady["figures"]["weeks_without_update"] == []
    assert steady["verdict"] == "pass"
    # The overdue duplicate_platform finding (5 points in the national checklist) still counts in October.
    assert steady["score"] == 95.0
    assert steady["findings_overdue"] == 1
    silent = by_name(report["accounts"], "甲县卫健抖音")
    assert {v["rule"] for v in silent["vetoes"]} == {"account_stale", "account_no_interaction"}


def test_site_figures(october):
    report = october_report(october.region.county)
    site = by_name(report["sites"], "甲县教育局网站")
    f = site["figures"]
    assert f["updates"] == 2
    # The blank "other" column opened on 1 Jan 2024 is blank but not yet a year old, so not stale.
    assert (f["columns"], f["stale_columns"], f["stale_key_columns"], f["blank_columns"]) == (3, 1, 1, 1)
    assert (f["probes"], f["probes_failed"], f["availability"]) == (40, 1, 0.975)
    assert (f["broken_links_found"], f["broken_links_open"]) == (1, 1)
    assert (f["error_reports_received"], f["error_reports_on_time"]) == (1, 1)
    assert site["verdict"] == "pass"
    # The young blank column is not a 空白栏目 yet, for the report as for the inspection of 31 Oct.
    assert sorted(d["rule"] for d in site["deductions"]) == ["column_stale"]
    assert site["score"] == 98.0


def test_region_totals_units_and_findings(october):
    report = october_report(october.region.county)
    assert report["checklist_version"]["year"] == 2019
    assert report["period"] == {"key": "2024-10", "label": "2024年10月", "start": "2024-10-01", "end": "2024-10-31",
                                "as_of": "2024-10-31", "complete": True}
    names = {a["name"] for a in report["accounts"]}
    assert "乙县教育发布" not in names
    t = report["totals"]
    assert (t["sites"], t["accounts"], t["failing_accounts"], t["failing_sites"]) == (1, 3, 2, 0)
    assert (t["findings_opened"], t["findings_rectified"], t["findings_overdue"]) == (1, 1, 1)
    ranks = [(u["rank"], u["organisation_name"]) for u in report["units"]]
    assert ranks == [(1, "甲县教育局"), (2, "甲县卫生健康局")]
    assert report["units"][0]["failing"] == 1
    statuses = {f["rule"]: f["status"] for f in report["findings"]}
    assert statuses == {"account_stale": "rectified", "duplicate_platform": "overdue"}


def test_change_from_september(october):
    report = october_report(october.region.county)
    assert report["previous"]["period"]["key"] == "2024-09"
    lagging = by_name(report["accounts"], "甲县教育发布")
    # September: one update (20 Sep) after nothing since opening in January. The verdict is the inspection's of
    # 30 Sep, when that update was 10 days old: it passed that day (the months before are their own reports').
    assert lagging["previous_verdict"] == "pass"
    assert lagging["updates_change"] == 4 - 1
    assert report["change"]["account_updates"] == report["totals"]["account_updates"] - report["previous"]["totals"]["account_updates"]


def test_a_past_month_regenerated_gives_the_same_report(october):
    first = october_report(october.region.county)
    # Later activity (a November update, a reply, a rectification) must not change October.
    from accounts.services import account_add_update

    from .conftest import at

    account_add_update(account=october.lagging, published_at=at("2024-11-20"), title="后来的更新")
    october.late_filing.status, october.late_filing.rectified_on = "rectified", dt.date(2024, 11, 5)
    october.late_filing.save()
    again = build_report(october.region.county, parse_month("2024-10", today=dt.date(2025, 6, 1)), today=dt.date(2025, 6, 1))
    assert again == first


def test_a_unit_report_covers_only_that_unit(october):
    report = october_report(october.region.bureau, user=october.region.member)
    assert {a["name"] for a in report["accounts"]} == {"甲县教育发布", "甲县教育微博"}
    assert [u["organisation_name"] for u in report["units"]] == ["甲县教育局"]


def test_queries_do_not_grow_with_subjects(region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(subjects):
        for i in range(subjects):
            AccountFactory(name=f"号{subjects}-{i}", platform="other", owner=region.bureau,
                           opened_on=dt.date(2024, 1, 1), exemption_reason="测试")
        with CaptureQueriesContext(connection) as captured:
            report = build_report(region.county, parse_month("2024-10", today=TODAY), today=TODAY)
        return len(captured.captured_queries), report["totals"]["accounts"]

    few, few_accounts = queries(1)
    many, many_accounts = queries(6)
    # The verdicts add a query or two per rule (the inspection's checks, as of the last day), never per subject.
    assert many_accounts == few_accounts + 6
    assert many == few


def test_subjects_created_after_the_month_do_not_appear_in_it(october):
    # Without an opening date the day it was registered counts: now, long after October.
    AccountFactory(name="后来登记的账号", platform="kuaishou", owner=october.region.bureau, opened_on=None)
    report = october_report(october.region.county)
    assert "后来登记的账号" not in {a["name"] for a in report["accounts"]}
