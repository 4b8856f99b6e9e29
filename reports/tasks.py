"""Celery tasks of the reports: thin wrappers over services, idempotent (a rerun writes the same files)."""
from celery import shared_task

from reports.periods import last_complete_month, parse_month
from reports.services import run_export, store_monthly_documents


@shared_task(bind=True)
def export_report(self, *, task_id_hint: str, user_id: int, organisation_id: int, kind: str, period: str, fmt: str) -> dict:
    """Build a region's report and write it as a file, reporting progress through the result backend."""
    def progress(step, total, text):
        self.update_state(state="PROGRESS", meta={"step": step, "total": total + 1, "text": text})

    return run_export(task_id=self.request.id or task_id_hint, user_id=user_id, organisation_id=organisation_id,
                      kind=kind, period=period, fmt=fmt, progress=progress)


@shared_task
def generate_monthly_reports(period: str | None = None) -> list[str]:
    """On the first of each month: last month's report of every top supervised region, as stored documents."""
    return store_monthly_documents(parse_month(period) if period else last_complete_month())
