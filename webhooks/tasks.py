"""Celery tasks of the webhooks: thin wrappers over the services, safe to run twice (a delivery is claimed once)."""
import logging

from celery import shared_task

from .services import deliver, sweep

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one delivery: "delivered", "pending" (to be retried), "failed", or "skipped" when the
    row is not due, not pending or gone (another worker has it, or a duplicate message)."""
    delivery = deliver(delivery_id)
    return delivery.status if delivery else "skipped"


@shared_task(ignore_result=True)
def retry_webhook_deliveries() -> int:
    """Every minute: queue the deliveries whose next attempt is due, so that nothing is lost with the broker."""
    queued = sweep()
    if queued:
        log.info("webhooks: queued %s due deliveries", queued)
    return queued
