"""Runs at scale (issue 14): bulk writes audited once per kind, and a rerun on unchanged data proven unchanged
instead of judged (PostgreSQL)."""
import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from govmedia.core.models import AuditEntry
from inspections import input_changes, services
from inspections.models import Finding, FindingStatus
from sites.services import column_add_update

from .conftest import at

D = dt.date


def run(as_of, **kw):
    # The run of that day (a finding's period runs from the day its run is made).
    with mock.patch("django.utils.timezone.localdate", return_value=as_of):
        result = services.inspect(as_of=as_of, **kw)
    assert result.status == "finished", result.error
    return result


def entries(action):
    return AuditEntry.objects.filter(workflow_action=action).order_by("id")


def stale_site(build, columns=2):
    site = build.site()
    return [build.column(site, category="news", updates=[D(2024, 9, 2)]) for _ in range(columns)]


def test_a_run_writes_one_audit_entry_per_kind_of_bulk_write(build, region):
    news, _other = stale_site(build)
    build.account(updates=[D(2024, 9, 2)], platform="other", exemption_reason="测试")
    first = run(D(2024, 10, 9))
    assert first.counts["new"] >= 3
    opened = entries("findings_open").get()  # one entry for all the findings the run opened
    assert opened.additional_data["count"] == first.counts["new"]
    assert opened.additional_data["inspection"] == first.pk
    assert opened.additional_data["by_rule"]["column_stale"] == 2
    assert f"新增问题 {first.counts['new']} 个" in opened.additional_data["comment"]
    assert "栏目不更新 2 个" in opened.additional_data["comment"]
    assert opened.object_pk == str(first.pk)
    assert not entries("findings_rectify").exists() and not entries("findings_overdue").exists()

    # One column is updated: the next run confirms its finding rectified, and the others are past due by then.
    column_add_update(column=news, published_at=at(D(2024, 10, 20)), title="新稿")
    second = run(D(2024, 10, 21))
    assert second.counts["rectified_by_rule"]["column_stale"] == 1
    closed = entries("findings_rectify").get()
    assert closed.additional_data["count"] == second.counts["rectified"]
    assert closed.additional_data["inspection"] == second.pk
    assert closed.additional_data["by_rule"] == second.counts["rectified_by_rule"]
    overdue = entries("findings_overdue").get()
    assert overdue.additional_data["count"] == Finding.objects.filter(status=FindingStatus.OVERDUE).count() >= 2
    assert entries("findings_open").count() == 1 + (second.counts["new"] > 0)
    call_command("verify_audit")  # the entries are chained like every other


def test_a_run_that_changes_nothing_writes_no_audit_entry(build):
    run(D(2024, 10, 9))
    assert not AuditEntry.objects.filter(workflow_action__startswith="findings_").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rerun_on_unchanged_data_is_proven_unchanged_and_a_change_is_judged(build):
    news, _other = stale_site(build)
    first = run(D(2024, 10, 9))
    assert first.counts["new"] >= 2 and "unchanged_since" not in first.counts
    open_before = set(Finding.objects.filter(status=FindingStatus.OPEN).values_list("id", flat=True))

    again = run(D(2024, 10, 9))
    assert again.counts["unchanged_since"] == first.pk
    assert again.counts["new"] == 0 and again.counts["open"] == first.counts["open"]
    assert set(Finding.objects.filter(status=FindingStatus.OPEN).values_list("id", flat=True)) == open_before

    # Any write to what the rules read since: the next rerun judges, and sees it.
    column_add_update(column=news, published_at=at(D(2024, 10, 8)), title="新稿")
    judged = run(D(2024, 10, 9))
    assert "unchanged_since" not in judged.counts
    assert judged.counts["rectified_by_rule"]["column_stale"] == 1
    assert Finding.objects.get(rule="column_stale", subject_id=news.pk).status == FindingStatus.RECTIFIED

    # Its own writes (the finding it closed) are no change: the next rerun is proven unchanged again.
    assert run(D(2024, 10, 9)).counts["unchanged_since"] == judged.pk
    # Another date is judged; and after a run of another date, so is this one (that run may have moved findings).
    assert "unchanged_since" not in run(D(2024, 10, 10)).counts
    assert "unchanged_since" not in run(D(2024, 10, 9)).counts


@pytest.mark.postgres
def test_a_rerun_inside_the_callers_transaction_is_judged(build):
    # The test is one transaction: the change below is made by the same transaction as the first run, which
    # therefore proves nothing about it.
    news, _other = stale_site(build)
    first = run(D(2024, 10, 9))
    assert Finding.objects.filter(rule="column_stale", status=FindingStatus.OPEN).count() == 2
    column_add_update(column=news, published_at=at(D(2024, 10, 8)), title="新稿")
    rerun = run(D(2024, 10, 9))
    assert "unchanged_since" not in rerun.counts
    assert rerun.counts["rectified_by_rule"]["column_stale"] == 1 and first.counts["new"] >= 2


@pytest.mark.postgres
def test_every_table_the_rules_may_read_logs_its_writers(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                       [input_changes.TRIGGER])
        have = {row[0] for row in cursor.fetchall()}
    tables = set(input_changes.input_tables())
    assert {"accounts_account", "accounts_accountupdate", "sites_column", "sites_columnupdate", "sites_probe",
            "inspections_finding", "rules_checklistitem", "core_calendarday"} <= tables
    assert tables - have == set()
    assert "inspections_inspection" not in have and "core_auditentry" not in have


def test_a_key_already_recorded_does_not_stop_the_new_findings_of_its_rule(build):
    # PostgreSQL copies a rule's new findings straight into the table; a key already there (a finding closed by
    # hand within the same period that fires again) falls back to skipping it, row by row.
    news, _other = stale_site(build)
    run(D(2024, 10, 9))
    Finding.objects.filter(rule="column_stale", subject_id=news.pk).update(status=FindingStatus.RECTIFIED)
    later = build.column(news.site, category="news", updates=[D(2024, 9, 3)])
    second = run(D(2024, 10, 10))
    assert not second.counts["failed_rules"]
    assert Finding.objects.filter(rule="column_stale", subject_id=later.pk, status=FindingStatus.OPEN).count() == 1
    assert Finding.objects.filter(rule="column_stale", subject_id=news.pk).count() == 1


def test_names_with_tabs_backslashes_and_line_breaks_are_recorded_as_written(build):
    site = build.site()
    site.name = "网站\\一\t二"
    site.save()
    column = build.column(site, category="news", updates=[D(2024, 9, 2)])
    column.name = "栏目\n第二行\r\\N"
    column.save()
    run(D(2024, 10, 9))
    finding = Finding.objects.get(rule="column_stale", subject_id=column.pk)
    assert finding.subject_name == "网站\\一\t二 / 栏目\n第二行\r\\N"
    assert finding.detail["site"] == site.pk
