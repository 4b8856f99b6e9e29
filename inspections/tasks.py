"""Celery tasks: thin wrappers over the services, idempotent (a run is claimed once)."""
import logging

from celery import shared_task

from .services import inspect, inspection_run, local_today

log = logging.getLogger(__name__)


@shared_task
def run_inspection(inspection_id: int) -> str:
    run = inspection_run(inspection_id=inspection_id)
    return run.status


@shared_task
def daily_inspection() -> str:
    """Beat's daily check of everything as of today: findings, their verification, overdue rectification."""
    run = inspect(as_of=local_today())
    log.info("daily inspection %s: %s %s", run.pk, run.status, run.counts)
    return run.status
