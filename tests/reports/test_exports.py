"""A region's export runs in the worker (through the real broker), shows progress, then offers the download."""
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from openpyxl import load_workbook

from govmedia.celery import app
from reports import tasks  # noqa: F401 - registers the tasks with the in-process worker


@pytest.mark.django_db(transaction=True)
def test_an_export_reports_progress_then_downloads(api, october, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api.as_user(october.region.supervisor)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        started = client.post("/api/v1/reports/exports/", {"kind": "monthly", "period": "2024-10", "format": "xlsx",
                                                           "organisation": october.region.county.pk}, format="json")
        assert started.status_code == 202
        status_url = started.json()["status_url"]
        states = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = client.get(status_url).json()
            states.append(body["state"])
            if body["state"] in ("SUCCESS", "FAILURE"):
                break
            time.sleep(0.2)
    assert body["state"] == "SUCCESS", states
    download = client.get(body["download_url"])
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    names = [row[1] for row in wb["账号"].iter_rows(min_row=2, values_only=True)]
    assert "甲县教育发布" in names
    # Someone else cannot follow the same link.
    other = api.as_user(october.region.outsider)
    assert other.get(status_url).status_code == 404


def test_an_export_of_a_bad_period_or_format_is_400(api, october):
    client = api.as_user(october.region.supervisor)
    bad = client.post("/api/v1/reports/exports/", {"kind": "monthly", "period": "2024-Q4", "format": "xlsx"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()
    bad = client.post("/api/v1/reports/exports/", {"kind": "monthly", "period": "2024-10", "format": "doc"}, format="json")
    assert bad.status_code == 400 and "format" in bad.json()
    out = client.post("/api/v1/reports/exports/", {"kind": "monthly", "period": "2024-10", "format": "xlsx",
                                                  "organisation": october.region.other_county.pk}, format="json")
    assert out.status_code == 404


def test_a_forged_export_token_is_404(api, october):
    assert api.as_user(october.region.supervisor).get("/api/v1/reports/exports/not-a-token/").status_code == 404


def test_the_export_is_queued_under_the_tasks_registered_name():
    # services queues the task by name (tasks imports services, not the reverse): the name must stay the task's.
    from django.conf import settings

    from inspections import tasks as inspection_tasks
    from reports import services

    assert services.EXPORT_TASK == tasks.export_report.name
    # The sweepers run by beat under the names the schedule gives them.
    scheduled = {entry["task"] for entry in settings.GOVMEDIA_SCHEDULE}
    assert {tasks.sweep_exports.name, inspection_tasks.sweep_inspections.name} <= scheduled


@pytest.mark.django_db
def test_the_monthly_run_stores_each_regions_documents(october, settings, tmp_path):
    from reports.periods import parse_month
    from reports.services import store_monthly_documents, stored_path, top_supervised_regions

    settings.MEDIA_ROOT = tmp_path
    regions = top_supervised_regions()
    assert {o.name for o in regions} == {"甲县人民政府", "乙县人民政府"}
    done = store_monthly_documents(parse_month("2024-10"))
    assert len(done) == 2
    xlsx = stored_path("monthly", october.region.county.pk, "2024-10", "xlsx")
    first = load_workbook(io.BytesIO(xlsx.read_bytes()))["账号"]
    again = store_monthly_documents(parse_month("2024-10"))
    assert again == done
    assert [list(r) for r in load_workbook(io.BytesIO(xlsx.read_bytes()))["账号"].iter_rows(values_only=True)] == \
        [list(r) for r in first.iter_rows(values_only=True)]
    assert stored_path("monthly", october.region.county.pk, "2024-10", "pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_beat_generates_last_months_documents_on_the_first(october, settings, tmp_path):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from reports.tasks import generate_monthly_reports

    settings.MEDIA_ROOT = tmp_path
    call_command("setup_schedule", verbosity=0)
    entry = PeriodicTask.objects.get(task="reports.tasks.generate_monthly_reports")
    assert (entry.crontab.day_of_month, entry.crontab.hour, entry.crontab.minute) == ("1", "4", "30")
    done = generate_monthly_reports.apply(kwargs={"period": "2024-10"}).get()
    assert f"2024-10/{october.region.county.pk}" in done
    from reports.services import stored_path

    stored = stored_path("monthly", october.region.county.pk, "2024-10", "pdf")
    assert (tmp_path / stored.name).is_file()  # on disk under MEDIA_ROOT, by a name not derived from the id
    assert not (tmp_path / "reports" / "monthly" / "2024-10" / f"{october.region.county.pk}.pdf").exists()


@pytest.mark.django_db
def test_the_status_shows_progress_from_the_exports_row(api, october, settings, tmp_path, django_capture_on_commit_callbacks):
    from reports import services
    from reports.models import Export, ExportStatus

    settings.MEDIA_ROOT = tmp_path
    client = api.as_user(october.region.supervisor)
    # Queue nothing: the on-commit callback (the real queueing) is captured and not run.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = client.post("/api/v1/reports/exports/", {"kind": "quarterly", "period": "2024-Q4", "format": "json"},
                              format="json").json()
    assert len(callbacks) == 1  # sent only once the row is committed
    token = started["id"]
    task_id = services.read_export_token(token, october.region.supervisor)["t"]
    export = Export.objects.get(pk=task_id)
    assert export.status == ExportStatus.QUEUED and export.user == october.region.supervisor
    assert client.get(started["status_url"]).json()["state"] == "PENDING"
    Export.objects.filter(pk=task_id).update(status=ExportStatus.RUNNING,
                                              progress={"step": 2, "total": 6, "text": "统计网站栏目、可用性与错链"})
    body = client.get(started["status_url"]).json()
    assert body["state"] == "PROGRESS" and body["progress"]["step"] == 2 and body["download_url"] is None
    # The worker's work, done here: the page then shows the stored report.
    Export.objects.filter(pk=task_id).update(status=ExportStatus.QUEUED)
    assert services.export_run(export_id=task_id) == ExportStatus.FINISHED
    assert client.get(started["status_url"]).json()["download_url"]
    from django.test import Client

    browser = Client()
    browser.force_login(october.region.supervisor)
    page = browser.get("/reports/quarterly/", {"quarter": "2024-Q4", "result": token})
    assert page.status_code == 200 and "甲县卫健抖音" in page.content.decode()
    progress_page = browser.get(f"/reports/exports/{token}/")
    assert "下载" in progress_page.content.decode()
    stranger = Client()
    stranger.force_login(october.region.outsider)
    assert stranger.get("/reports/quarterly/", {"quarter": "2024-Q4", "result": token}).status_code == 404
