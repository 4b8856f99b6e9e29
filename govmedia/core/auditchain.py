"""The audit log's hash chain and its guard in the database (issue 12, "Audit").

Each entry stores `prev_hash` (the previous entry's hash) and `entry_hash` = sha256(prev_hash + canonical
content). Appends are serialised (an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already take the
write lock at BEGIN), so the chain follows the ids. Triggers refuse UPDATE, DELETE and TRUNCATE on the table; the
only way rows leave is the archive (`govmedia.core.auditarchive`), which switches the guard off for its own
transaction and only for entries older than MIN_RETENTION_DAYS. `manage.py verify_audit` walks the chain.

This module imports no model: models.py, the migration and the commands use it.
"""
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db.backends.signals import connection_created

GENESIS = "0" * 64
# The regulation's floor (logs kept at least six months; the setting may raise it, never lower it).
MIN_RETENTION_DAYS = 180
# pg_advisory_xact_lock key for chain appends: any constant, the same in every process.
PG_LOCK_KEY = 0x6A7564697401  # "audit" + 1
GUARD_MESSAGE = "审计日志只能追加，不能修改或删除"

# What the hash covers: every stored column except the id and the two hashes. content_type by id: archives keep
# it too, and a renamed model must not break the chain.
HASHED_FIELDS = (
    "content_type_id", "object_pk", "object_id", "object_repr", "serialized_data", "action", "changes_text",
    "changes", "actor_id", "actor_email", "cid", "remote_addr", "remote_port", "timestamp", "additional_data",
    "organisation_id", "workflow_action",
)
JSON_FIELDS = {"serialized_data", "changes", "additional_data"}


def _json(value):
    # As the database gives it back: tuples become lists, keys strings.
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _address(value):
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.ip_address(str(value).split("/")[0]))
    except ValueError:
        return str(value)


def _moment(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # naive datetimes in the log are UTC (auditlog, SQLite without tz)
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def row_of(entry) -> dict:
    """The canonical content of an entry (a model instance, also a migration's historical one)."""
    row = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if name in JSON_FIELDS:
            value = _json(value)
        elif name == "remote_addr":
            value = _address(value)
        elif name == "timestamp":
            value = _moment(value)
        elif name in ("content_type_id", "object_id", "action", "actor_id", "remote_port", "organisation_id"):
            value = None if value is None else int(value)
        elif name in ("object_pk", "object_repr", "changes_text", "workflow_action", "actor_email", "cid"):
            # Text columns, as the database gives them back (auditlog passes the pk as it is).
            value = None if value is None and name in ("actor_email", "cid") else str(value if value is not None else "")
        row[name] = value
    return row


def entry_hash(prev_hash: str, row: dict) -> str:
    content = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def lock(connection) -> None:
    """Serialise chain appends until the transaction ends (call inside one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK_KEY])


def chain_head(model, using) -> str:
    """The hash the next entry chains to: the last entry's, else the last archive's head, else GENESIS."""
    last = model._base_manager.using(using).order_by("-pk").values_list("entry_hash", flat=True).first()
    if last is not None:
        return last
    archive = apps.get_model("core", "AuditArchive")
    return archive._base_manager.using(using).order_by("-last_id").values_list("head_hash", flat=True).first() or GENESIS


# --- The guard's switch: only our archive (and the test suite's flush) may remove rows ------------------------

@contextlib.contextmanager
def guard_lifted(connection, mode: str):
    """Within the current transaction, let the triggers allow `mode`: "archive" (DELETE of entries older than
    MIN_RETENTION_DAYS) or "flush" (emptying the table; only where settings.AUDIT_ALLOW_FLUSH, i.e. tests)."""
    assert mode in ("archive", "flush")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [f"govmedia.audit_{mode}"])
        # Local to the transaction: if the block fails, its rollback undoes the setting too.
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [f"govmedia.audit_{mode}"])
        return
    connection.govmedia_audit_mode = mode
    try:
        yield
    finally:
        connection.govmedia_audit_mode = ""


def _register_sqlite_function(sender, connection, **kwargs):
    """SQLite triggers ask `govmedia_audit_mode()`; it exists only on our connections, so a change made with any
    other SQLite client fails ("no such function") instead of passing."""
    if connection.vendor != "sqlite":
        return
    connection.govmedia_audit_mode = ""
    connection.connection.create_function("govmedia_audit_mode", 0, lambda: connection.govmedia_audit_mode)


connection_created.connect(_register_sqlite_function, dispatch_uid="govmedia-audit-mode")


PROTECTED_TABLES = ("core_auditentry", "core_auditarchive")

POSTGRES_GUARD = f"""
CREATE OR REPLACE FUNCTION govmedia_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Nested IFs: PL/pgSQL does not promise to skip OLD (unset for TRUNCATE) in an AND.
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'core_auditentry'
       AND coalesce(current_setting('govmedia.audit_archive', true), '') = 'on' THEN
        IF OLD."timestamp" < now() - interval '{MIN_RETENTION_DAYS} days' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP = 'TRUNCATE' AND coalesce(current_setting('govmedia.audit_flush', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{GUARD_MESSAGE}（% %）', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
""" + "".join(f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION govmedia_audit_guard();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION govmedia_audit_guard();
""" for table in PROTECTED_TABLES)

POSTGRES_UNGUARD = "".join(f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
""" for table in PROTECTED_TABLES) + "DROP FUNCTION IF EXISTS govmedia_audit_guard();"

# SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): they compare as text.
_SQLITE_ARCHIVABLE = (
    f"""(govmedia_audit_mode() = 'archive' AND OLD."timestamp" < strftime('%Y-%m-%d %H:%M:%f', 'now', """
    f"""'-{MIN_RETENTION_DAYS} days'))"""
)
SQLITE_GUARD = [
    statement
    for table in PROTECTED_TABLES
    for statement in (
        (f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
         f"BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}（UPDATE {table}）'); END;"),
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"WHEN NOT (govmedia_audit_mode() = 'flush'"
        + (f" OR {_SQLITE_ARCHIVABLE}" if table == "core_auditentry" else "")
        + f") BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}（DELETE {table}）'); END;",
    )
]
SQLITE_UNGUARD = [
    f"DROP TRIGGER IF EXISTS {table}_{kind};" for table in PROTECTED_TABLES for kind in ("no_update", "no_delete")
]
SQLITE_TRIGGERS = {f"{table}_{kind}" for table in PROTECTED_TABLES for kind in ("no_update", "no_delete")}
POSTGRES_TRIGGERS = {f"{table}_{kind}" for table in PROTECTED_TABLES for kind in ("append_only", "no_truncate")}


def install_guard(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_GUARD)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_GUARD:
                cursor.execute(statement)
        else:
            # Only PostgreSQL and SQLite are supported databases (settings); refuse to run unguarded on another.
            raise ImproperlyConfigured(f"审计日志防篡改保护只支持 PostgreSQL 和 SQLite，不支持 {connection.vendor}。")


def remove_guard(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNGUARD)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_UNGUARD:
                cursor.execute(statement)


def missing_guards(connection) -> set[str]:
    """The guard triggers this database lacks (a table rebuilt by a later SQLite migration loses them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
            return POSTGRES_TRIGGERS - {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return SQLITE_TRIGGERS - {row[0] for row in cursor.fetchall()}
