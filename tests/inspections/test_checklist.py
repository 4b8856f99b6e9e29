"""The checklist as data: the national version loaded by migration, local overrides that tighten or add items,
the version recorded by every run, and the `inspect` command."""
import dataclasses
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inspections import services
from inspections.checks import CHECKS
from inspections.models import Finding
from rules import thresholds
from rules.models import ChecklistItem, ChecklistVersion

D = dt.date


def test_national_version_holds_spec_thresholds(db):
    version = thresholds.national_version(D(2024, 10, 1))
    items = {i.code: i for i in version.items.all()}
    assert set(items) >= {"column_stale", "site_unreachable", "site_interaction_veto", "message_late", "rectification_overdue"}
    assert items["column_stale"].thresholds["periods"]["notice"] == {"months": 6}
    assert items["site_unreachable"].thresholds == {"window_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15,
                                                    "max_failure_share": 0.05}
    assert items["site_columns_veto"].thresholds["key_stale"] == 5 and items["site_columns_veto"].thresholds["any_stale"] == 10
    assert items["message_late"].thresholds["default_workdays"] == 5 and items["account_stale"].kind == "veto"


def local_override(region, org, **thresholds_by_code):
    national = thresholds.national_version(D(2024, 10, 1))
    version = ChecklistVersion.objects.create(year=2024, name=f"{org.name}补充指标", base=national, organisation=org)
    for code, th in thresholds_by_code.items():
        ChecklistItem.objects.create(version=version, code=code, name=code, kind="veto", thresholds=th)
    return version


def test_local_override_tightens_only_below_its_unit(region, build):
    version = local_override(region, region.county, account_stale={"days": 7})
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


def test_override_keeps_the_base_keys_it_does_not_name(region):
    local_override(region, region.county, site_columns_veto={"key_stale": 3})
    items = thresholds.items_for(region.bureau, D(2024, 10, 1))
    assert items["site_columns_veto"].thresholds["key_stale"] == 3 and items["site_columns_veto"].thresholds["any_stale"] == 10


def test_an_inactive_or_later_version_does_not_apply(region):
    version = local_override(region, region.county, account_stale={"days": 7})
    assert thresholds.version_for(region.bureau, D(2023, 12, 31)).organisation is None  # year 2024 starts later
    ChecklistVersion.objects.filter(pk=version.pk).update(active=False)
    assert thresholds.version_for(region.bureau, D(2024, 10, 1)).organisation is None


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
    index = next(i for i, check in enumerate(CHECKS) if check.code == "account_weekly")
    patched = list(CHECKS)
    patched[index] = dataclasses.replace(patched[index], check=broken)
    monkeypatch.setattr("inspections.services.CHECKS", patched)
    run = services.inspect(as_of=D(2024, 9, 30))
    assert run.status == "finished" and "account_weekly" in run.counts["failed_rules"]
    assert Finding.objects.filter(rule="account_stale", subject_id=account.pk).exists()


def test_without_a_national_version_a_run_fails_and_says_why(region, build):
    # A read of the checklist never writes: an empty table is reported, not silently refilled.
    ChecklistVersion.objects.all().delete()
    build.account(updates=[D(2024, 9, 1)])
    with pytest.raises(thresholds.NoChecklist, match="尚未载入国家检查指标"):
        thresholds.national_version(D(2024, 9, 30))
    run = services.inspect(as_of=D(2024, 9, 30))
    assert run.status == "failed" and "尚未载入国家检查指标" in run.error
    assert not ChecklistVersion.objects.exists() and not Finding.objects.exists()
