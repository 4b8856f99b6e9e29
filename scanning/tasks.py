"""Celery tasks of site scanning: thin wrappers, idempotent (a scan is claimed once), one task per site."""
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task
def run_scan(scan_id: int) -> str | None:
    scan = services.scan_run(scan_id)
    return scan.status if scan else None


@shared_task
def scan_due_sites(full: bool = False, slot: int | None = None) -> int:
    """The schedule's half-hourly call between 00:00 and 06:00: queue the sites (and feed accounts) of the
    current slot, so a night's scans spread over the off-peak hours rather than starting at once."""
    slots = settings.SCANNING_SLOTS
    if slot is None:
        now = timezone.localtime()
        slot = (now.hour * 2 + now.minute // 30) % slots
    return services.queue_due_scans(slot=slot, slots=slots, full=full)
