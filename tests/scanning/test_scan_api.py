"""The scanning API (API.md "Site scanning"): who may start a scan, the scans list and its filters, dismissing a
false positive; out of scope is 404, bad input a 400 in Chinese."""
from __future__ import annotations

import datetime as dt

import pytest

from inspections.models import Finding, FindingStatus, Inspection
from publishing.services import word_list_replace
from scanning.models import Scan, ScanLimits, ScanStatus
from scanning.services import scan_site
from tests.factories import SiteFactory

from .scan_web import FixtureSite


@pytest.fixture
def server():
    web = FixtureSite()
    web.route("/", "<p>本页含有内部资料。</p>")
    yield web
    web.stop()


@pytest.fixture
def site(region, server):
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("内部资料", "")], actor=region.supervisor)
    site = SiteFactory(url=server.url("/"), owner=region.bureau)
    ScanLimits.objects.create(site=site, delay=0, timeout=2, check_outbound=False)
    return site


def test_supervisors_start_a_scan_others_cannot(api, region, site):
    answer = api.as_user(region.supervisor).post(f"/api/v1/sites/{site.pk}/scan/", {}, format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json() == {"id": Scan.objects.get().pk, "status": "queued"}

    # One at a time: a second request while it is queued is a conflict.
    again = api.as_user(region.supervisor).post(f"/api/v1/sites/{site.pk}/scan/", {"full": True}, format="json")
    assert again.status_code == 409 and "正在扫描" in again.json()["detail"]

    # The unit itself sees the site but does not start scans; an outsider does not see it at all.
    assert api.as_user(region.owner).post(f"/api/v1/sites/{site.pk}/scan/", {}, format="json").status_code == 403
    assert api.as_user(region.outsider).post(f"/api/v1/sites/{site.pk}/scan/", {}, format="json").status_code == 404
    assert api.as_user(region.supervisor).post("/api/v1/sites/999999/scan/", {}, format="json").status_code == 404
    bad = api.as_user(region.supervisor).post(f"/api/v1/sites/{site.pk}/scan/", {"full": "也许"}, format="json")
    assert bad.status_code == 400
    assert Scan.objects.count() == 1


def test_scans_list_detail_and_filters(api, region, site):
    finished = scan_site(site, full=True)
    queued = Scan.objects.create(site=site, full=True)
    other_site = SiteFactory(owner=region.other_county_bureau, url="http://127.0.0.1:9/")
    Scan.objects.create(site=other_site)

    listed = api.as_user(region.supervisor).get("/api/v1/scans/").json()
    assert {row["id"] for row in listed["results"]} == {finished.pk, queued.pk}
    row = next(r for r in listed["results"] if r["id"] == finished.pk)
    assert row["status"] == "finished" and row["pages"] == 1 and row["counts"]["content_sensitive"] == 1
    assert row["counts"] == finished.counts and row["counts"]["site_tls"] == 1  # plain http: no HTTPS
    assert set(row) >= {"id", "site", "status", "started_at", "finished_at", "pages", "counts", "error"}

    by_status = api.as_user(region.supervisor).get("/api/v1/scans/", {"status": "queued"}).json()
    assert [r["id"] for r in by_status["results"]] == [queued.pk]
    by_site = api.as_user(region.member).get("/api/v1/scans/", {"site": site.pk}).json()
    assert by_site["count"] == 2
    assert api.as_user(region.supervisor).get("/api/v1/scans/", {"status": "离线"}).status_code == 400
    assert api.as_user(region.outsider).get(f"/api/v1/scans/{finished.pk}/").status_code == 404
    detail = api.as_user(region.member).get(f"/api/v1/scans/{finished.pk}/").json()
    assert detail["site"] == site.pk and detail["error"] == ""


def test_findings_carry_the_evidence_and_can_be_dismissed(api, region, site, server):
    scan = scan_site(site, full=True)
    finding = Finding.objects.get(rule="content_sensitive")
    shown = api.as_user(region.member).get(f"/api/v1/findings/{finding.pk}/").json()
    assert shown["detail"]["url"] == server.url("/") and shown["detail"]["scan"] == scan.pk
    assert "内部资料" in shown["detail"]["excerpt"]

    url = f"/api/v1/findings/{finding.pk}/dismiss/"
    assert api.as_user(region.outsider).post(url, {"reason": "误报"}, format="json").status_code == 404
    assert api.as_user(region.owner).post(url, {"reason": "误报"}, format="json").status_code == 403
    empty = api.as_user(region.supervisor).post(url, {"reason": "  "}, format="json")
    assert empty.status_code == 400 and "理由" in str(empty.json())

    done = api.as_user(region.supervisor).post(url, {"reason": "引用上级文件原文"}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["reason"] == "引用上级文件原文" and done.json()["match"] == "内部资料"
    assert api.as_user(region.supervisor).post(url, {"reason": "再次"}, format="json").status_code == 409
    assert api.as_user(region.member).get(f"/api/v1/findings/{finding.pk}/").json()["status"] == "dismissed"

    again = scan_site(site, full=True)
    assert again.opened == 0 and Finding.objects.filter(rule="content_sensitive").count() == 1


def test_only_scan_findings_can_be_dismissed(api, region, site):
    run = Inspection.objects.create(as_of=dt.date(2026, 10, 9), organisation=region.county)
    finding = Finding.objects.create(
        inspection=run, rule="homepage_stale", severity="veto", subject_type="site", subject_id=site.pk,
        organisation=region.bureau, found_on=dt.date(2026, 10, 9), due_on=dt.date(2026, 10, 16),
    )
    answer = api.as_user(region.supervisor).post(f"/api/v1/findings/{finding.pk}/dismiss/", {"reason": "误报"},
                                                  format="json")
    assert answer.status_code == 400 and "网站扫描" in str(answer.json())
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_a_failed_scan_says_why(region, site):
    scan = Scan.objects.create(site=site, status=ScanStatus.RUNNING)
    # An address that cannot even be parsed: the scan ends failed with the reason, it never raises.
    site.url = "http://[::1"
    result = scan_site(site, scan=scan)
    assert result.status == ScanStatus.FAILED and result.finished_at is not None
    assert "ValueError" in result.error
    assert not Scan.objects.filter(status__in=["queued", "running"]).exists()
