"""The checklist seen from the runs: a local version tightens a rule below its unit only and is recorded by
every run, the `inspect` command, a failing rule that stops no other, and a run without a national version."""
import dataclasses
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inspections import services
from inspections.checks import CHECKS
from inspections.models import Finding
from rules import thresholds
from rules.models import ChecklistVersion
from tests.rules.test_checklist import local_override

from .conftest import regional_rules

D = dt.date


def test_local_override_tightens_only_below_its_unit(region, build):
    version = local_override(region.county, account_stale={"days": 7})
    ours = build.account(updates=[D(2024, 9, 25)])
    theirs = build.account(owner=region.other_county_bureau, updates=[D(2024, 9, 25)])
    assert thresholds.version_for(region.bureau, D(2024, 10, 3)) == version
    assert thresholds.version_for(region.other_county_bureau, D(2024, 10, 3)).organisation is None
    run = services.inspect(as_of=D(2024, 10, 3))  # 8 days without an update
    assert Finding.objects.filter(rule="account_stale", subject_id=ours.pk).get().detail["days"] == 7
    assert not Finding.objects.filter(rule="account_stale", subject_id=theirs.pk).exists()
    assert {v["id"] for v in run.versions} == {version.pk, version.base_id}
    assert run.counts["groups"] == 2
    # The county's own run names its version.
    county_run = services.inspect(as_of=D(2024, 10, 3), organisation=region.county)
    assert county_run.checklist_version == version


def test_inspect_command(region, build):
    build.account(updates=[D(2024, 9, 1)])
    out = StringIO()
    call_command("inspect", "--as-of", "2024-09-30", stdout=out)
    assert "新发现" in out.getvalue() and "account_stale: 1" in out.getvalue()
    call_command("inspect", "--as-of", "2024-09-30", stdout=out)
    assert Finding.objects.filter(rule="account_stale").count() == 1
    with pytest.raises(CommandError):
        call_command("inspect", "--as-of", (services.local_today() + dt.timedelta(days=1)).isoformat())
    with pytest.raises(CommandError):
        call_command("inspect", "--as-of", "2024-13-01")


def test_a_failing_rule_does_not_stop_the_others(region, build, monkeypatch):
    def broken(ctx, th):
        raise ValueError("unreadable row")

    account = build.account(updates=[D(2024, 9, 1)])
    regional_rules(region)  # the weekly rule applies where the unit's version holds it
    index = next(i for i, check in enumerate(CHECKS) if check.code == "account_weekly")
    patched = list(CHECKS)
    patched[index] = dataclasses.replace(patched[index], check=broken)
    monkeypatch.setattr("inspections.services.CHECKS", patched)
    run = services.inspect(as_of=D(2024, 9, 30))
    assert run.status == "finished" and "account_weekly" in run.counts["failed_rules"]
    assert Finding.objects.filter(rule="account_stale", subject_id=account.pk).exists()


def test_without_a_national_version_a_run_fails_and_says_why(region, build):
    # A read of the checklist never writes: an empty table is reported, not silently refilled.
    # Local versions and templates first: they name the national version as their base.
    ChecklistVersion.objects.exclude(organisation__isnull=True, template=False).delete()
    ChecklistVersion.objects.all().delete()
    build.account(updates=[D(2024, 9, 1)])
    with pytest.raises(thresholds.NoChecklist, match="尚未载入国家检查指标"):
        thresholds.national_version(D(2024, 9, 30))
    run = services.inspect(as_of=D(2024, 9, 30))
    assert run.status == "failed" and "尚未载入国家检查指标" in run.error
    assert not ChecklistVersion.objects.exists() and not Finding.objects.exists()
