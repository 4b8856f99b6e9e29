"""Celery tasks of the reports: thin wrappers over services, idempotent (a rerun writes the same files; a job
claims its row, so a second delivery does nothing)."""
from celery import shared_task

from reports.periods import last_complete_month, parse_month
from reports.services import export_run, regenerate_run, store_monthly_documents, sweep_exports as sweep


@shared_task
def export_report(export_id: str) -> str:
    """Run a job of the export's row with progress on it: a report file (xlsx, PDF, the JSON a page or the API
    shows), a bulletin publish or a month issued again."""
    return export_run(export_id=export_id)


@shared_task
def sweep_exports() -> dict:
    """Every two minutes: exports a broker outage left `queued` are sent again, those of a dead worker taken back."""
    return sweep()


@shared_task
def generate_monthly_reports(period: str | None = None) -> list[str]:
    """On the first of each month: last month's report of every top supervised region, as stored documents."""
    return store_monthly_documents(parse_month(period) if period else last_complete_month())


@shared_task
def regenerate_monthly_report(organisation_id: int, period: str, user_id: int | None = None) -> int:
    """A month issued again by the worker (now queued as an export job, `export_report`; kept for messages
    already in the broker); returns the newest revision number."""
    revision, _created = regenerate_run(organisation_id=organisation_id, period=period, user_id=user_id)
    return revision.revision
