from celery import shared_task
from django.core import management

from .idempotency import purge_expired


@shared_task
def clear_expired_sessions() -> None:
    """Idle sessions expire on their own; this removes their rows so the table stays small."""
    management.call_command("clearsessions")


@shared_task
def purge_idempotency_records() -> int:
    """Idempotency records older than 24 hours are ignored already; this removes them."""
    return purge_expired()
