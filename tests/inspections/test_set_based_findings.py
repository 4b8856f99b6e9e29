"""The four rules that make nearly all findings at scale (columns stale and blank, accounts stale, credential
rotation) are recorded by the database on PostgreSQL (issue 14): the findings it stores, evidence included, are
those a run recording them through Python stores, opening and closing alike, on dates around National Day."""
import datetime as dt
from unittest import mock

import pytest
from django.db import connection, transaction

from inspections import services
from inspections.models import Finding, FindingStatus, Rectification, RectificationOutcome
from organisations.models import RegionCalendarDay
from sites.services import column_add_update

from .conftest import at

D = dt.date
RULES = ("column_stale", "column_blank", "account_stale", "credential_rotation")
STORED = ("rule", "severity", "subject_type", "subject_id", "subject_name", "organisation_id", "detail", "source",
          "checklist_version_id", "found_on", "due_on", "status", "period_key", "rectified_on", "rectification_state")


def run(as_of):
    # Made on the day judged: the rectification period runs from it.
    with mock.patch("django.utils.timezone.localdate", return_value=as_of):
        result = services.inspect(as_of=as_of)
    assert result.status == "finished", result.error
    return result


@pytest.fixture
def province(build, region):
    site = build.site()
    site.name = "网站\\一\t二"  # a tab and a backslash, recorded as written
    site.save()
    subjects = {
        "news": build.column(site, category="news", updates=[D(2026, 8, 3)]),
        "blank": build.column(site, category="notice", opened_on=D(2025, 1, 1)),
        # A column another unit answers for: its findings are that unit's, due by that unit's calendar.
        "assigned": build.column(site, category="policy", updates=[D(2025, 1, 6)], responsible=region.other_bureau),
        "quiet": build.account(updates=[D(2026, 8, 1)], password_changed_on=D(2025, 1, 1)),
        # Told to change the password when staff left on 1 Sep; last changed before that.
        "departed": build.account(owner=region.other_bureau, updates=[D(2026, 9, 28)], password_changed_on=D(2026, 8, 20),
                                  credential_change_due_since=D(2026, 9, 1)),
    }
    # 甲县卫生健康局 keeps 8 Oct 2026 as a day off of its own: what it is found on 30 Sep is due on 9 Oct.
    RegionCalendarDay.objects.create(organisation=region.other_bureau, date=D(2026, 10, 8), is_workday=False, note="调休")
    return subjects


def sequence(province, region):
    """Two runs around National Day: 30 Sep opens; 12 Oct (a column updated, an answer given) closes one."""
    first = run(D(2026, 9, 30))
    finding = Finding.objects.get(rule="column_stale", subject_id=province["news"].pk)
    services.finding_rectify(finding=finding, user=region.owner, comment="已更新栏目")
    column_add_update(column=province["news"], published_at=at(D(2026, 10, 9)), title="节后稿件")
    second = run(D(2026, 10, 12))
    runs = {first.pk: "first", second.pk: "second"}
    stored = {}
    for row in Finding.objects.filter(rule__in=RULES).values(*STORED, "inspection_id", "rectified_by_id"):
        # The runs by their place in the sequence; the day recorded apart from the rest of the evidence.
        row["inspection"], row["rectified_by"] = runs[row.pop("inspection_id")], runs.get(row.pop("rectified_by_id"))
        row["recorded_on"] = row["detail"].pop("recorded_on")
        stored[row["rule"], row["subject_id"], row["period_key"]] = row
    answers = list(Rectification.objects.values_list("finding__rule", "finding__subject_id", "outcome"))
    counts = [{key: r.counts[key] for key in ("new_by_rule", "rectified_by_rule", "firing")} for r in (first, second)]
    return stored, answers, counts


@pytest.mark.django_db
def test_the_findings_of_the_four_rules_record_their_evidence(province, region):
    stored, answers, counts = sequence(province, region)
    news, blank, assigned = province["news"], province["blank"], province["assigned"]
    quiet, departed = province["quiet"], province["departed"]
    assert stored["column_stale", news.pk, "since:2026-08-03"] | {"detail": None} == {
        "rule": "column_stale", "severity": "deduction", "subject_type": "column", "subject_id": news.pk,
        "subject_name": f"网站\\一\t二 / {news.name}", "organisation_id": region.bureau.pk, "detail": None,
        "source": stored["column_stale", news.pk, "since:2026-08-03"]["source"],
        "checklist_version_id": stored["column_stale", news.pk, "since:2026-08-03"]["checklist_version_id"],
        # 30 Sep + 7 days = 7 Oct, inside 国庆: due the first working day after, Thursday 8 Oct.
        "found_on": D(2026, 9, 30), "due_on": D(2026, 10, 8), "status": FindingStatus.RECTIFIED,
        "period_key": "since:2026-08-03", "rectified_on": D(2026, 10, 12), "rectification_state": "submitted",
        "inspection": "first", "rectified_by": "second", "recorded_on": "2026-09-30",
    }
    version = stored["column_stale", news.pk, "since:2026-08-03"]["checklist_version_id"]
    common = {"checklist_version": version, "rectify_days": 7}
    assert stored["column_stale", news.pk, "since:2026-08-03"]["detail"] == {
        **common, "site": news.site_id, "category": "news", "last_updated_on": "2026-08-03", "judged_from": "2026-08-03",
        "period": {"days": 14}, "stale_if_last_before": "2026-09-16",
    }
    blank_finding = stored["column_blank", blank.pk, "since:2025-01-01"]
    assert blank_finding["detail"] == {
        **common, "site": blank.site_id, "category": "notice", "last_updated_on": None, "judged_from": "2025-01-01",
        "period": {"months": 6}, "stale_if_last_before": "2026-03-30", "blank": True,
    } and blank_finding["status"] == FindingStatus.OVERDUE
    assigned_finding = stored["column_stale", assigned.pk, "since:2025-01-06"]
    assert assigned_finding["organisation_id"] == region.other_bureau.pk
    assert assigned_finding["due_on"] == D(2026, 10, 9)  # its own day off on 8 Oct
    assert assigned_finding["detail"]["period"] == {"months": 6}
    assert assigned_finding["detail"]["stale_if_last_before"] == "2026-03-30"
    assert stored["account_stale", quiet.pk, "since:2026-08-01"]["detail"] == {
        **common, "last_updated_on": "2026-08-01", "judged_from": "2026-08-01", "days": 14, "deadline": "2026-08-15",
        "days_without_update": 60,
    }
    assert stored["credential_rotation", quiet.pk, "since:2025-01-01"]["detail"] == {
        **common, "password_changed_on": "2025-01-01", "judged_from": "2025-01-01", "days": 90,
        "after_departure_since": None,
    }
    departure = stored["credential_rotation", departed.pk, "since:2026-08-20"]
    assert departure["detail"] == {
        **common, "password_changed_on": "2026-08-20", "judged_from": "2026-08-20", "days": 90,
        "after_departure_since": "2026-09-01",
    }
    assert departure["due_on"] == D(2026, 10, 9) and departure["status"] == FindingStatus.OVERDUE
    assert answers == [("column_stale", news.pk, RectificationOutcome.ACCEPTED)]
    assert counts[1]["rectified_by_rule"]["column_stale"] == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_records_in_the_database_what_python_records(province, region, monkeypatch):
    assert connection.vendor == "postgresql"
    # The same two runs, first recorded in the database, then (rolled back) through Python.
    with transaction.atomic():
        in_database = sequence(province, region)
        transaction.set_rollback(True)
    monkeypatch.setattr(services, "IN_DATABASE", ())
    through_python = sequence(province, region)
    assert {key[0] for key in in_database[0]} == set(RULES)
    assert in_database == through_python
