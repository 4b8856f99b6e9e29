"""Workflows read the same checklist items as the inspections (issue 10, item 3): for each, change the local item and
see the workflow follow. Dates cross 国庆 by the packaged calendar (2020: 10-01..10-08 off, Sun 09-27 and Sat 10-10
worked; 2026: 中秋 09-25, 10-01..10-07 off, Sat 10-10 worked)."""
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from accounts.filing_services import check_deregistration_allowed, due_on_for
from accounts.models import AccountStatus, Filing
from accounts.services import backfill_due_on_for
from govmedia.core.exceptions import DomainConflict
from inspections.models import Finding
from inspections.services import inspect, message_create, reply_limit_for
from rules import versions
from rules.models import ChecklistVersion
from tests.factories import FilingFactory
from tests.inspections.conftest import Build, at

D = dt.date
FRIDAY = D(2026, 10, 9)
ROOT = Path(__file__).resolve().parents[2]


def qingdao(region):
    """甲县 adopts the 青岛 template; returns its local version."""
    template = ChecklistVersion.objects.get(template=True, region="青岛西海岸新区")
    return versions.adopt_template(user=region.supervisor, organisation=region.county, template=template, on=FRIDAY)


def change(region, version, code, thresholds):
    versions.update_local_version(user=region.supervisor, version=version, items=[{"code": code, "thresholds": thresholds}],
                                  on=FRIDAY)


def run(as_of):
    result = inspect(as_of=as_of)
    assert result.status == "finished" and not result.counts["failed_rules"], (result.error, result.counts)


def test_filing_deadline_follows_the_filing_late_item(region):
    build = Build(region)
    ours, theirs = build.account(), build.account(owner=region.other_county_bureau)
    version = qingdao(region)
    # Tue 29 Sep 2026 + 7 working days: 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct (make-up), 12, 13, 14 Oct.
    assert due_on_for("change", D(2026, 9, 29), ours) == D(2026, 10, 14)
    change(region, version, "filing_late", {"workdays": 3})
    assert due_on_for("change", D(2026, 9, 29), ours) == D(2026, 10, 9)
    # 乙县 has no filing deadline in its rules (national checklist only): no deadline, no filing_late finding.
    assert due_on_for("change", D(2026, 9, 29), theirs) is None


def test_backfill_follows_the_pack_effective_date_then_the_environment_default(region, settings):
    version = qingdao(region)
    # 青岛 §19: 20 working days after 2020-09-10, across 国庆 2020 (Sun 27 Sep and Sat 10 Oct worked).
    assert backfill_due_on_for(region.bureau, FRIDAY) == D(2020, 10, 14)
    change(region, version, "backfill_late", {"workdays": 3, "effective_on": "2026-09-25"})
    assert backfill_due_on_for(region.bureau, FRIDAY) == D(2026, 9, 30)  # 28, 29, 30 Sep (27 Sep is off)
    # A local version that adds the rule without a date: GOVMEDIA_RULES_EFFECTIVE_ON is the default.
    versions.create_local_version(user=region.outsider, organisation=region.other_county, on=FRIDAY,
                                  items=[{"code": "backfill_late", "thresholds": {"workdays": 2}}])
    settings.GOVMEDIA_RULES_EFFECTIVE_ON = "2026-09-29"
    assert backfill_due_on_for(region.other_county_bureau, FRIDAY) == D(2026, 10, 8)  # 30 Sep, 8 Oct
    settings.GOVMEDIA_RULES_EFFECTIVE_ON = None
    assert backfill_due_on_for(region.other_county_bureau, FRIDAY) == D(2026, 10, 12)  # from the day itself: Sat 10, 12 Oct


@pytest.mark.parametrize(("value", "ok"), [("2020-09-10", True), ("10 Sept", False)])
def test_the_effective_date_is_read_from_the_environment(value, ok):
    env = {**os.environ, "GOVMEDIA_RULES_EFFECTIVE_ON": value, "DJANGO_SETTINGS_MODULE": "govmedia.settings.test"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.GOVMEDIA_RULES_EFFECTIVE_ON)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    if ok:
        assert done.returncode == 0 and done.stdout.strip() == value, done.stderr
    else:
        assert done.returncode != 0 and "GOVMEDIA_RULES_EFFECTIVE_ON" in done.stderr


def test_the_closure_gate_and_the_rule_use_one_number(region):
    build = Build(region)
    version = qingdao(region)
    notice = D(2026, 9, 25)  # 中秋; 15 working days later: 28 Sep … 22 Oct
    closing = build.account(status=AccountStatus.CLOSING, closure_notice_on=notice)
    early = build.account(status=AccountStatus.DEREGISTERED, closure_notice_on=notice)
    FilingFactory(account=early, kind="deregister", event_date=D(2026, 10, 19), status="approved", stage="",
                  submitted_at=at(D(2026, 10, 19)), decided_at=at(D(2026, 10, 19)), created_by=region.member)
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 10, 20)):
        assert closing.first_deregister_on == D(2026, 10, 22)
        with pytest.raises(DomainConflict, match="须满15个工作日"):
            check_deregistration_allowed(closing, D(2026, 10, 20))
        run(D(2026, 10, 20))
        finding = Finding.objects.get(rule="closure_notice_short")
        assert finding.detail["workdays"] == 15 and finding.detail["earliest_allowed"] == "2026-10-22"
        assert finding.source == "青岛 §7"

        change(region, version, "closure_notice_short", {"workdays": 5})  # 28, 29, 30 Sep, 8, 9 Oct
        assert closing.first_deregister_on == D(2026, 10, 9)
        check_deregistration_allowed(closing, D(2026, 10, 20))
        later = build.account(status=AccountStatus.DEREGISTERED, closure_notice_on=notice)
        FilingFactory(account=later, kind="deregister", event_date=D(2026, 10, 12), status="approved", stage="",
                      submitted_at=at(D(2026, 10, 12)), decided_at=at(D(2026, 10, 12)), created_by=region.member)
        run(D(2026, 10, 20))
        assert not Finding.objects.filter(rule="closure_notice_short", subject_id__in=later.filings.values("pk")).exists()
    # 乙县's rules set no notice period: deregistration may follow the notice.
    other = build.account(owner=region.other_county_bureau, status=AccountStatus.CLOSING, closure_notice_on=notice)
    assert other.closure_notice_workdays == 0 and other.first_deregister_on == notice


def test_a_close_filing_records_its_notice_date_by_default_its_approval(api, region):
    build = Build(region)
    account = build.account()
    member = api.as_user(region.member)
    named = member.post("/api/v1/filings/", {"kind": "close", "account": account.pk, "event_date": "2026-09-25",
                                             "notice_on": "2026-09-28", "reason": "整合"}, format="json")
    assert named.status_code == 201 and named.json()["notice_on"] == "2026-09-28"
    Filing.objects.filter(pk=named.json()["id"]).update(notice_on=None)
    member.post(f"/api/v1/filings/{named.json()['id']}/submit/")
    api.as_user(region.owner).post(f"/api/v1/filings/{named.json()['id']}/approve/")
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 9, 29)):
        approved = api.as_user(region.supervisor).post(f"/api/v1/filings/{named.json()['id']}/approve/")
    assert approved.status_code == 200, approved.content
    account.refresh_from_db()
    assert approved.json()["notice_on"] == "2026-09-29" and account.closure_notice_on == D(2026, 9, 29)
    wrong = member.post("/api/v1/filings/", {"kind": "change", "account": build.account().pk,
                                             "event_date": "2026-09-25", "notice_on": "2026-09-28"}, format="json")
    assert wrong.status_code == 400 and "notice_on" in wrong.json()


def test_message_reply_limit_follows_the_message_late_item(region):
    site = Build(region).site()
    assert reply_limit_for(region.bureau) == 5  # the product default, labelled so in the checklist
    version = qingdao(region)
    change(region, version, "message_late", {"default_workdays": 2})
    assert reply_limit_for(region.bureau) == 2
    message = message_create(received_at=at(D(2026, 9, 29)), content="咨询", site=site)
    assert message.due_on == D(2026, 10, 8)  # 30 Sep, then 8 Oct after 国庆


def test_rectification_period_follows_the_rectification_overdue_item(region):
    build = Build(region)
    ours = build.account(updates=[D(2026, 9, 1)])
    theirs = build.account(owner=region.other_county_bureau, updates=[D(2026, 9, 1)])
    version = qingdao(region)
    change(region, version, "rectification_overdue", {"days": 3})
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 10, 12)):  # the run is made that day
        run(D(2026, 10, 12))
    assert Finding.objects.get(rule="account_stale", subject_id=ours.pk).due_on == D(2026, 10, 15)
    assert Finding.objects.get(rule="account_stale", subject_id=theirs.pk).due_on == D(2026, 10, 19)


def test_credential_rotation_follows_the_credential_rotation_item(region):
    build = Build(region)
    ours = build.account(updates=[D(2026, 10, 9)], password_changed_on=D(2026, 8, 30))
    theirs = build.account(owner=region.other_county_bureau, updates=[D(2026, 10, 9)], password_changed_on=D(2026, 8, 30))
    run(FRIDAY)
    assert not Finding.objects.filter(rule="credential_rotation").exists()  # 40 days: within the default 90
    version = qingdao(region)
    change(region, version, "credential_rotation", {"days": 30})
    run(D(2026, 10, 10))
    assert set(Finding.objects.filter(rule="credential_rotation").values_list("subject_id", flat=True)) == {ours.pk}
    assert theirs.pk


def test_updates_per_week_two_fails_an_account_with_one_update(region):
    build = Build(region)
    once = build.account(updates=[D(2026, 9, 29), D(2026, 10, 9)])
    twice = build.account(updates=[D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 9)])
    version = qingdao(region)
    run(FRIDAY)  # judges the week 28 Sep – 4 Oct: one update is enough
    assert not Finding.objects.filter(rule="account_weekly").exists()
    change(region, version, "account_weekly", {"updates_per_week": 2})
    run(D(2026, 10, 10))
    finding = Finding.objects.get(rule="account_weekly")
    assert finding.subject_id == once.pk and finding.detail["minimum"] == 2
    assert twice.pk != once.pk
