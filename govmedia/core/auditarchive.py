"""Verifying the audit chain, and archiving entries past their retention to files (issue 12, "Audit").

Entries are kept AUDIT_RETENTION_DAYS (at least 180, by default 365), then written to a JSON-lines file with
their hashes plus a head file, and only then removed, through the one path the database triggers allow
(auditchain.guard_lifted "archive"). Every archive run is itself an audit entry, and the first entry left in the
table chains to the archive's head, so the chain verifies across archives.
"""
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from . import audit, auditchain
from .models import AuditArchive, AuditEntry


@dataclass
class Problem:
    entry_id: int | None
    message: str

    def __str__(self):
        return f"条目 #{self.entry_id}：{self.message}" if self.entry_id is not None else self.message


@dataclass
class Verdict:
    checked: int
    head: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def retention_days() -> int:
    return max(auditchain.MIN_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", 365)))


def _anchor(using) -> tuple[str, Problem | None]:
    """Where the table's chain must start: the last archive's head (GENESIS without archives); the archives must
    chain to each other too."""
    head = auditchain.GENESIS
    for archive in AuditArchive.objects.using(using).order_by("last_id"):
        if archive.prev_hash != head:
            return head, Problem(None, f"归档 #{archive.first_id}–#{archive.last_id} 与前一次归档的链头不符")
        head = archive.head_hash
    return head, None


def verify_chain(using: str = "default") -> Verdict:
    """Walk the table in id order and report the first entry whose hash or link is wrong."""
    connection = connections[using]
    missing = auditchain.missing_guards(connection)
    if missing:
        return Verdict(0, "", Problem(None, f"数据库缺少审计日志保护触发器：{', '.join(sorted(missing))}"))
    head, problem = _anchor(using)
    if problem:
        return Verdict(0, head, problem)
    checked = 0
    for entry in AuditEntry.objects.using(using).order_by("pk").iterator(chunk_size=2000):
        if entry.prev_hash != head:
            return Verdict(checked, head, Problem(entry.pk, "与前一条的链接断开（其前的条目被删除、插入或改动）"))
        if auditchain.entry_hash(head, auditchain.row_of(entry)) != entry.entry_hash:
            return Verdict(checked, head, Problem(entry.pk, "内容与摘要不符（条目被改动）"))
        head = entry.entry_hash
        checked += 1
    return Verdict(checked, head)


def verify_file(path: Path) -> Verdict:
    """Check an archive file on its own: every line's hash and link, and its head file."""
    path = Path(path)
    head_file = path.with_name(path.name.removesuffix(".jsonl") + ".head.json")
    try:
        manifest = json.loads(head_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Verdict(0, "", Problem(None, f"找不到或无法读取链头文件 {head_file.name}"))
    if hashlib.sha256(path.read_bytes()).hexdigest() != manifest.get("file_sha256"):
        return Verdict(0, "", Problem(None, "归档文件的摘要与链头文件不符"))
    head, checked = manifest.get("prev_hash", ""), 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["prev_hash"] != head:
                return Verdict(checked, head, Problem(record["id"], "与前一条的链接断开"))
            if auditchain.entry_hash(head, record["row"]) != record["entry_hash"]:
                return Verdict(checked, head, Problem(record["id"], "内容与摘要不符"))
            head = record["entry_hash"]
            checked += 1
    if head != manifest.get("head_hash") or checked != manifest.get("count"):
        return Verdict(checked, head, Problem(None, "归档文件的链头或条数与链头文件不符"))
    return Verdict(checked, head)


def archive(*, now: dt.datetime | None = None, directory: Path | None = None, using: str | None = None):
    """Archive the entries older than the retention period (a prefix of the chain, in id order). Returns the
    AuditArchive written, or None when nothing is old enough."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    directory = Path(directory or settings.AUDIT_ARCHIVE_DIR)
    using = using or router.db_for_write(AuditEntry)
    connection = connections[using]
    with transaction.atomic(using=using):
        auditchain.lock(connection)  # no append while the prefix is cut
        entries = AuditEntry.objects.using(using)
        first_kept = entries.filter(timestamp__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
        old = entries.order_by("pk")
        if first_kept is not None:
            old = old.filter(pk__lt=first_kept)
        first = old.first()
        if first is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"audit-{first.pk:012d}-{now:%Y%m%d%H%M%S}"
        path, head_path = directory / f"{stem}.jsonl", directory / f"{stem}.head.json"
        digest, count, head, last_id = hashlib.sha256(), 0, first.prev_hash, first.pk
        with path.open("w", encoding="utf-8") as out:
            for entry in old.iterator(chunk_size=2000):
                line = json.dumps({"id": entry.pk, "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash,
                                   "row": auditchain.row_of(entry)}, ensure_ascii=False, sort_keys=True) + "\n"
                out.write(line)
                digest.update(line.encode("utf-8"))
                count, head, last_id = count + 1, entry.entry_hash, entry.pk
            out.flush()
            os.fsync(out.fileno())
        record = AuditArchive.objects.using(using).create(
            first_id=first.pk, last_id=last_id, count=count, until=cutoff, prev_hash=first.prev_hash,
            head_hash=head, file_name=path.name, file_sha256=digest.hexdigest(),
        )
        head_path.write_text(json.dumps({
            "first_id": first.pk, "last_id": last_id, "count": count, "until": cutoff.isoformat(),
            "prev_hash": first.prev_hash, "head_hash": head, "file": path.name, "file_sha256": digest.hexdigest(),
        }, ensure_ascii=False, indent=1), encoding="utf-8")
        audit.record_action(record, "archive", actor=None, comment=f"归档 {count} 条（#{first.pk}–#{last_id}）至 {path.name}",
                            changes={"head_hash": [None, head]})
        with auditchain.guard_lifted(connection, "archive"):
            deleted, _ = AuditEntry.objects.using(using).filter(pk__gte=first.pk, pk__lte=last_id).delete()
        if deleted != count:
            raise RuntimeError(f"Archived {count} audit entries but removed {deleted}")
    return record
