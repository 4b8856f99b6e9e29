from celery import shared_task

from .services import notify_overdue


@shared_task
def notify_overdue_review_tasks() -> int:
    """Daily: tell deputy heads about review steps past their working-day deadline (once per step)."""
    return notify_overdue()
