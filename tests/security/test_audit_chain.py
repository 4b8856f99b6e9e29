"""The audit log is append-only in the database and chained by hash; verify_audit finds the first broken entry
(issue 12, "Audit"). These run on SQLite (triggers) and on PostgreSQL (trigger function) alike."""
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from govmedia.core import audit, auditarchive, auditchain
from govmedia.core.models import AuditEntry
from tests.factories import OrganisationFactory


@pytest.fixture
def entries(db):
    """Five entries written the ordinary ways: model changes (auditlog) and a workflow action."""
    unit = OrganisationFactory(name="乙县人民政府")
    unit.short_name = "乙县"
    unit.save()
    unit.contact_phone = "0832-7654321"
    unit.save()
    audit.record_action(unit, "configure", actor=None, comment="设置")
    return list(AuditEntry.objects.order_by("pk"))


def test_each_entry_chains_to_the_one_before(entries):
    assert len(entries) >= 4
    head = auditchain.chain_head(AuditEntry, "default")
    assert entries[0].prev_hash == auditchain.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    for entry in entries:
        assert entry.entry_hash == auditchain.entry_hash(entry.prev_hash, auditchain.row_of(entry))
    assert head == entries[-1].entry_hash
    verdict = auditarchive.verify_chain()
    assert verdict.ok and verdict.checked == len(entries)


def test_verify_audit_command_reports_an_intact_chain(entries, capsys):
    call_command("verify_audit")
    assert f"审计日志完好：{len(entries)} 条" in capsys.readouterr().out


@pytest.mark.parametrize("statement", [
    "UPDATE core_auditentry SET object_repr = 'x'",
    "UPDATE core_auditentry SET actor_id = NULL",
    "DELETE FROM core_auditentry",
])
def test_the_database_refuses_to_change_or_delete_entries(entries, statement):
    with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.count() == len(entries)


def test_the_orm_cannot_change_or_delete_entries_either(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).update(object_repr="改过")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    with pytest.raises(ValueError):
        entries[0].save()
    with pytest.raises(TypeError, match="逐条写入"):  # unchained rows cannot slip in past save()
        AuditEntry.objects.bulk_create([AuditEntry(content_type_id=entries[0].content_type_id, object_repr="x",
                                                   action=AuditEntry.Action.UPDATE)])
    assert AuditEntry.objects.get(pk=entries[0].pk).object_repr == entries[0].object_repr


def test_lifting_the_guard_for_archiving_still_protects_recent_entries(entries):
    # The archive path may remove only entries older than the regulation's 180 days, whatever it is asked.
    with pytest.raises(DatabaseError), transaction.atomic(), auditchain.guard_lifted(connection, "archive"):
        AuditEntry.objects.filter(pk=entries[0].pk).delete()
    assert AuditEntry.objects.filter(pk=entries[0].pk).exists()


def _tamper(sql, params):
    """What someone with the database's owner rights could do: drop the triggers, change a row (all inside the
    test's transaction, rolled back afterwards)."""
    auditchain.remove_guard(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_audit_finds_an_edited_entry(entries):
    victim = entries[2]
    _tamper("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["别的单位", victim.pk])
    auditchain.install_guard(connection)
    verdict = auditarchive.verify_chain()
    assert not verdict.ok and verdict.problem.entry_id == victim.pk and "被改动" in verdict.problem.message
    assert verdict.checked == 2
    with pytest.raises(CommandError, match=f"条目 #{victim.pk}") as failure:
        call_command("verify_audit")
    assert failure.value.returncode != 0


def test_verify_audit_finds_a_removed_entry(entries):
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    auditchain.install_guard(connection)
    verdict = auditarchive.verify_chain()
    assert not verdict.ok and verdict.problem.entry_id == entries[2].pk and "链接断开" in verdict.problem.message


def test_verify_audit_finds_an_edited_hash_chain_that_was_recomputed_partly(entries):
    # Rewriting an entry together with its own hash still breaks the link to the next entry.
    victim = entries[1]
    victim.object_repr = "伪造"
    forged = auditchain.entry_hash(victim.prev_hash, auditchain.row_of(victim))
    _tamper("UPDATE core_auditentry SET object_repr = %s, entry_hash = %s WHERE id = %s", ["伪造", forged, victim.pk])
    auditchain.install_guard(connection)
    verdict = auditarchive.verify_chain()
    assert not verdict.ok and verdict.problem.entry_id == entries[2].pk


def test_verify_audit_fails_when_the_triggers_are_gone(entries):
    auditchain.remove_guard(connection)
    verdict = auditarchive.verify_chain()
    assert not verdict.ok and "触发器" in verdict.problem.message
    with pytest.raises(CommandError, match="触发器"):
        call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_truncate():
    # Committed entries (inside one test transaction PostgreSQL would refuse TRUNCATE for pending FK checks).
    audit.record_security_event("login_failed", detail={"username": "nobody"})
    kept = AuditEntry.objects.count()  # earlier transactional tests' entries may remain: the log cannot be emptied
    with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditentry")
    assert AuditEntry.objects.count() == kept >= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Six connections append at once (each in its own transaction, as requests do): the advisory lock keeps the
    chain in id order. Afterwards the suite's flush empties the table through the test-only switch."""
    import threading

    from django.db import connections

    from organisations.models import User

    user = User.objects.create_user("concurrent")
    failures = []

    def append(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    audit.record_security_event("file_download", actor=user, detail={"worker": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures
    verdict = auditarchive.verify_chain()
    assert verdict.ok and verdict.checked == AuditEntry.objects.count() >= 60


def test_flush_outside_the_test_settings_cannot_empty_the_log(entries, settings):
    settings.AUDIT_ALLOW_FLUSH = False
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == len(entries)
