from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions() -> None:
    """Idle sessions expire on their own; this removes their rows so the table stays small."""
    management.call_command("clearsessions")
