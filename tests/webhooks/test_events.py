"""Each event is emitted where it happens: filings, publication, an inspection's findings and end, reports."""
import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import services as inspections
from inspections.models import Finding, FindingStatus
from publishing.models import PostStatus
from publishing.services import post_publish
from reports import services as reports
from reports.periods import parse_month, parse_quarter
from sites.services import column_add_update
from tests.accounts.builders import full_form
from tests.factories import PostFactory
from tests.inspections.conftest import Build, at
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db
D = dt.date


def sent(event):
    return list(Delivery.objects.filter(event=event).order_by("pk"))


def test_filing_submitted_rejected_and_approved(api, region, subscribe, django_capture_on_commit_callbacks):
    subscribe(["filing.submitted", "filing.rejected", "filing.approved"])
    with django_capture_on_commit_callbacks(execute=False):
        filing = api.as_user(region.member).post("/api/v1/filings/", {
            "kind": "open", "event_date": "2024-09-27", "reason": "开设", "form": full_form(region)}, format="json").json()
        assert not Delivery.objects.exists()  # a draft is nobody else's business
        api.as_user(region.member).post(f"/api/v1/filings/{filing['id']}/submit/")
        api.as_user(region.owner).post(f"/api/v1/filings/{filing['id']}/reject/", {"comment": "请补充运维人员"}, format="json")
        api.as_user(region.member).post(f"/api/v1/filings/{filing['id']}/submit/")
        api.as_user(region.owner).post(f"/api/v1/filings/{filing['id']}/approve/", {}, format="json")
        api.as_user(region.supervisor).post(f"/api/v1/filings/{filing['id']}/approve/", {"comment": "准予"}, format="json")
    assert [d.event for d in Delivery.objects.order_by("pk")] == [
        "filing.submitted", "filing.rejected", "filing.submitted", "filing.approved"]
    rejected = sent("filing.rejected")[0].payload
    assert rejected["comment"] == "请补充运维人员" and rejected["stage"] == "owner_principal" and rejected["status"] == "rejected"
    approved = sent("filing.approved")[0]
    assert approved.organisation == region.bureau and approved.payload["comment"] == "准予"
    assert approved.payload["account_status"] == "running" and approved.payload["event_date"] == "2024-09-27"


def test_post_published(region, subscribe, django_capture_on_commit_callbacks):
    subscribe(["post.published"])
    post = PostFactory(organisation=region.bureau, title="秋季开学通知", status=PostStatus.SCHEDULED)
    when = dt.datetime(2024, 9, 1, 8, 0, tzinfo=dt.timezone.utc)
    with django_capture_on_commit_callbacks(execute=False):
        post_publish(post_id=post.pk, now=when)
    [delivery] = sent("post.published")
    assert delivery.occurred_at == when and delivery.organisation == region.bureau
    assert delivery.payload["post"] == post.pk and delivery.payload["title"] == "秋季开学通知"
    assert delivery.payload["published_at"] == "2024-09-01T08:00:00Z"


def test_an_inspection_emits_each_new_and_closed_finding_and_its_end(region, subscribe, django_capture_on_commit_callbacks):
    county = subscribe(["finding.opened", "finding.closed", "inspection.finished"])
    build = Build(region)
    site = build.site()
    stale = build.column(site, category="news", updates=[D(2024, 8, 1)])
    # Run on the day it judges: the rectification period runs from the day a run is made (SPEC "Dates of findings").
    with django_capture_on_commit_callbacks(execute=False), mock.patch("django.utils.timezone.localdate",
                                                                       return_value=D(2024, 10, 8)):
        first = inspections.inspect(as_of=D(2024, 10, 8), organisation=region.county)
    opened = Finding.objects.filter(inspection=first, status=FindingStatus.OPEN)
    assert opened.exists()
    assert sorted(d.payload["finding"] for d in sent("finding.opened")) == sorted(opened.values_list("pk", flat=True))
    one = next(d for d in sent("finding.opened") if d.payload["subject_id"] == stale.pk and d.payload["subject_type"] == "column")
    assert one.payload["rule"] and one.payload["due_on"] == "2024-10-15" and one.organisation == region.bureau
    [finished] = sent("inspection.finished")
    assert finished.webhook == county and finished.payload["status"] == "finished"
    assert finished.payload["counts"]["new"] == first.counts["new"] and finished.organisation == region.county

    column_stale = opened.filter(subject_type="column", subject_id=stale.pk)
    column_add_update(column=stale, published_at=at(D(2024, 10, 8)), title="更新了")
    with django_capture_on_commit_callbacks(execute=False):
        second = inspections.inspect(as_of=D(2024, 10, 9), organisation=region.county)
    closed = {d.payload["finding"] for d in sent("finding.closed")}
    assert set(column_stale.values_list("pk", flat=True)) <= closed
    assert closed == set(Finding.objects.filter(rectified_by=second).values_list("pk", flat=True))
    assert all(d.payload["status"] == "rectified" for d in sent("finding.closed"))


def test_a_deployment_wide_run_tells_every_subscriber_without_the_totals(region, subscribe, django_capture_on_commit_callbacks):
    subscribe(["inspection.finished"])
    subscribe(["inspection.finished"], organisation=region.other_county)
    with django_capture_on_commit_callbacks(execute=False):
        inspections.inspect(as_of=D(2024, 10, 8))
    deliveries = sent("inspection.finished")
    assert len(deliveries) == 2 and all(d.organisation is None and "counts" not in d.payload for d in deliveries)


def test_finding_events_do_not_grow_the_queries_of_a_run(region, subscribe, django_capture_on_commit_callbacks):
    subscribe(["finding.opened", "finding.closed", "inspection.finished"])
    build = Build(region)

    def populate(n):
        site = build.site()
        for _ in range(n):
            build.column(site, category="news", updates=[D(2024, 8, 1)])
            build.account(updates=[D(2024, 8, 1)], platform="other", exemption_reason="测试")

    # As in tests/inspections/test_speed.py, each measured run has the same shape: findings already open that
    # still fire, and new ones.
    with django_capture_on_commit_callbacks(execute=False):
        populate(2)
        inspections.inspect(as_of=D(2024, 10, 8))
        populate(3)
        with CaptureQueriesContext(connection) as small:
            inspections.inspect(as_of=D(2024, 10, 9))
        populate(30)
        with CaptureQueriesContext(connection) as large:
            inspections.inspect(as_of=D(2024, 10, 10))

    def reads(ctx):  # the inserts come in batches as large as the database takes
        return [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    assert Delivery.objects.filter(event="finding.opened").count() > 60
    assert len(reads(large)) <= len(reads(small))


def test_reports_issued(region, subscribe, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    subscribe(["report.issued"])
    with django_capture_on_commit_callbacks(execute=False):
        reports.store_monthly_documents(parse_month("2024-09"), organisations=[region.county])
        reports.bulletin_publish(organisation=region.county, period=parse_quarter("2024-Q3"), user=region.supervisor)
    monthly, bulletin = sent("report.issued")
    assert monthly.payload["kind"] == "monthly" and monthly.payload["period"] == "2024-09"
    assert "月度监测报告" in monthly.payload["title"] and monthly.organisation == region.county
    assert bulletin.payload["kind"] == "quarterly_bulletin" and bulletin.payload["period"] == "2024-Q3"
    assert bulletin.payload["bulletin"] and "通报" in bulletin.payload["title"]


def test_nothing_is_written_when_nobody_subscribes(api, region, django_capture_on_commit_callbacks):
    build = Build(region)
    build.column(build.site(), category="news", updates=[D(2024, 8, 1)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inspections.inspect(as_of=D(2024, 10, 8))
    assert not Delivery.objects.exists() and callbacks == []
