"""Publishing the quarterly bulletin through the worker (issue 14: no report is built inside a web request): the
request is refused at once or queued; the page and the API follow the job; the bulletin, its audit entry, the
`report.issued` event and the notices happen exactly once."""
import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from govmedia.celery import app
from govmedia.core.models import AuditEntry
from notifications.models import Notification
from reports import services
from reports.models import Bulletin, Export, ExportStatus
from reports.periods import parse_quarter
from webhooks.models import Delivery, Webhook

from tests.inspections.test_sweeper import private_redis  # noqa: F401 - the broker-outage fixture

from .conftest import run_jobs


@pytest.fixture
def hook(october):
    r = october.region
    return Webhook.objects.create(organisation=r.county, url="https://receiver.example.org/hook", events=["report.issued"],
                                  secret="s" * 32, created_by=r.supervisor)


def ask(api, user, **data):
    return api.as_user(user).post("/api/v1/bulletins/", {"quarter": "2024-Q4", **data}, format="json")


def test_the_api_queues_the_publish_and_the_worker_publishes_once(api, october, hook):
    r = october.region
    client = api.as_user(r.supervisor)
    asked = ask(api, r.supervisor, organisation=r.county.pk, summary="请于 7 日内整改。")
    assert asked.status_code == 202, asked.json()
    body = asked.json()
    assert body["status"] == "queued" and body["title"] == "甲县政府网站与政务新媒体检查情况通报（2024年第四季度）"
    assert client.get(body["status_url"]).json()["state"] == "PENDING"
    assert not Bulletin.objects.exists()  # nothing was built or published in the request
    # Two publishes at once: the second is told one is under way, and nothing more is queued.
    second = ask(api, r.supervisor, organisation=r.county.pk)
    assert second.status_code == 409 and "正在发布" in second.json()["detail"]
    assert Export.objects.count() == 1

    assert run_jobs() == 1
    status = client.get(body["status_url"]).json()
    assert status["state"] == "SUCCESS" and status["bulletin"]
    assert status["page_url"] == f"/reports/bulletins/{status['bulletin']}/"
    bulletin = client.get(status["bulletin_url"]).json()
    assert bulletin["summary"] == "请于 7 日内整改。" and bulletin["data"]["kind"] == "quarterly"
    # Exactly once: the bulletin, its audit entry, the event, the notices.
    assert Bulletin.objects.count() == 1
    assert AuditEntry.objects.filter(workflow_action="publish").count() == 1
    assert Delivery.objects.filter(event="report.issued").count() == 1
    told = Notification.objects.filter(kind="bulletin")
    assert told.count() == told.values("user").distinct().count() > 0
    assert told.first().url == f"/reports/bulletins/{status['bulletin']}/"  # the units can open it
    # A second delivery of the task does nothing; publishing again is refused.
    job = Export.objects.get()
    assert services.export_run(export_id=str(job.pk)) == ExportStatus.FINISHED
    assert Bulletin.objects.count() == 1 and Delivery.objects.filter(event="report.issued").count() == 1
    again = ask(api, r.supervisor, organisation=r.county.pk)
    assert again.status_code == 409 and "已发布" in again.json()["detail"]


def test_refusals_are_said_in_chinese_and_queue_nothing(api, october):
    r = october.region
    member = ask(api, r.member, organisation=r.bureau.pk)
    assert member.status_code == 403 and "主管人员" in member.json()["detail"]
    assert ask(api, r.outsider, organisation=r.county.pk).status_code == 404
    bad = ask(api, r.supervisor, organisation=r.county.pk, quarter="2024-Q9")
    assert bad.status_code == 400 and "quarter" in bad.json()
    unfinished = ask(api, r.supervisor, organisation=r.county.pk, quarter=f"{timezone.localdate().year}-Q4")
    assert unfinished.status_code == 400 and "尚未结束" in str(unfinished.json())
    assert ask(api, r.supervisor, organisation="甲县").status_code == 400
    assert not Export.objects.exists()


def test_a_publish_overtaken_before_it_ran_fails_with_the_reason_on_the_page(api, client, october, hook):
    """Published meanwhile by another way (the demo data publishes directly): the queued job finds it published,
    writes nothing, and the page says why."""
    r = october.region
    assert ask(api, r.supervisor, organisation=r.county.pk).status_code == 202
    services.bulletin_publish(organisation=r.county, period=parse_quarter("2024-Q4"), user=r.supervisor, summary="先发布")
    run_jobs()
    job = Export.objects.get()
    assert job.status == ExportStatus.FAILED and "已发布" in job.progress["refused"]
    assert Bulletin.objects.get().summary == "先发布"
    assert Delivery.objects.filter(event="report.issued").count() == 1
    status = api.as_user(r.supervisor).get(f"/api/v1/reports/exports/{services.job_token(job)}/").json()
    assert status["state"] == "FAILURE" and "不能重复发布" in status["error"]
    Bulletin.objects.all().delete()  # (withdrawn by an administrator) the page offers the form again, with the reason
    client.force_login(r.supervisor)
    page = client.get("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk}).content.decode()
    assert "上次发布未完成" in page and "不能重复发布" in page


def test_a_run_taken_back_by_the_sweeper_publishes_only_once(api, october, hook, settings):
    """A worker that stops reporting loses its claim: the sweeper queues the job again, the new run publishes,
    and the old run, finishing late, writes nothing (its claim no longer matches)."""
    r = october.region
    assert ask(api, r.supervisor, organisation=r.county.pk).status_code == 202
    job = Export.objects.get()
    old = timezone.now() - dt.timedelta(minutes=settings.EXPORT_LEASE_MINUTES + 1)
    Export.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, started_at=old, heartbeat_at=old, attempts=1)
    stale = Export.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, started_at=old)
    assert services.sweep_exports()["reclaimed"] == 1
    assert run_jobs() == 1
    assert Bulletin.objects.count() == 1

    def late_finish():
        if not stale.update(status=ExportStatus.FINISHED):
            raise services.LostClaim()

    Bulletin.objects.all().delete()  # even with the bulletin gone, the late run may not publish a second time
    with pytest.raises(services.LostClaim):
        services.bulletin_publish(organisation=r.county, period=parse_quarter("2024-Q4"), user=r.supervisor,
                                  claim=late_finish)
    assert not Bulletin.objects.exists() and Delivery.objects.filter(event="report.issued").count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_loses_no_publish(api, october, private_redis, settings):
    from tests.inspections.test_sweeper import _reset_connections, _wait_for

    r = october.region
    private_redis.stop()
    asked = ask(api, r.supervisor, organisation=r.county.pk)
    assert asked.status_code == 202  # the row is the truth: queued, the send failed quietly
    later = timezone.now() + dt.timedelta(minutes=settings.GOVMEDIA_REQUEUE_MINUTES + 1)
    private_redis.start()
    _reset_connections()
    assert services.sweep_exports(now=later)["sent"] == 1
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert _wait_for(lambda: Export.objects.get().status == ExportStatus.FINISHED)
    assert Bulletin.objects.count() == 1
    assert api.as_user(r.supervisor).get(asked.json()["status_url"]).json()["bulletin"] == Bulletin.objects.get().pk


def test_the_bulletins_documents_are_kept_when_published_and_served_as_kept(api, client, october, settings, tmp_path):
    """The worker that publishes renders the bulletin's xlsx and PDF once; the page's and the API's downloads
    serve those files (nothing rendered in the request), with the 通报 wording, even after the data changed."""
    from accounts.models import Account

    settings.MEDIA_ROOT = tmp_path
    r = october.region
    assert ask(api, r.supervisor, organisation=r.county.pk, summary="请于 7 日内整改。").status_code == 202
    assert run_jobs() == 1
    bulletin = Bulletin.objects.get()
    kept = {fmt: services.bulletin_document(bulletin, fmt) for fmt in ("xlsx", "pdf")}
    assert all(path.is_file() for path in kept.values())
    stamps = {fmt: path.read_bytes() for fmt, path in kept.items()}
    Account.objects.filter(name="甲县卫健抖音").update(name="改名后的账号")
    client.force_login(r.supervisor)
    page_pdf = client.get(f"/reports/bulletins/{bulletin.pk}.pdf")
    assert b"".join(page_pdf.streaming_content) == stamps["pdf"]
    from_api = api.as_user(r.supervisor).get("/api/v1/reports/quarterly/", {
        "quarter": "2024-Q4", "organisation": r.county.pk, "format": "xlsx"})
    assert from_api.status_code == 200 and b"".join(from_api.streaming_content) == stamps["xlsx"]
    assert "filename*=utf-8''" in from_api["Content-Disposition"]
    assert not Export.objects.exclude(fmt=services.PUBLISH).exists()  # nothing queued: the kept files answered


def test_a_bulletin_withdrawn_and_published_again_has_its_own_documents(api, client, october, settings, tmp_path):
    """Withdrawn by an administrator and published again with other wording: the downloads are the new
    bulletin's, not the withdrawn one's kept files."""
    from tests.reports.test_pdf_report import read

    settings.MEDIA_ROOT = tmp_path
    r = october.region
    services.bulletin_publish(organisation=r.county, period=parse_quarter("2024-Q4"), user=r.supervisor,
                              summary="第一次的通报措辞")
    Bulletin.objects.all().delete()
    assert ask(api, r.supervisor, organisation=r.county.pk, summary="重新发布的通报措辞").status_code == 202
    assert run_jobs() == 1
    client.force_login(r.supervisor)
    pdf = b"".join(client.get(f"/reports/bulletins/{Bulletin.objects.get().pk}.pdf").streaming_content)
    text = "\n".join(read(pdf))
    assert "重新发布的通报措辞" in text and "第一次的通报措辞" not in text
