"""Homepage probes, availability, the link checker and list-page dates, against real local web servers."""
import datetime as dt
import time

import pytest
from django.utils import timezone

from sites.crawl import crawl_column, find_dates, newest_item
from sites.linkcheck import Limits, check_site_links
from sites.models import BrokenLink, ColumnUpdate, LinkCheck, Probe
from sites.monitoring import probe_sites
from sites.selectors import site_availability
from sites.tasks import probe_sites as probe_sites_task
from tests.factories import ColumnFactory, ProbeFactory, SiteFactory, bulk

pytestmark = pytest.mark.django_db


def test_probes_record_ok_error_and_timeout_without_stopping(region, web, fast_monitoring):
    fine = SiteFactory(owner=region.county, url=web.route("/", "<h1>首页</h1>"))
    broken = SiteFactory(owner=region.county, url=web.route("/500", "oops", status=500))
    hanging = SiteFactory(owner=region.county, url=web.route("/hang", "late", delay=5))
    started = time.monotonic()
    probe_sites()
    assert time.monotonic() - started < 4  # the hanging site costs its limit (1 s here), not its 5 s
    by_site = {p.site_id: p for p in Probe.objects.all()}
    assert by_site[fine.pk].ok and by_site[fine.pk].status_code == 200 and by_site[fine.pk].response_ms is not None
    assert not by_site[broken.pk].ok and by_site[broken.pk].status_code == 500
    assert not by_site[hanging.pk].ok and "超时" in by_site[hanging.pk].error


def test_a_second_run_right_away_probes_nothing_twice(region, web, fast_monitoring):
    SiteFactory(owner=region.county, url=web.route("/", "ok"))
    SiteFactory(owner=region.county, url=web.route("/x", "ok"), status="offline")
    assert probe_sites_task() == 1
    assert probe_sites_task() == 0
    assert Probe.objects.count() == 1


def test_an_unreachable_address_is_a_failed_probe(region, fast_monitoring):
    site = SiteFactory(owner=region.county, url="http://127.0.0.1:9/")  # the discard port: nothing listens
    probe_sites()
    probe = Probe.objects.get(site=site)
    assert not probe.ok and probe.error


def _probes(site, start, per_day, failed_per_day, days=7):
    rows = []
    for day in range(days):
        for i in range(per_day):
            moment = start + dt.timedelta(days=day, minutes=i * (1440 // per_day))
            rows.append({"site": site, "checked_at": moment, "ok": i >= failed_per_day})
    bulk(ProbeFactory, rows)


def test_availability_and_the_unreachable_veto(region):
    as_of = dt.date(2024, 10, 7)
    start = timezone.make_aware(dt.datetime(2024, 10, 1, 0, 0))  # National Day week: monitoring never stops
    down = SiteFactory(owner=region.county)
    fine = SiteFactory(owner=region.county)
    border = SiteFactory(owner=region.county)
    sparse = SiteFactory(owner=region.county)
    _probes(down, start, per_day=24, failed_per_day=2)   # 8.3 % failed
    _probes(fine, start, per_day=24, failed_per_day=1)   # 4.2 % failed
    _probes(border, start, per_day=20, failed_per_day=1)  # exactly 5 %
    _probes(sparse, start, per_day=19, failed_per_day=5)  # too few probes a day to judge
    result = site_availability(type(down).objects.all(), as_of=as_of)
    assert result[down.pk].unreachable and result[down.pk].total == 168
    assert not result[fine.pk].unreachable and result[fine.pk].enough_probes
    assert result[border.pk].unreachable
    assert not result[sparse.pk].unreachable and not result[sparse.pk].enough_probes
    # A week later the window holds none of these probes.
    later = site_availability(type(down).objects.filter(pk=down.pk), as_of=dt.date(2024, 10, 15))
    assert later[down.pk].total == 0 and not later[down.pk].unreachable


def test_availability_through_the_api(api, region):
    site = SiteFactory(owner=region.county)
    ProbeFactory(site=site, checked_at=timezone.now() - dt.timedelta(hours=1), ok=False, error="超时")
    ProbeFactory(site=site, checked_at=timezone.now() - dt.timedelta(hours=2), ok=True, status_code=200)
    client = api.as_user(region.supervisor)
    data = client.get(f"/api/v1/sites/{site.pk}/availability/").data
    assert (data["probes"], data["failed"], data["failed_share"], data["enough_probes"]) == (2, 1, 0.5, False)
    rows = client.get(f"/api/v1/probes/?site={site.pk}&ok=false").data["results"]
    assert [r["error"] for r in rows] == ["超时"]
    assert api.as_user(region.outsider).get(f"/api/v1/sites/{site.pk}/availability/").status_code == 404


def small_site(web, *, image_ok=True):
    web.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    web.route("/", """<html><body><a href="/news/">新闻</a> <a href="/about.html">关于</a>
        <a href="/private/secret.html">内部</a> <a href="mailto:a@b.cn">信箱</a> <img src="/logo.png"></body></html>""")
    web.route("/news/", """<ul><li><a href="/news/1.html">一</a></li><li><a href="/news/gone.html">二</a></li></ul>
        <img src="/img/missing.jpg">""")
    web.route("/news/1.html", "<p>正文</p><a href='/'>首页</a>")
    web.route("/about.html", "<p>关于我们</p>")
    web.route("/logo.png", b"\x89PNG", content_type="image/png")
    if image_ok:
        web.route("/img/missing.jpg", b"\xff\xd8", content_type="image/jpeg")


def test_the_link_checker_finds_broken_links_and_images_and_respects_robots(region, web, fast_monitoring):
    small_site(web, image_ok=False)
    site = SiteFactory(owner=region.county, url=web.url("/"))
    run = check_site_links(site, Limits(delay=0, timeout=1, max_depth=3, max_pages=50, max_links=100, external=False))
    assert run.status == "finished"
    broken = {(b.page_url, b.link_url, b.kind, b.status_code) for b in BrokenLink.objects.filter(site=site)}
    assert broken == {
        (web.url("/news/"), web.url("/news/gone.html"), "link", 404),
        (web.url("/news/"), web.url("/img/missing.jpg"), "image", 404),
    }
    assert not any(hit.startswith("/private/") for hit in web.hits)  # robots.txt said no
    assert run.skipped_by_robots >= 1 and run.pages_checked == 4
    # Each page is fetched once, even though it was also a link to check.
    assert web.hits.count("/news/") == 1


def test_a_fixed_link_is_marked_fixed_and_a_recurring_one_reopens(region, web, fast_monitoring):
    small_site(web, image_ok=False)
    site = SiteFactory(owner=region.county, url=web.url("/"))
    limits = Limits(delay=0, timeout=1, max_depth=3, max_pages=50, max_links=100, external=False)
    check_site_links(site, limits)
    web.route("/img/missing.jpg", b"\xff\xd8", content_type="image/jpeg")
    check_site_links(site, limits)
    image = BrokenLink.objects.get(site=site, kind="image")
    link = BrokenLink.objects.get(site=site, kind="link")
    assert image.fixed_at is not None and link.fixed_at is None
    assert link.last_seen_at > link.first_seen_at
    web.routes.pop("/img/missing.jpg")
    check_site_links(site, limits)
    image.refresh_from_db()
    assert image.fixed_at is None
    assert BrokenLink.objects.filter(site=site).count() == 2
    assert LinkCheck.objects.filter(site=site).count() == 3


def test_the_link_checker_keeps_to_its_limits(region, web, fast_monitoring):
    small_site(web)
    site = SiteFactory(owner=region.county, url=web.url("/"))
    run = check_site_links(site, Limits(delay=0, timeout=1, max_depth=0, max_pages=10, max_links=100, external=False))
    assert run.pages_checked == 1  # depth 0: the homepage only; its links are still checked
    assert "/news/1.html" not in web.hits
    run = check_site_links(site, Limits(delay=0, timeout=1, max_depth=5, max_pages=2, max_links=100, external=False))
    assert run.pages_checked == 2 and run.hit_page_limit


def test_a_site_that_hangs_ends_its_check_quickly(region, web, fast_monitoring):
    web.route("/robots.txt", "", status=404)
    web.route("/", "<a href='/slow.html'>慢</a>")
    web.route("/slow.html", "late", delay=5)
    site = SiteFactory(owner=region.county, url=web.url("/"))
    started = time.monotonic()
    check_site_links(site, Limits(delay=0, timeout=1, max_depth=2, max_pages=5, max_links=10, external=False))
    assert time.monotonic() - started < 4
    assert "超时" in BrokenLink.objects.get(site=site).error


@pytest.mark.parametrize("text, expected", [
    ("发布日期：2024-10-08", dt.date(2024, 10, 8)),
    ("2024年10月8日", dt.date(2024, 10, 8)),
    ("[2024/10/08]", dt.date(2024, 10, 8)),
    ("2024.9.29", dt.date(2024, 9, 29)),
])
def test_dates_in_list_pages(text, expected):
    assert find_dates(text) == [expected]


def test_impossible_dates_are_ignored():
    assert find_dates("编号 2024-13-45 与 20241008") == []


def test_the_newest_item_of_a_list_page():
    html = """<html><head><title>通知公告 2025-01-01</title><script>var d='2031-01-01';</script></head><body>
    <ul class="list">
      <li><a href="/tzgg/3.html" title="关于2025年春节放假安排的通知">关于2025年春节…</a><span>2025年1月24日</span></li>
      <li><a href="/tzgg/2.html">国庆假期值班安排</a><span>2024-09-29</span></li>
      <li><a href="/tzgg/9.html">明年的计划</a><span>2031-01-01</span></li>
    </ul></body></html>"""
    item = newest_item(html, "https://www.example.gov.cn/tzgg/", today=dt.date(2025, 2, 8))
    assert item.on == dt.date(2025, 1, 24)
    assert item.title == "关于2025年春节放假安排的通知"
    assert item.url == "https://www.example.gov.cn/tzgg/3.html"


def test_reading_a_column_page_records_a_crawl_update_once(region, web, fast_monitoring):
    url = web.route("/zwdt/", "<table><tr><td><a href='/zwdt/8.html'>县政府召开常务会议</a></td><td>2024-10-12</td></tr>"
                              "<tr><td><a href='/zwdt/7.html'>国庆假期安全生产检查</a></td><td>2024-10-06</td></tr></table>")
    column = ColumnFactory(site=SiteFactory(owner=region.county), url=url)
    update, created = crawl_column(column, today=dt.date(2024, 10, 14))
    assert created and update.source == "crawl" and update.title == "县政府召开常务会议"
    assert crawl_column(column, today=dt.date(2024, 10, 14))[1] is False
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 12)
    assert ColumnUpdate.objects.filter(column=column).count() == 1


def test_a_column_page_that_fails_is_noted_on_the_column(region, web, fast_monitoring):
    column = ColumnFactory(site=SiteFactory(owner=region.county), url=web.route("/down/", "err", status=500))
    assert crawl_column(column) is None
    column.refresh_from_db()
    assert column.crawl_error == "HTTP 500" and column.last_updated_on is None


def test_the_homepages_newest_date_keeps_homepage_updated_on_current(region, web, fast_monitoring):
    from sites.crawl import crawl_homepage

    url = web.route("/", "<ul><li><a href='/a.html'>要闻</a> 2025-02-08</li><li><a href='/b.html'>旧闻</a> 2025-01-26</li></ul>")
    site = SiteFactory(owner=region.county, url=url)
    assert crawl_homepage(site, today=dt.date(2025, 2, 10)) == dt.date(2025, 2, 8)
    web.route("/", "<ul><li><a href='/b.html'>旧闻</a> 2025-01-26</li></ul>")
    crawl_homepage(site, today=dt.date(2025, 2, 10))
    site.refresh_from_db()
    assert site.homepage_updated_on == dt.date(2025, 2, 8)  # never moves back


def test_a_navigation_homepage_counts_its_columns_updates(region):
    from sites.crawl import crawl_homepage

    site = SiteFactory(owner=region.county, url="http://127.0.0.1:9/", homepage_is_navigation=True)
    column = ColumnFactory(site=site)
    column_add_update_at(column, dt.datetime(2024, 10, 12, 10))
    assert crawl_homepage(site) == dt.date(2024, 10, 12)


def column_add_update_at(column, moment):
    from sites.services import column_add_update

    return column_add_update(column=column, published_at=timezone.make_aware(moment), title="t")
