from celery import shared_task


@shared_task
def notify_overdue_review_tasks() -> int:
    """Daily: tell deputy heads about review steps past their working-day deadline (once per step)."""
    from .services import notify_overdue

    return notify_overdue()
