"""Retention: entries stay at least AUDIT_RETENTION_DAYS (never below 180), then go to files with the chain head,
through the one path the database allows; the archive is audited and the chain verifies across it."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from govmedia.core import auditarchive, auditchain
from govmedia.core.models import AuditArchive, AuditEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")


def old_entry(when: dt.datetime, text: str) -> AuditEntry:
    # About a model the log does not follow, so that writing it adds no other entries.
    subject = ContentType.objects.get_for_model(AuditArchive)
    return AuditEntry.objects.log_create(subject, force_log=True, action=AuditEntry.Action.UPDATE,
                                         changes={"note": [None, text]}, timestamp=when)


@pytest.fixture
def history(db):
    """Two entries from before the 2024 国庆 holiday, one from 2025-10-09 (after 国庆 2025) and one of 2026-10-09,
    the first working day after the 2026 国庆 holiday (10-01..10-08)."""
    return [
        old_entry(dt.datetime(2024, 9, 29, 9, 0, tzinfo=SHANGHAI), "一"),
        old_entry(dt.datetime(2024, 9, 30, 17, 30, tzinfo=SHANGHAI), "二"),
        old_entry(dt.datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI), "三"),
        old_entry(dt.datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI), "四"),
    ]


def test_retention_is_a_year_by_default_and_never_below_180_days(settings):
    assert auditarchive.retention_days() == 365
    settings.AUDIT_RETENTION_DAYS = 30
    assert auditarchive.retention_days() == 180
    settings.AUDIT_RETENTION_DAYS = 730
    assert auditarchive.retention_days() == 730


def test_archiving_writes_verifiable_files_and_the_chain_continues(history, tmp_path):
    now = dt.datetime(2025, 10, 10, 10, 0, tzinfo=SHANGHAI)  # a year back: before 2024-10-10
    record = auditarchive.archive(now=now, directory=tmp_path)
    assert (record.first_id, record.last_id, record.count) == (history[0].pk, history[1].pk, 2)
    assert record.prev_hash == auditchain.GENESIS and record.head_hash == history[1].entry_hash
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True))[:2] == [history[2].pk, history[3].pk]
    # The archive run is itself in the log, chained like any entry.
    run = AuditEntry.objects.get(workflow_action="archive")
    assert run.content_type.model == "auditarchive" and "归档 2 条" in run.additional_data["comment"]
    lines = [json.loads(line) for line in (tmp_path / record.file_name).read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [history[0].pk, history[1].pk]
    assert lines[0]["row"]["changes"] == {"note": [None, "一"]}
    assert auditarchive.verify_file(tmp_path / record.file_name).ok
    assert auditarchive.verify_chain().ok

    # Nothing more is old enough a day later; a year on, the next archive chains to the first.
    assert auditarchive.archive(now=now + dt.timedelta(days=1), directory=tmp_path) is None
    second = auditarchive.archive(now=dt.datetime(2026, 10, 10, tzinfo=SHANGHAI), directory=tmp_path)
    assert second.prev_hash == record.head_hash and second.count == 1
    assert auditarchive.verify_file(tmp_path / second.file_name).ok
    assert auditarchive.verify_chain().ok
    call_command("verify_audit", archive=[str(tmp_path / record.file_name), str(tmp_path / second.file_name)])


def test_a_changed_archive_file_fails_verification(history, tmp_path):
    record = auditarchive.archive(now=dt.datetime(2025, 10, 10, tzinfo=SHANGHAI), directory=tmp_path)
    path = tmp_path / record.file_name
    path.write_text(path.read_text(encoding="utf-8").replace('"一"', '"壹"'), encoding="utf-8")
    verdict = auditarchive.verify_file(path)
    assert not verdict.ok and "摘要" in verdict.problem.message


def test_archive_records_cannot_be_edited_or_removed(history, tmp_path):
    record = auditarchive.archive(now=dt.datetime(2025, 10, 10, tzinfo=SHANGHAI), directory=tmp_path)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditArchive.objects.filter(pk=record.pk).update(head_hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic(), auditchain.guard_lifted(connection, "archive"):
        AuditArchive.objects.filter(pk=record.pk).delete()
    assert AuditArchive.objects.get(pk=record.pk).head_hash == history[1].entry_hash


def test_removing_an_archived_range_without_its_record_is_detected(history, tmp_path):
    # Someone deletes old entries through the archive switch but writes no archive: the chain says so.
    with transaction.atomic(), auditchain.guard_lifted(connection, "archive"):
        AuditEntry.objects.filter(pk=history[0].pk).delete()
    verdict = auditarchive.verify_chain()
    assert not verdict.ok and verdict.problem.entry_id == history[1].pk


def test_the_archive_command_says_when_nothing_is_old_enough(db, capsys, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    call_command("archive_audit")
    assert "无需归档" in capsys.readouterr().out
    assert not list(tmp_path.iterdir())
