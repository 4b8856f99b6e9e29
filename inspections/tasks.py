"""Celery tasks: thin wrappers over the services, idempotent (a run is claimed once)."""
import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task
def run_inspection(inspection_id: int) -> str:
    from .services import inspection_run

    run = inspection_run(inspection_id=inspection_id)
    return run.status


@shared_task
def daily_inspection() -> str:
    """Beat's daily check of everything as of today: findings, their verification, overdue rectification."""
    from .services import inspect, local_today

    run = inspect(as_of=local_today())
    log.info("daily inspection %s: %s %s", run.pk, run.status, run.counts)
    return run.status
