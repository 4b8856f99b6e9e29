"""Scanning a site end to end against local fixture websites (real HTTP on 127.0.0.1, nothing mocked): a full
sweep, then incremental scans; GBK pages, attachments, hidden links, bad outbound links, robots.txt, a hanging
server; findings with evidence; a fixed page closes its finding; a rescan adds nothing; a dismissal sticks."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from inspections.models import Finding, FindingStatus
from organisations.models import OrganisationKind, Role
from publishing.services import word_list_replace
from scanning.models import Dismissal, Scan, ScanLimits, ScannedPage, ScanStatus
from scanning.services import finding_dismiss, scan_site
from tests.factories import OrganisationFactory, SiteFactory, person
from webhooks.models import Delivery, Webhook

from .scan_web import FixtureSite, attachment

ID_NUMBER = "11010519491231002X"
CARD = "6222021234567890128"


def homepage(other: FixtureSite) -> str:
    # Links to the other fixture server under the name "localhost": another host and registrable domain.
    away = lambda path: other.url(path, host="localhost")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>甲县教育局</title>
<style>.gone {{ position: absolute; left: -9999px; }}</style></head><body>
<h1>甲县教育局</h1>
<a href="/news/1.html">新闻一</a> <a href="/news/gbk.html">公示</a> <a href="/notice.html">通知</a>
<a href="/private/secret.html">内部</a> <a href="/slow.html">慢页面</a> <a href="/drip.html">滴答页面</a> <a href="/logo.png">图片</a>
<a href="{away('/partner.html')}">友情链接</a> <a href="{away('/dead')}">已停办网站</a>
<a href="{other.url('/moved')}">域名已转让</a>
<div style="display:none"><a href="{away('/casino.html')}">棋牌</a></div>
<p class="gone"><a href="{away('/lottery.html')}">彩票</a></p>
<p>网站标识码：3709000001 鲁ICP备12345678号</p>
</body></html>"""


@pytest.fixture
def web():
    site, other = FixtureSite(), FixtureSite()
    other.route("/partner.html", "<h1>友好单位</h1>")
    other.route("/casino.html", "<h1>棋牌</h1>")
    other.route("/lottery.html", "<h1>彩票</h1>")
    # A link whose domain changed hands: it now sends readers to another registrable domain.
    other.route("/moved", "", status=302, headers={"Location": other.url("/partner.html", host="localhost")})
    site.route("/", homepage(other))
    site.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.route("/news/1.html", "<h1>会议</h1><p>会议材料为内部资料，截止到12月20日报送。联系人手机 13912345678。</p>")
    site.route("/news/gbk.html", ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'></head>"
                                  f"<body><p>补贴公示：张三 身份证号 {ID_NUMBER}，银行卡号 {CARD}；已脱敏 110105********002X。"
                                  "本材料密级：绝密。</p></body></html>").encode("gbk"),
               content_type="text/html")
    site.route("/notice.html", '<a href="/files/roster.pdf">名单</a> <a href="/files/subsidy.docx">明细</a> '
                               '<a href="/files/accounts.xlsx">拨付表</a>')
    site.route("/files/roster.pdf", attachment("roster.pdf"), content_type="application/pdf")
    site.route("/files/subsidy.docx", attachment("subsidy.docx"),
               content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    site.route("/files/accounts.xlsx", attachment("accounts.xlsx"), content_type="application/octet-stream")
    site.route("/private/secret.html", "<p>绝密 内部资料</p>")
    site.route("/slow.html", "", hang=True)
    site.route("/drip.html", "", trickle=True)
    yield site, other
    site.stop()
    other.stop()


@pytest.fixture
def scanned_site(region, web):
    server, _other = web
    region.bureau.kind = OrganisationKind.DEPARTMENT
    region.bureau.save()
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("绝密", ""), ("内部资料", "")],
                      actor=region.supervisor)
    word_list_replace(organisation=region.county, kind="correction", entries=[("截止到", "截至")], actor=region.supervisor)
    site = SiteFactory(name="甲县教育局网站", url=server.url("/"), owner=region.bureau, supervisor=region.county)
    # No pause between requests, and a short timeout so the hanging page costs one second.
    ScanLimits.objects.create(site=site, delay=0, timeout=1, max_depth=3)
    return site


def findings_of(site, **filters):
    return Finding.objects.filter(subject_type="site", subject_id=site.pk, **filters)


def test_full_scan_finds_every_kind_with_evidence(scanned_site, web):
    server, _other = web
    scan = scan_site(scanned_site, full=True)

    assert scan.status == ScanStatus.FINISHED, scan.error
    rules = set(findings_of(scanned_site).values_list("rule", flat=True))
    assert {"content_sensitive", "content_pii", "content_correction", "hidden_link", "outbound_link_bad",
            "site_identity_missing", "site_domain", "site_tls"} <= rules
    # robots.txt kept the scan out of /private/; images are not fetched; the hanging page timed out.
    assert "/private/secret.html" not in server.hits and "/logo.png" not in server.hits
    assert scan.skipped_by_robots >= 1
    slow = ScannedPage.objects.get(site=scanned_site, url=server.url("/slow.html"))
    assert "超时" in slow.error
    # A server that keeps sending a byte now and then is cut off at the timeout too.
    drip = ScannedPage.objects.get(site=scanned_site, url=server.url("/drip.html"))
    assert "超时" in drip.error and not drip.text
    # GBK page read correctly: the sensitive word and both numbers found, the masked number ignored.
    gbk_url = server.url("/news/gbk.html")
    gbk = findings_of(scanned_site, detail__url=gbk_url)
    assert set(gbk.values_list("rule", flat=True)) == {"content_sensitive", "content_pii"}
    pii = list(gbk.filter(rule="content_pii"))
    assert len(pii) == 2
    for finding in pii:
        assert ID_NUMBER not in str(finding.detail) and CARD not in str(finding.detail)  # masked evidence
        assert finding.detail["scan"] == scan.pk and finding.detail["page_hash"]
        assert finding.detail["excerpt"] and "*" in finding.detail["match"]
    page = ScannedPage.objects.get(site=scanned_site, url=gbk_url)
    assert "补贴公示" in page.text and page.kind == "html"
    assert page.content_hash == pii[0].detail["page_hash"]
    # Attachments: PDF, Word and Excel read, personal data found in each.
    for name in ("roster.pdf", "subsidy.docx", "accounts.xlsx"):
        url = server.url(f"/files/{name}")
        assert findings_of(scanned_site, rule="content_pii", detail__url=url).exists(), name
        assert ScannedPage.objects.get(site=scanned_site, url=url).kind == name.rsplit(".", 1)[1]
    # Mobile numbers and corrections are warnings; ID numbers take the rule's severity.
    mobile = findings_of(scanned_site, rule="content_pii", detail__kind="mobile", detail__url=server.url("/news/1.html")).get()
    assert mobile.severity == "warning" and "13912345678" not in mobile.detail["excerpt"]
    assert findings_of(scanned_site, rule="content_correction").get().severity == "warning"
    # Hidden links of two kinds (display:none; off-screen through a <style> rule), both to another host.
    hidden = {f.detail["link"] for f in findings_of(scanned_site, rule="hidden_link")}
    assert any("casino" in link for link in hidden) and any("lottery" in link for link in hidden)
    # Outbound: the dead link and the cross-domain redirect; the working partner link is fine.
    reasons = {f.detail["reason"] for f in findings_of(scanned_site, rule="outbound_link_bad")}
    assert reasons == {"dead", "redirect"}
    missing = set(findings_of(scanned_site, rule="site_identity_missing").values_list("detail__mark", flat=True))
    assert {"police", "party_government", "error_report"} <= missing and "site_code" not in missing
    # One finding per rule, page and match; the scan records what it read.
    assert scan.pages == 9 and scan.checked == 7  # the hanging and the trickling page read nothing
    assert scan.counts["content_pii"] == findings_of(scanned_site, rule="content_pii").count()
    assert scan.opened == findings_of(scanned_site).count()
    # They are ordinary findings: open, on the owner's 整改 list, no inspection run.
    assert not findings_of(scanned_site).exclude(status=FindingStatus.OPEN).exists()
    assert set(findings_of(scanned_site).values_list("organisation", flat=True)) == {scanned_site.owner_id}
    assert not findings_of(scanned_site, inspection__isnull=False).exists()


def test_rescan_of_unchanged_pages_adds_nothing(scanned_site, web):
    server, _other = web
    first = scan_site(scanned_site, full=True)
    before = list(findings_of(scanned_site).order_by("pk").values_list("pk", "status", "detail"))
    hits = len(server.hits)

    second = scan_site(scanned_site)

    assert second.status == ScanStatus.FINISHED
    assert second.opened == 0 and second.closed == 0
    assert second.checked == 0  # every page answered 304 or had the same hash: nothing checked again
    assert list(findings_of(scanned_site).order_by("pk").values_list("pk", "status", "detail")) == before
    assert first.pages == second.pages
    assert len(server.hits) > hits  # it did ask (conditionally)


def test_a_page_fixed_between_two_scans_closes_its_finding(scanned_site, web):
    server, _other = web
    scan_site(scanned_site, full=True)
    url = server.url("/news/1.html")
    finding = findings_of(scanned_site, rule="content_sensitive", detail__url=url).get()

    server.route("/news/1.html", "<h1>会议</h1><p>会议材料已公开，截止到12月20日报送。联系人手机 13912345678。</p>")
    second = scan_site(scanned_site)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED and finding.rectified_on is not None
    assert second.closed == 1 and second.opened == 0 and second.checked == 1
    # What the page still shows stays open.
    assert findings_of(scanned_site, rule="content_correction", detail__url=url, status=FindingStatus.OPEN).exists()
    assert "已公开" in ScannedPage.objects.get(site=scanned_site, url=url).text

    # The word comes back: the same finding opens again (one finding per rule, page and text).
    server.route("/news/1.html", "<p>会议材料为内部资料。截止到12月20日。联系人手机 13912345678。</p>")
    third = scan_site(scanned_site)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and third.opened == 1
    assert findings_of(scanned_site, rule="content_sensitive", detail__url=url).count() == 1


def test_a_dismissed_false_positive_stays_dismissed(scanned_site, region):
    scan_site(scanned_site, full=True)
    finding = findings_of(scanned_site, rule="content_correction").get()

    with pytest.raises(PermissionDenied, match="主管单位"):
        finding_dismiss(finding=finding, user=region.member, reason="不是错误")
    dismissal = finding_dismiss(finding=finding, user=region.supervisor, reason="引用的是原文标题，不是本站表述")

    assert dismissal.reason.startswith("引用") and dismissal.dismissed_by == region.supervisor
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    # A full sweep reads and checks everything again: the dismissed hit is not raised again.
    again = scan_site(scanned_site, full=True)
    assert again.opened == 0
    assert findings_of(scanned_site, rule="content_correction").count() == 1
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    assert Dismissal.objects.count() == 1


def test_a_hanging_or_dead_site_never_stops_the_others(region, web):
    server, _other = web
    hanging = FixtureSite()
    hanging.route("/", "", hang=True)
    try:
        dead = SiteFactory(owner=region.bureau, url="http://127.0.0.1:9/")
        stuck = SiteFactory(owner=region.bureau, url=hanging.url("/"))
        good = SiteFactory(owner=region.bureau, url=server.url("/"))
        for site in (dead, stuck, good):
            ScanLimits.objects.create(site=site, delay=0, timeout=1, max_depth=1)
        results = [scan_site(site, full=True) for site in (dead, stuck, good)]
    finally:
        hanging.stop()
    assert [s.status for s in results] == [ScanStatus.FINISHED] * 3
    assert "超时" in ScannedPage.objects.get(site=stuck).error
    assert ScannedPage.objects.get(site=dead).error.startswith("无法连接")
    assert results[2].pages > 1 and findings_of(good).exists()


def test_scan_finished_is_sent_to_the_owners_webhooks(scanned_site, region):
    Webhook.objects.create(organisation=region.county, url="https://hooks.example.cn/govmedia", secret="s" * 32,
                           events=["scan.finished", "finding.opened"])
    scan = scan_site(scanned_site, full=True)

    finished = Delivery.objects.get(event="scan.finished")
    assert finished.payload["scan"] == scan.pk and finished.payload["status"] == "finished"
    assert finished.payload["counts"] == scan.counts and finished.payload["site"] == scanned_site.pk
    assert finished.organisation_id == scanned_site.owner_id
    assert Delivery.objects.filter(event="finding.opened").count() == scan.opened


def test_a_supervisor_elsewhere_cannot_dismiss(scanned_site, region):
    scan_site(scanned_site, full=True)
    finding = findings_of(scanned_site).first()
    other = person("elsewhere", OrganisationFactory(name="丙县人民政府"), Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        finding_dismiss(finding=finding, user=other, reason="误报")
    assert not Dismissal.objects.exists()
    assert Scan.objects.filter(site=scanned_site).count() == 1


def test_an_outbound_link_removed_from_its_page_closes_its_finding(scanned_site, web):
    server, other = web
    scan_site(scanned_site, full=True)
    dead = findings_of(scanned_site, rule="outbound_link_bad", detail__reason="dead").get()
    redirect = findings_of(scanned_site, rule="outbound_link_bad", detail__reason="redirect").get()

    server.route("/", homepage(other).replace(f'<a href="{other.url("/dead", host="localhost")}">已停办网站</a>', ""))
    second = scan_site(scanned_site)

    dead.refresh_from_db()
    redirect.refresh_from_db()
    assert dead.status == FindingStatus.RECTIFIED and redirect.status == FindingStatus.OPEN
    assert second.closed == 1 and second.opened == 0
