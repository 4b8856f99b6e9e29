"""The supervisor's journey in a real browser: from the site page to its scans, press 扫描, see the findings with
the excerpt highlighted and the text as read, dismiss a false positive. The site is the demo site the application
serves itself (the live server); the queued scan is run here, as the worker would."""
import pytest

from inspections.models import Finding, FindingStatus
from organisations.models import OrganisationKind
from publishing.services import word_list_replace
from scanning.models import Scan, ScanLimits, ScanStatus
from scanning.services import scan_run
from tests.browser_helpers import in_browser
from tests.factories import SiteFactory

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_a_supervisor_scans_the_demo_site_and_dismisses_a_false_positive(region, live_server):
    region.county.kind = OrganisationKind.GOVERNMENT
    region.county.save()
    word_list_replace(organisation=region.county, kind="sensitive", entries=[("绝密", ""), ("内部资料", "")],
                      actor=region.supervisor)
    word_list_replace(organisation=region.county, kind="correction", entries=[("截止到", "截至")], actor=region.supervisor)
    site = SiteFactory(name="演示门户网站", url=f"{live_server.url}/demo-site/", owner=region.county)
    ScanLimits.objects.create(site=site, delay=0, timeout=5)

    def start(page):
        sign_in(page, live_server, region.supervisor)
        page.goto(f"{live_server.url}/sites/{site.pk}/")
        page.get_by_role("link", name="扫描记录与发现的问题").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="网站扫描：演示门户网站").is_visible()
        page.get_by_role("button", name="扫描").click()
        page.wait_for_load_state()
        assert "已开始扫描" in page.content() and page.locator("#scan-progress").is_visible()

    in_browser(start)
    scan = Scan.objects.get(site=site)
    assert scan.status == ScanStatus.QUEUED
    assert scan_run(scan.pk).status == ScanStatus.FINISHED

    def review(page):
        sign_in(page, live_server, region.supervisor)
        page.goto(f"{live_server.url}/scans/{scan.pk}/")
        assert page.locator("#scan-progress").count() == 0
        assert "发布内容含个人信息" in page.locator("#scan-counts").inner_text()
        page.goto(f"{live_server.url}/sites/{site.pk}/scans/")
        marks = page.locator("#findings-by-page mark").all_inner_texts()
        assert "内部资料" in marks and "截止到" in marks
        # The GBK page: the text as read, the ID number masked, the hit highlighted.
        page.get_by_role("link", name="关于发放2026年度种粮补贴的公示").click()
        page.wait_for_load_state()
        text = page.locator("#text-as-read").inner_text()
        assert "补贴" in text and "11010519491231002X" not in text and "110105********002X" in text
        assert page.locator("#text-as-read mark").count() >= 1
        # Dismiss the correction hit as a false positive, with a reason.
        page.goto(f"{live_server.url}/sites/{site.pk}/scans/")
        row = page.locator("tr[data-rule=content_correction]").first
        row.get_by_label("忽略理由").fill("引用上级文件原文")
        row.get_by_role("button", name="作为误报忽略").click()
        page.wait_for_load_state()
        assert "已作为误报忽略" in page.content() and "引用上级文件原文" in page.content()

    in_browser(review)
    assert Finding.objects.get(subject_id=site.pk, rule="content_correction").status == FindingStatus.DISMISSED
