"""The 自查 prefill never builds a region's report in the request: a unit with nothing under it is computed at
once (one unit's rules); a unit with a region under it reads its issued month, else the worker's report of it,
and the page shows the form at once and follows the build."""
import pytest
from django.core.signals import request_finished, request_started

from reports import figures
from reports.models import Export
from reports.periods import parse_month
from reports.revisions import issue_revision

from .conftest import run_jobs
from .test_monthly_figures import TODAY


@pytest.fixture
def no_region_build(monkeypatch):
    """Fails the test if a report of an organisation with units under it is built while a request is served
    (the worker's runs in the test, between requests, are allowed)."""
    serving = []
    build = figures.ReportBuilder.build

    def guarded(self, *args, **kwargs):
        assert not (serving and self.orgs.exclude(pk=self.organisation.pk).exists()), \
            "a region's report built in the request"
        return build(self, *args, **kwargs)

    def started(**kwargs):
        serving.append(True)

    def finished(**kwargs):
        serving.clear()

    monkeypatch.setattr(figures.ReportBuilder, "build", guarded)
    request_started.connect(started, dispatch_uid="no_region_build_started")
    request_finished.connect(finished, dispatch_uid="no_region_build_finished")
    yield
    request_started.disconnect(dispatch_uid="no_region_build_started")
    request_finished.disconnect(dispatch_uid="no_region_build_finished")


def test_a_unit_without_units_under_it_is_prefilled_at_once(client, october, no_region_build):
    client.force_login(october.region.member)
    page = client.get("/reports/self-inspection/", {"month": "2024-10"})
    assert page.context["form"]["content_weekly__result"].initial == "no"
    assert "系统预填生成中" not in page.content.decode() and not Export.objects.exists()


def test_a_regions_prefill_is_prepared_by_the_worker_while_the_form_is_shown(client, october, no_region_build):
    r = october.region
    client.force_login(r.supervisor)
    params = {"organisation": r.county.pk, "month": "2024-10"}
    first = client.get("/reports/self-inspection/", params)
    html = first.content.decode()
    assert first.status_code == 200 and "系统预填生成中" in html and 'name="live-refresh"' in html
    assert "保存自查结果" in html  # the form can be filled in meanwhile
    assert first.context["form"]["content_weekly__result"].initial is None
    client.get("/reports/self-inspection/", params)
    assert Export.objects.count() == 1  # asking again queues nothing more

    assert run_jobs() == 1
    live = client.get("/reports/self-inspection/", params, HTTP_X_REQUESTED_WITH="live-refresh").content.decode()
    assert "载入预填结果" in live and 'name="live-refresh"' not in live
    page = client.get("/reports/self-inspection/", params)
    form = page.context["form"]
    assert form["content_weekly__result"].initial == "no" and "甲县教育发布" in form["content_weekly__note"].initial
    assert "下属单位政务新媒体（共 3 个）" in page.content.decode()


def test_a_regions_issued_month_prefills_at_once(client, october, no_region_build):
    r = october.region
    issue_revision(r.county, parse_month("2024-10", today=TODAY))  # as on the 1st (outside any request)
    client.force_login(r.supervisor)
    page = client.get("/reports/self-inspection/", {"organisation": r.county.pk, "month": "2024-10"})
    assert page.context["form"]["content_dormant__result"].initial == "no"
    assert not Export.objects.exists()


def test_the_api_keeps_what_was_prefilled_or_nothing_while_it_is_prepared(api, october):
    from reports.selfcheck import INDICATORS

    r = october.region
    answers = {i.code: {"result": "yes", "note": ""} for i in INDICATORS}
    saved = api.as_user(r.supervisor).post("/api/v1/self-inspections/", {
        "organisation": r.county.pk, "month": "2024-10", "answers": answers}, format="json")
    assert saved.status_code == 201 and saved.json()["prefill"] == {}
    bad = api.as_user(r.supervisor).post("/api/v1/self-inspections/", {
        "organisation": r.county.pk, "month": "2024-13", "answers": answers}, format="json")
    assert bad.status_code == 400 and "month" in bad.json()
    assert api.as_user(r.member).post("/api/v1/self-inspections/", {
        "organisation": r.county.pk, "month": "2024-10", "answers": answers}, format="json").status_code == 404


def test_the_printed_form_waits_for_a_regions_prefill_and_never_says_none(client, october, no_region_build):
    """A signed document must not print "共 0 个" while a region's accounts are still being counted: the download
    goes back to the page with a note, and prints once the worker has prepared the prefill."""
    r = october.region
    client.force_login(r.supervisor)
    params = {"organisation": r.county.pk, "month": "2024-10"}
    early = client.get("/reports/self-inspection/print.pdf", params, follow=True)
    assert early.redirect_chain and "系统预填尚在生成" in early.content.decode()
    assert run_jobs() == 1
    ready = client.get("/reports/self-inspection/print.pdf", params)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"


def test_a_failed_prefill_is_prepared_again_after_a_while(client, october, no_region_build):
    import datetime as dt

    from django.utils import timezone

    from reports.models import ExportStatus

    r = october.region
    client.force_login(r.supervisor)
    params = {"organisation": r.county.pk, "month": "2024-10"}
    client.get("/reports/self-inspection/", params)
    Export.objects.update(status=ExportStatus.FAILED, finished_at=timezone.now())
    client.get("/reports/self-inspection/", params)
    assert Export.objects.count() == 1  # not rebuilt on every visit
    Export.objects.update(finished_at=timezone.now() - dt.timedelta(minutes=6))
    client.get("/reports/self-inspection/", params)
    assert Export.objects.filter(status=ExportStatus.QUEUED).count() == 1
