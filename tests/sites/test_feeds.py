"""Feed polling against a local web server: entries become updates once; a bad feed stops nothing."""
import datetime as dt

import pytest

from accounts.models import Account, AccountUpdate
from sites.feeds import poll_feeds
from sites.models import ColumnUpdate
from tests.factories import AccountFactory, ColumnFactory, SiteFactory

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>政务动态</title><link>http://example.gov.cn/</link><description>d</description>
<item><title>县政府召开国庆节前安全生产工作会议</title><link>http://example.gov.cn/a/1.html</link>
  <guid>news-1</guid><pubDate>Sun, 29 Sep 2024 02:00:00 GMT</pubDate></item>
<item><title>节后第一个工作日督查</title><link>http://example.gov.cn/a/2.html</link>
  <guid>news-2</guid><pubDate>Tue, 08 Oct 2024 17:00:00 GMT</pubDate></item>
<item><title>没有日期的条目</title><link>http://example.gov.cn/a/3.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>清源发布</title><id>urn:feed</id><updated>2025-02-08T09:00:00+08:00</updated>
<entry><title>春节后首个工作日（调休）</title><id>urn:post:88</id><link href="http://example.gov.cn/p/88"/>
  <updated>2025-02-08T09:00:00+08:00</updated></entry>
</feed>"""


def test_a_columns_rss_becomes_updates_and_a_repoll_adds_nothing(region, web, fast_monitoring):
    column = ColumnFactory(site=SiteFactory(owner=region.county), feed_url=web.route("/rss.xml", RSS, content_type="application/rss+xml"))
    first = poll_feeds(accounts=Account.objects.none())
    assert first == {"feeds": 1, "recorded": 2, "failed": 0}
    updates = ColumnUpdate.objects.filter(column=column).order_by("published_at")
    assert [(u.external_id, u.source) for u in updates] == [("news-1", "feed"), ("news-2", "feed")]
    column.refresh_from_db()
    # 17:00 GMT on 8 October is 01:00 on 9 October in Asia/Shanghai.
    assert column.last_updated_on == dt.date(2024, 10, 9)
    assert poll_feeds(accounts=Account.objects.none())["recorded"] == 0
    assert ColumnUpdate.objects.filter(column=column).count() == 2


def test_an_accounts_atom_feed_is_polled_too(region, web, fast_monitoring):
    account = AccountFactory(name="清源发布", platform="wechat", owner=region.bureau,
                             feed_url=web.route("/atom.xml", ATOM, content_type="application/atom+xml"))
    assert poll_feeds()["recorded"] == 1
    account.refresh_from_db()
    assert account.last_updated_on == dt.date(2025, 2, 8)
    assert AccountUpdate.objects.get(account=account).external_id == "urn:post:88"


def test_one_failing_feed_never_stops_the_others(region, web, fast_monitoring):
    site = SiteFactory(owner=region.county)
    broken = ColumnFactory(site=site, feed_url=web.route("/broken.xml", "server error", status=500))
    hanging = ColumnFactory(site=site, feed_url=web.route("/hang.xml", RSS, delay=5))
    garbage = ColumnFactory(site=site, feed_url=web.route("/garbage.xml", "<html><p>not a feed", content_type="text/html"))
    good = ColumnFactory(site=site, feed_url=web.route("/rss.xml", RSS, content_type="application/rss+xml"))
    summary = poll_feeds(accounts=Account.objects.none())
    assert summary == {"feeds": 4, "recorded": 2, "failed": 3}
    assert ColumnUpdate.objects.filter(column=good).count() == 2
    for column, words in ((broken, "500"), (hanging, "超时"), (garbage, "RSS")):
        column.refresh_from_db()
        assert words in column.feed_error
    # Once the feed works, its error is cleared.
    web.route("/broken.xml", RSS, content_type="application/rss+xml")
    poll_feeds(columns=type(broken).objects.filter(pk=broken.pk), accounts=Account.objects.none())
    broken.refresh_from_db()
    assert broken.feed_error == "" and broken.last_updated_on == dt.date(2024, 10, 9)
