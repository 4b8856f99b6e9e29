"""Celery tasks: thin wrappers over the services, idempotent (a run is claimed once)."""
import logging

from celery import shared_task

from .services import inspect, inspection_run, local_today, sweep_inspections as sweep

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


@shared_task
def sweep_inspections() -> dict:
    """Every two minutes: runs a broker outage left `queued` are sent again, runs of a dead worker taken back."""
    result = sweep()
    if any(result.values()):
        log.info("inspection sweep: %s", result)
    return result
