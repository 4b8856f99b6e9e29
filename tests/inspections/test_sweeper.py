"""Work is never lost to a broker outage (issue 12, item 5): the row is the queue's truth.

A real Redis of the test's own (another port) is stopped mid-run: the API still answers 202 with the run
`queued`, the page says 排队中; once Redis is back, the sweeper sends the run again and a real worker finishes
it. Runs and exports a dead worker left `running` are taken back; one run per region and date at a time."""
import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from govmedia.celery import app
from inspections import services, tasks  # noqa: F401 - tasks: registers the tasks with the in-process worker
from inspections.models import Inspection, InspectionStatus
from reports import services as report_services
from reports import tasks as report_tasks  # noqa: F401
from reports.models import Export, ExportStatus
from tests.factories import SiteFactory

D = dt.date
REQUIRE_SERVICES = os.environ.get("GOVMEDIA_REQUIRE_SERVICES") == "1"


class PrivateRedis:
    """A redis-server of this test's own on a free port, without persistence, that can be stopped and started."""

    def __init__(self, binary: str, folder):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.binary, self.folder, self.process = binary, folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _reset_connections():
    """Celery keeps its broker connections and result backend: drop them so that the new URLs are used."""
    from kombu import pools

    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if REQUIRE_SERVICES:
            pytest.fail("CI requires redis-server for the broker-outage test", pytrace=False)
        pytest.skip("needs the redis-server binary")
    server = PrivateRedis(binary, tmp_path)
    server.start()
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "broker_transport_options")}
    app.conf.update(broker_url=server.url, result_backend=server.url, broker_transport_options={"visibility_timeout": 3600})
    _reset_connections()
    yield server
    server.stop()
    app.conf.update(saved)
    _reset_connections()


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_loses_no_inspection_and_no_export(api, region, private_redis, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api.as_user(region.supervisor)
    private_redis.stop()  # the broker goes away mid-run

    started = time.monotonic()
    response = client.post("/api/v1/inspections/", {"as_of": "2026-10-09"}, format="json")
    assert response.status_code == 202, response.content
    assert time.monotonic() - started < 8  # the request does not hang on the broker (both sends included)
    run = Inspection.objects.get(pk=response.json()["id"])
    assert run.status == InspectionStatus.QUEUED
    export = client.post("/api/v1/reports/exports/", {"kind": "monthly", "period": "2026-09", "format": "json",
                                                      "organisation": region.county.pk}, format="json")
    assert export.status_code == 202 and export.json()["status"] == "queued"
    assert client.get(export.json()["status_url"]).json()["state"] == "PENDING"
    # A link check asked for now is sent robustly too (a lost one is covered by the nightly check of every site).
    site = SiteFactory(owner=region.bureau, supervisor=region.county)
    assert client.post(f"/api/v1/sites/{site.pk}/check-links/").status_code == 202
    page = Client()
    page.force_login(region.member)  # the bureau's editor sees the county's run that judges the bureau
    assert "排队中" in page.get(f"/inspections/{run.pk}/").content.decode()

    # Nothing re-sends before the row is stale; with the broker still down a stale row stays queued.
    assert services.sweep_inspections()["requeued"] == 0
    later = timezone.now() + dt.timedelta(minutes=settings.GOVMEDIA_REQUEUE_MINUTES + 1)
    assert services.sweep_inspections(now=later) == {"requeued": 1, "sent": 0, "reclaimed": 0, "failed": 0}
    Inspection.objects.filter(pk=run.pk).update(queued_at=timezone.now() - dt.timedelta(hours=1))

    private_redis.start()  # back, empty: the first send was lost with the outage
    _reset_connections()
    assert services.sweep_inspections() == {"requeued": 1, "sent": 1, "reclaimed": 0, "failed": 0}
    assert services.sweep_inspections()["requeued"] == 0  # just sent: not again at the next sweep
    assert report_services.sweep_exports(now=later) == {"requeued": 1, "sent": 1, "reclaimed": 0, "failed": 0}
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert _wait_for(lambda: Inspection.objects.get(pk=run.pk).status == InspectionStatus.FINISHED
                         and Export.objects.get().status == ExportStatus.FINISHED)
    run.refresh_from_db()
    assert run.attempts == 1 and run.finished_at is not None
    body = client.get(export.json()["status_url"]).json()
    assert body["state"] == "SUCCESS" and body["download_url"]


@pytest.mark.django_db
def test_the_sweeper_takes_back_the_work_of_a_dead_worker(region, settings, django_capture_on_commit_callbacks):
    run = Inspection.objects.create(as_of=D(2026, 10, 9), organisation=region.county, created_by=region.supervisor)
    # A worker claimed it, then died: the run stays `running` with nobody on it.
    claimed_at = timezone.now() - dt.timedelta(minutes=settings.INSPECTION_LEASE_MINUTES + 5)
    Inspection.objects.filter(pk=run.pk).update(status=InspectionStatus.RUNNING, started_at=claimed_at, attempts=1)
    # Within its lease a running run is left alone.
    assert services.sweep_inspections(now=claimed_at + dt.timedelta(minutes=1))["reclaimed"] == 0
    result = services.sweep_inspections()
    assert result["reclaimed"] == 1 and result["requeued"] == 1
    run.refresh_from_db()
    assert run.status == InspectionStatus.QUEUED and run.started_at is None
    # The task sent again runs it (here, as the worker would); a second delivery does nothing.
    services.inspection_run(inspection_id=run.pk)
    again = services.inspection_run(inspection_id=run.pk)
    assert again.status == InspectionStatus.FINISHED and again.attempts == 2
    # Past the last attempt a stuck run is closed as failed, with the reason, not retried for ever.
    stuck = Inspection.objects.create(as_of=D(2026, 10, 10), organisation=region.county, status=InspectionStatus.RUNNING,
                                      started_at=claimed_at, attempts=settings.QUEUE_MAX_ATTEMPTS)
    assert services.sweep_inspections()["failed"] == 1
    stuck.refresh_from_db()
    assert stuck.status == InspectionStatus.FAILED and "工作进程" in stuck.error


@pytest.mark.django_db
def test_a_late_worker_does_not_overwrite_the_run_taken_back_from_it(region):
    run = Inspection.objects.create(as_of=D(2026, 10, 9), organisation=region.county)
    Inspection.objects.filter(pk=run.pk).update(status=InspectionStatus.RUNNING, attempts=1,
                                                started_at=timezone.now() - dt.timedelta(days=1))
    services.sweep_inspections()
    services.inspection_run(inspection_id=run.pk)  # the new attempt
    fresh = Inspection.objects.get(pk=run.pk)
    assert fresh.status == InspectionStatus.FINISHED and fresh.attempts == 2
    # The old worker's claim (its started_at) no longer matches: what it would write touches nothing.
    assert not Inspection.objects.filter(pk=run.pk, status=InspectionStatus.RUNNING).exists()


@pytest.mark.django_db
def test_an_export_without_progress_past_its_lease_is_taken_back(region, settings):
    from reports.periods import parse_month

    with transaction.atomic():
        report_services.export_start(user=region.supervisor, organisation=region.county, kind="monthly",
                                     period=parse_month("2026-09"), fmt="json")
    export = Export.objects.get()
    old = timezone.now() - dt.timedelta(minutes=settings.EXPORT_LEASE_MINUTES + 1)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, started_at=old, heartbeat_at=old, attempts=1)
    assert report_services.sweep_exports()["reclaimed"] == 1
    assert report_services.export_run(export_id=str(export.pk)) == ExportStatus.FINISHED
    assert report_services.export_run(export_id=str(export.pk)) == ExportStatus.FINISHED  # a second delivery: nothing
    export.refresh_from_db()
    assert export.attempts == 2 and export.progress["text"] == "完成"


@pytest.mark.django_db
def test_one_run_per_region_and_date_at_a_time(api, region):
    client = api.as_user(region.supervisor)
    first = client.post("/api/v1/inspections/", {"as_of": "2026-10-09"}, format="json")
    assert first.status_code == 202
    second = client.post("/api/v1/inspections/", {"as_of": "2026-10-09"}, format="json")
    assert second.status_code == 409
    assert second.json()["inspection"] == first.json()["id"] and "排队中" in second.json()["detail"]
    # Another date, or the same date once the first has finished, is a new run.
    assert client.post("/api/v1/inspections/", {"as_of": "2026-10-10"}, format="json").status_code == 202
    services.inspection_run(inspection_id=first.json()["id"])
    assert client.post("/api/v1/inspections/", {"as_of": "2026-10-09"}, format="json").status_code == 202
    # The database itself refuses a second active run (what decides a race between two requests).
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(as_of=D(2026, 10, 9), organisation=region.county)
    # Whole-deployment runs (no organisation) count as one region too.
    Inspection.objects.create(as_of=D(2026, 10, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(as_of=D(2026, 10, 9))
    # The daily task's in-process run picks up the queued one instead of adding a second.
    whole = services.inspect(as_of=D(2026, 10, 9))
    assert whole.status == InspectionStatus.FINISHED
    assert Inspection.objects.filter(organisation=None, as_of=D(2026, 10, 9)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_create_one_run(api, region):
    from rest_framework.test import APIClient

    from tests.factories import token_for

    token = token_for(region.supervisor)
    barrier = threading.Barrier(4)
    codes = []

    def request():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            codes.append(client.post("/api/v1/inspections/", {"as_of": "2026-10-09"}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [202, 409, 409, 409]
    assert Inspection.objects.filter(as_of=D(2026, 10, 9)).count() == 1
