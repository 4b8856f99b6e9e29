"""The schedule and the tasks of site scanning, and the articles an account's feed links to."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from govmedia.celery import app
from inspections.models import Finding, FindingStatus
from publishing.services import word_list_replace
from scanning import tasks
from scanning.models import Scan, ScanLimits, ScannedPage, ScanStatus
from scanning.services import queue_due_scans, scan_account, scan_run
from sites.models import SiteStatus
from tests.factories import AccountFactory, SiteFactory

from .scan_web import FixtureSite

ID_NUMBER = "370102198003151233"


def test_the_scan_tasks_are_registered_and_scheduled_off_peak():
    app.loader.import_default_modules()
    assert {"scanning.tasks.run_scan", "scanning.tasks.scan_due_sites"} <= set(app.tasks)
    entries = [e for e in settings.GOVMEDIA_SCHEDULE if e["task"] == "scanning.tasks.scan_due_sites"]
    assert len(entries) == 2
    weekly, daily = sorted(entries, key=lambda e: e["crontab"]["day_of_week"])
    assert weekly["crontab"]["day_of_week"] == "0" and '"full": true' in weekly["kwargs"]
    assert daily["crontab"]["day_of_week"] == "1-6" and "kwargs" not in daily
    assert all(e["crontab"]["hour"] == "0-5" for e in entries)  # before office hours


def test_each_slot_queues_one_scan_per_due_site(region, django_capture_on_commit_callbacks):
    slots = settings.SCANNING_SLOTS
    sites = [SiteFactory(owner=region.bureau) for _ in range(slots + 2)]
    closed = SiteFactory(owner=region.bureau, status=SiteStatus.OFFLINE)
    opted_out = sites[1]
    ScanLimits.objects.create(site=opted_out, enabled=False)
    busy = sites[0]
    Scan.objects.create(site=busy, status=ScanStatus.RUNNING, started_at=timezone.now())

    slot = busy.pk % slots
    queued = queue_due_scans(slot=slot, slots=slots, full=False)

    due = {s.pk for s in sites if s.pk % slots == slot} - {busy.pk, opted_out.pk}
    assert queued == len(due)
    assert set(Scan.objects.filter(status=ScanStatus.QUEUED).values_list("site", flat=True)) == due
    assert not Scan.objects.filter(site=closed).exists()
    # A second call in the same slot (a task delivered twice) queues nothing more.
    assert queue_due_scans(slot=slot, slots=slots, full=False) == 0


def test_a_scan_lost_by_its_worker_does_not_block_the_site(region):
    site = SiteFactory(owner=region.bureau)
    lost = Scan.objects.create(site=site, status=ScanStatus.RUNNING)
    Scan.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=settings.SCANNING_STALE_HOURS + 1))
    assert queue_due_scans(slot=site.pk % settings.SCANNING_SLOTS, slots=settings.SCANNING_SLOTS, full=True) == 1
    lost.refresh_from_db()
    assert lost.status == ScanStatus.FAILED and "时限" in lost.error
    assert Scan.objects.get(site=site, status=ScanStatus.QUEUED).full


def test_run_scan_claims_a_queued_scan_once(region):
    web = FixtureSite()
    web.route("/", "<p>首页</p>")
    try:
        site = SiteFactory(owner=region.bureau, url=web.url("/"))
        ScanLimits.objects.create(site=site, delay=0, timeout=2, check_outbound=False)
        scan = Scan.objects.create(site=site)
        assert tasks.run_scan(scan.pk) == ScanStatus.FINISHED
        hits = len(web.hits)
        # Delivered again (acks_late): the scan is no longer queued, so nothing runs twice.
        assert scan_run(scan.pk).status == ScanStatus.FINISHED
        assert len(web.hits) == hits
    finally:
        web.stop()


def test_the_articles_an_accounts_feed_links_to_are_checked(region):
    web = FixtureSite()
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>甲县教育发布</title>
<item><title>补贴名单</title><link>{web.url('/a/1.html')}</link><pubDate>Thu, 08 Oct 2026 09:00:00 +0800</pubDate></item>
<item><title>工作动态</title><link>{web.url('/a/2.html')}</link><pubDate>Fri, 09 Oct 2026 09:00:00 +0800</pubDate></item>
</channel></rss>"""
    web.route("/feed.xml", feed, content_type="application/rss+xml")
    web.route("/a/1.html", f"<p>领取人 王五 身份证号 {ID_NUMBER}。</p>")
    web.route("/a/2.html", "<p>本周工作动态，材料为内部资料。</p>")
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("内部资料", "")], actor=region.supervisor)
    try:
        account = AccountFactory(owner=region.bureau, feed_url=web.url("/feed.xml"))
        first = scan_account(account)
        assert first.status == ScanStatus.FINISHED, first.error
        found = Finding.objects.filter(subject_type="account", subject_id=account.pk)
        assert set(found.values_list("rule", flat=True)) == {"content_pii", "content_sensitive"}
        assert ID_NUMBER not in str(list(found.values_list("detail", flat=True)))
        assert ScannedPage.objects.filter(account=account).count() == 2 and first.pages == 2

        # Unchanged articles add nothing; an article corrected closes its finding.
        assert scan_account(account).opened == 0
        web.route("/a/1.html", "<p>领取人 王五 身份证号 370102********1233。</p>")
        third = scan_account(account)
        assert third.closed == 1 and third.checked == 1
        assert found.get(rule="content_pii").status == FindingStatus.RECTIFIED
    finally:
        web.stop()
