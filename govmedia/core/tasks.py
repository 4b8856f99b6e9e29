import logging

from celery import shared_task
from django.core import management

from .auditarchive import archive, verify_chain
from .idempotency import purge_expired

logger = logging.getLogger(__name__)


@shared_task
def clear_expired_sessions() -> None:
    """Idle sessions expire on their own; this removes their rows so the table stays small."""
    management.call_command("clearsessions")


@shared_task
def purge_idempotency_records() -> int:
    """Idempotency records older than 24 hours are ignored already; this removes them."""
    return purge_expired()


@shared_task
def archive_audit_log() -> int:
    """Audit entries past AUDIT_RETENTION_DAYS go to files (with the chain head), then leave the table."""
    record = archive()
    return record.count if record else 0


@shared_task
def verify_audit_log() -> dict:
    """Walk the audit chain nightly; a broken chain is logged as an error for the operators' alerting, with the
    head to keep elsewhere (a copy of the head outside the database anchors the chain against its owner)."""
    verdict = verify_chain()
    if not verdict.ok:
        logger.error("审计日志校验失败：%s", verdict.problem)
    else:
        logger.info("审计日志完好：%s 条，链头 %s", verdict.checked, verdict.head)
    return {"ok": verdict.ok, "checked": verdict.checked, "head": verdict.head, "problem": str(verdict.problem or "")}
