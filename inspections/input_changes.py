"""Which transactions changed what the rules read (PostgreSQL): the proof that lets a rerun skip judging.

A statement-level trigger on every table of our apps (except the run's own outputs and logs, `NOT_INPUTS`) writes
the writing transaction's id into `inspections_inputchange`, once per transaction (a few microseconds per
statement, no row lock shared between writers). While a run judges, its own writes are not logged (`judging`):
they are what a rerun would write again. A run records the snapshot it judged (`pg_current_snapshot()` at its
start) and its own transaction id. A later run of the same scope and date is unchanged exactly when no run of any
scope started after it and the log holds no transaction invisible to that snapshot (everything committed since,
or in flight when it was taken) and nothing else of the run's own transaction (a run inside a caller's
transaction that also wrote). Any write counts, even one that changed nothing: the check only ever errs towards
judging again.

The log is pruned below the xmin of a run's snapshot; the horizon is kept, and a snapshot older than it proves
nothing (the run judges in full). On SQLite there is no log: every run judges.

Tables created later get their trigger after `migrate` (the post_migrate hook in apps.py), so a new model is an
input unless it is named in NOT_INPUTS.
"""
from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

# Tables of our apps whose writes never change a rule's answer: the run's own bookkeeping and logs, deliveries,
# caches, sign-in bookkeeping (a user's last_login, a token's last use) and a scan's progress. A finding written
# by a run is an input too (site scans and the rectification loop write findings), but the run's own
# transaction is excluded by id.
NOT_INPUTS = {
    "inspections_inspection", "inspections_inputchange", "inspections_inputchange_horizon",
    "core_auditentry", "core_auditarchive", "core_idempotencyrecord",
    "notifications_notification", "webhooks_delivery", "webhooks_deliveryattempt",
    "organisations_user", "organisations_apitoken", "organisations_membership",
    "scanning_scan", "scanning_scannedpage", "reports_export",
}
TRIGGER = "inspections_input_change"
# Pruned once the log holds more rows than this (at the end of a run that judged).
PRUNE_AFTER = 10_000

CREATE_SQL = f"""
CREATE TABLE IF NOT EXISTS inspections_inputchange (xid xid8 PRIMARY KEY);
CREATE TABLE IF NOT EXISTS inspections_inputchange_horizon (id int PRIMARY KEY CHECK (id = 1), xid xid8 NOT NULL);
INSERT INTO inspections_inputchange_horizon VALUES (1, '0') ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('inspections.judging', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO inspections_inputchange (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
"""
DROP_SQL = f"""
DROP FUNCTION IF EXISTS {TRIGGER}() CASCADE;
DROP TABLE IF EXISTS inspections_inputchange;
DROP TABLE IF EXISTS inspections_inputchange_horizon;
"""


def available(conn=connection) -> bool:
    return conn.vendor == "postgresql"


def input_tables(conn=connection) -> list[str]:
    """Every table of our apps (those in the project's tree, not installed packages) except NOT_INPUTS."""
    base = Path(settings.BASE_DIR).resolve()
    ours = [c for c in apps.get_app_configs()
            if Path(c.path).resolve().is_relative_to(base) and "site-packages" not in Path(c.path).parts]
    prefixes = tuple(f"{c.label}_" for c in ours)
    return sorted(t for t in conn.introspection.table_names() if t.startswith(prefixes) and t not in NOT_INPUTS)


def install(conn=connection) -> int:
    """Create the log and give every input table its trigger (idempotent); returns the triggers added."""
    if not available(conn):
        return 0
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass('inspections_inputchange') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0  # before migration 0007: the log does not exist yet
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                       [TRIGGER])
        have = {row[0] for row in cursor.fetchall()}
        missing = [t for t in input_tables(conn) if t not in have]
        for table in missing:
            cursor.execute(
                f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
            )
    return len(missing)


def judging(cursor, on: bool) -> None:
    """Stop (or resume) logging this transaction's writes: the run's own findings are no change of its inputs."""
    if available(cursor.db):
        cursor.execute("SELECT set_config('inspections.judging', %s, true)", ["on" if on else "off"])


def current(cursor) -> str:
    """The snapshot this run judges by (taken before its first judging query)."""
    if not available(cursor.db):
        return ""
    cursor.execute("SELECT pg_current_snapshot()::text")
    return cursor.fetchone()[0]


def stamp(cursor, snapshot: str) -> str:
    """What a run stores: its snapshot and its own transaction id ("snapshot|xid")."""
    if not snapshot:
        return ""
    cursor.execute("SELECT pg_current_xact_id()::text")
    return f"{snapshot}|{cursor.fetchone()[0]}"


def unchanged_since(cursor, stored: str) -> bool:
    """Whether no transaction has written an input since the stored run's snapshot was taken, nor its own
    transaction outside its judging."""
    if not stored or not available(cursor.db):
        return False
    snapshot, own = stored.split("|")
    cursor.execute(
        """
        SELECT pg_snapshot_xmin(%(snapshot)s::pg_snapshot) >= h.xid
               AND NOT EXISTS (
                   SELECT 1 FROM inspections_inputchange c
                   WHERE (c.xid >= pg_snapshot_xmin(%(snapshot)s::pg_snapshot)
                          AND NOT pg_visible_in_snapshot(c.xid, %(snapshot)s::pg_snapshot))
                      OR c.xid = %(own)s::xid8)
        FROM inspections_inputchange_horizon h
        """,
        {"snapshot": snapshot, "own": own},
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def prune(cursor, snapshot: str) -> int:
    """Forget the transactions that finished before `snapshot` once the log is long; the horizon moves up."""
    if not snapshot:
        return 0
    cursor.execute("SELECT count(*) > %s FROM inspections_inputchange", [PRUNE_AFTER])
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute("DELETE FROM inspections_inputchange WHERE xid < pg_snapshot_xmin(%s::pg_snapshot)", [snapshot])
    removed = cursor.rowcount
    cursor.execute("UPDATE inspections_inputchange_horizon SET xid = greatest(xid, pg_snapshot_xmin(%s::pg_snapshot))",
                   [snapshot])
    return removed
