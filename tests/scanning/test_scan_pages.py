"""The scanning pages (Chinese) and the demo government site the application serves for offline scans."""
from __future__ import annotations

import pytest

from inspections.models import Finding, FindingStatus
from organisations.models import OrganisationKind
from publishing.services import word_list_replace
from scanning import demo
from scanning.demo import demo_site_url
from scanning.models import Scan, ScanLimits, ScannedPage, ScanStatus
from scanning.services import SCAN_RULES, scan_site
from sites.demo import PORTAL
from tests.factories import SiteFactory

from .scan_web import FixtureSite

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def scanned(region):
    web = FixtureSite()
    web.route("/", f"<h1>公示</h1><p>领取人身份证号 {ID_NUMBER}，材料为内部资料。</p>")
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("内部资料", "")], actor=region.supervisor)
    site = SiteFactory(name="甲县教育局网站", url=web.url("/"), owner=region.bureau)
    ScanLimits.objects.create(site=site, delay=0, timeout=2, check_outbound=False)
    scan = scan_site(site, full=True)
    yield site, scan, web
    web.stop()


def test_site_scan_page_lists_findings_per_page_with_the_excerpt_highlighted(client, region, scanned):
    site, scan, _web = scanned
    client.force_login(region.supervisor)
    page = client.get(f"/sites/{site.pk}/scans/").content.decode()
    assert "网站扫描：甲县教育局网站" in page and 'id="scan-button"' in page
    assert "<mark>内部资料</mark>" in page and ID_NUMBER not in page
    assert f'href="/scans/{scan.pk}/"' in page
    # The site page links here.
    assert f'href="/sites/{site.pk}/scans/"' in client.get(f"/sites/{site.pk}/").content.decode()

    client.force_login(region.member)
    member_view = client.get(f"/sites/{site.pk}/scans/").content.decode()
    assert "内部资料" in member_view and 'id="scan-button"' not in member_view and "作为误报忽略" not in member_view
    assert client.post(f"/sites/{site.pk}/scans/start/").status_code == 302
    assert Scan.objects.count() == 1  # refused, with a message
    client.force_login(region.outsider)
    assert client.get(f"/sites/{site.pk}/scans/").status_code == 404
    assert client.get(f"/scans/{scan.pk}/").status_code == 404


def test_the_text_as_read_is_shown_masked_and_highlighted(client, region, scanned):
    site, _scan, _web = scanned
    stored = ScannedPage.objects.get(site=site)
    assert ID_NUMBER in stored.text  # the record keeps the evidence as read
    client.force_login(region.member)
    shown = client.get(f"/scans/pages/{stored.pk}/").content.decode()
    assert "读取到的文字" in shown and ID_NUMBER not in shown and "110105********002X" in shown
    assert "<mark>内部资料</mark>" in shown and stored.content_hash in shown
    client.force_login(region.outsider)
    assert client.get(f"/scans/pages/{stored.pk}/").status_code == 404


def test_supervisor_starts_a_scan_and_dismisses_from_the_pages(client, region, scanned, django_capture_on_commit_callbacks):
    site, scan, _web = scanned
    client.force_login(region.supervisor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(f"/sites/{site.pk}/scans/start/", {"full": "on"})
    new = Scan.objects.exclude(pk=scan.pk).get()
    assert answer.status_code == 302 and answer["Location"] == f"/scans/{new.pk}/"
    assert new.status == ScanStatus.QUEUED and new.full and new.created_by == region.supervisor and len(queued) == 1
    running = client.get(f"/scans/{new.pk}/").content.decode()
    assert 'http-equiv="refresh"' in running and "scan-progress" in running
    assert 'http-equiv="refresh"' not in client.get(f"/scans/{scan.pk}/").content.decode()

    finding = Finding.objects.get(rule="content_sensitive")
    refused = client.post(f"/scans/findings/{finding.pk}/dismiss/", {"reason": ""}, follow=True)
    assert "请填写忽略理由" in refused.content.decode()
    client.post(f"/scans/findings/{finding.pk}/dismiss/", {"reason": "演示数据", "next": f"/sites/{site.pk}/scans/"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    assert "演示数据" in client.get(f"/sites/{site.pk}/scans/").content.decode()


def test_the_demo_site_is_served_to_anyone_and_answers_conditional_requests(client, db):
    home = client.get("/demo-site/")
    assert home.status_code == 200 and "网站标识码" in home.content.decode()
    # Its outbound and hidden links go to the same server under its other name: another site, still offline.
    assert 'href="http://localhost/demo-site/out/gone"' in home.content.decode() and "{{OTHER}}" not in home.content.decode()
    assert client.get("/demo-site/", HTTP_IF_NONE_MATCH=home["ETag"]).status_code == 304
    gbk = client.get("/demo-site/news/2.html")
    assert gbk["Content-Type"] == "text/html; charset=gbk" and "绝密".encode("gbk") in gbk.content
    assert client.get("/demo-site/files/roster.pdf")["Content-Type"] == "application/pdf"
    assert client.get("/demo-site/../settings.py").status_code == 404
    assert client.get("/demo-site/out/gone").status_code == 404
    moved = client.get("/demo-site/out/moved", HTTP_HOST="127.0.0.1:8000")
    assert moved.status_code == 302 and moved["Location"] == "http://localhost:8000/demo-site/out/casino.html"


def test_the_demo_address_follows_host_and_port(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert demo_site_url() == "http://127.0.0.1:8000/demo-site/"
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    assert demo_site_url() == "http://127.0.0.1:8123/demo-site/"


def test_scanning_the_demo_site_finds_every_kind(live_server, region):
    """What a newcomer sees after `make run`: the demo site scanned offline shows each kind of finding."""
    region.county.kind = OrganisationKind.GOVERNMENT
    region.county.save()
    for kind, words in {"sensitive": ["绝密", "内部资料"], "advertising": ["限时抢购", "扫码领红包"],
                        "correction": ["截止到"]}.items():
        word_list_replace(organisation=region.county, kind=kind, entries=[(w, "") for w in words], actor=region.supervisor)
    site = SiteFactory(name="演示门户", url=f"{live_server.url}/demo-site/", owner=region.county)
    ScanLimits.objects.create(site=site, delay=0, timeout=5)

    scan = scan_site(site, full=True)

    assert scan.status == ScanStatus.FINISHED, scan.error
    found = Finding.objects.filter(subject_type="site", subject_id=site.pk)
    assert set(found.values_list("rule", flat=True)) == set(SCAN_RULES)
    assert scan.pages == 8  # home, 3 news, notices, 3 attachments
    reasons = set(found.filter(rule="outbound_link_bad").values_list("detail__reason", flat=True))
    assert reasons == {"dead", "redirect", "words"}
    assert found.filter(rule="hidden_link").count() == 6
    pii_pages = set(found.filter(rule="content_pii").values_list("detail__url", flat=True))
    assert {f"{live_server.url}/demo-site/files/{n}" for n in ("roster.pdf", "subsidy.docx", "accounts.xlsx")} <= pii_pages
    # The masked numbers on news/3.html are not personal data.
    assert not found.filter(rule="content_pii", detail__url=f"{live_server.url}/demo-site/news/3.html").exists()
    assert scan_site(site).opened == 0  # a second scan adds nothing


def test_a_scan_finding_is_on_the_units_rectification_pages(client, region, scanned):
    _site, scan, _web = scanned
    finding = Finding.objects.get(rule="content_sensitive")
    client.force_login(region.owner)
    shown = client.get(f"/findings/{finding.pk}/").content.decode()
    assert "命中文字" in shown and "摘录" in shown and f'href="/scans/{scan.pk}/"' in shown
    assert ID_NUMBER not in shown
    assert f'href="/findings/{finding.pk}/"' in client.get("/findings/mine/").content.decode()


def test_the_demo_portal_points_at_the_demo_site(region, monkeypatch):
    monkeypatch.setenv("PORT", "8765")
    monkeypatch.delenv("HOST", raising=False)
    portal = SiteFactory(name=PORTAL, url="https://www.qingyuan.example.gov.cn/", owner=region.county)
    demo.seed_area({"sites": {PORTAL: portal}})
    portal.refresh_from_db()
    assert portal.url == "http://127.0.0.1:8765/demo-site/"
    assert ScanLimits.objects.get(site=portal).delay < 0.5
