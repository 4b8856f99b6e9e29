"""A supervisor opens last October's region report, follows a failing account to its finding, and downloads
the spreadsheet and the PDF, which hold the same figures as the page."""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def issue_october(october, settings, tmp_path):
    """What the 1st of November does: October's report issued and its documents stored (no page builds one)."""
    import datetime as dt
    from unittest import mock

    from reports.periods import parse_month
    from reports.services import store_monthly_documents

    settings.MEDIA_ROOT = tmp_path
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2024, 11, 1)):
        store_monthly_documents(parse_month("2024-10", today=dt.date(2024, 11, 1)), [october.region.county])


def test_supervisor_opens_the_monthly_report_and_downloads_it(page, sign_in, live_server, october, settings, tmp_path):
    from pypdf import PdfReader

    issue_october(october, settings, tmp_path)
    sign_in("supervisor", PASSWORD)
    page.get_by_role("link", name="监测报告").first.click()
    page.locator("form[action='/reports/monthly/'] input[name=month]").fill("2024-10")
    page.get_by_role("button", name="查看月报").click()
    assert page.get_by_role("heading", name=re.compile("月度监测报告（2024年10月）")).is_visible()
    # The page lists the failing subjects with their reasons (every subject is in the xlsx, and it says so).
    row = page.locator("#failing tbody tr", has_text="甲县教育发布")
    assert row.get_by_text("账号内容不更新").is_visible()
    # Only the national items apply to this county (no pack adopted): message_late deducts 2 (test_monthly_figures).
    assert row.locator("td").last.inner_text() == "98"
    assert page.get_by_text("见 Excel 文件").first.is_visible()

    page.get_by_text("每月 1 日自动生成的月报").click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="xlsx").first.click()
    assert xlsx_download.value.suggested_filename == "月度监测报告-甲县人民政府-2024年10月.xlsx"
    workbook = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    record = next(dict(zip([c.value for c in workbook["账号"][1]], r)) for r in workbook["账号"].iter_rows(min_row=2, values_only=True)
                  if r[1] == "甲县教育发布")
    assert record["得分"] == 98 and record["结论"] == "不合格"

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="pdf").first.click()
    text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    assert "甲县教育发布" in text and "98" in text

    # Follow the failing account to its finding.
    row.get_by_role("link", name=f"#{october.stale.pk}").click()
    page.wait_for_load_state()
    assert f"/findings/{october.stale.pk}/" in page.url
    assert page.get_by_text("甲县教育发布").first.is_visible()


def supervisor_at(browser, live_server, viewport: dict):
    """A browser context of the given screen size with the county supervisor signed in, and its page."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page


def test_the_dashboard_draws_its_charts_on_a_phone(browser, live_server, october):
    context, page = supervisor_at(browser, live_server, {"width": 390, "height": 844})
    page.wait_for_selector("#chart-accounts svg")
    assert page.locator("#chart-findings svg").count() == 1
    context.close()


def test_a_background_export_shows_progress_then_the_download(page, sign_in, live_server, october, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    from govmedia.celery import app
    from reports import tasks  # noqa: F401 - registered before the worker starts

    issue_october(october, settings, tmp_path)  # the page shows the issued report: only the export runs below
    sign_in("supervisor", PASSWORD)
    page.goto(f"{live_server.url}/reports/monthly/?month=2024-10&organisation={october.region.county.pk}")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.get_by_role("button", name="生成 Excel（全部明细）").click()
        link = page.locator("a.export-download")
        link.wait_for(timeout=60000)
        assert page.locator("#downloads progress").get_attribute("value") == "1"
        with page.expect_download() as download:
            link.click()
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert download.value.suggested_filename == "月度监测报告-甲县人民政府-2024年10月.xlsx"
    assert "甲县教育发布" in [r[1] for r in workbook["账号"].iter_rows(min_row=2, values_only=True)]


def test_a_supervisor_publishes_the_bulletin_and_the_page_follows_it(page, sign_in, live_server, october):
    """The quarter's report is built by the worker while the page shows its progress; publishing is queued too:
    the page says it is under way and then, without a reload, shows the published bulletin."""
    from celery.contrib.testing.worker import start_worker

    from govmedia.celery import app
    from reports import tasks  # noqa: F401 - registered before the worker starts
    from reports.models import Bulletin

    sign_in("supervisor", PASSWORD)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.goto(f"{live_server.url}/reports/quarterly/?quarter=2024-Q4&organisation={october.region.county.pk}")
        page.get_by_text("单位排名").first.wait_for(timeout=60000)  # the report arrived in place of the progress
        page.get_by_label("通报意见与整改要求").fill("请于 7 日内整改。")
        page.get_by_role("button", name="发布通报").click()
        page.get_by_text("正在发布").first.wait_for(timeout=10000)
        page.get_by_role("link", name="查看通报").wait_for(timeout=60000)
    bulletin = Bulletin.objects.get()
    assert bulletin.summary == "请于 7 日内整改。"
    page.get_by_role("link", name="查看通报").click()
    assert page.url.endswith(f"/reports/bulletins/{bulletin.pk}/")
    assert "甲县卫健抖音" in page.content()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_a_regions_self_inspection_shows_the_form_then_offers_the_workers_prefill(browser, live_server, october,
                                                                               viewport):
    """A county's 自查 for October: the form is there at once, its prefill is prepared by the worker (the county
    has units under it); the page follows the job without a reload and then offers the prefill, which fills the
    form. Nothing on a phone is wider than its screen."""
    from celery.contrib.testing.worker import start_worker

    from govmedia.celery import app
    from reports import tasks  # noqa: F401 - registered before the worker starts

    context, page = supervisor_at(browser, live_server, viewport)
    url = f"{live_server.url}/reports/self-inspection/?organisation={october.region.county.pk}&month=2024-10"
    page.goto(url)
    page.get_by_text("系统预填生成中").wait_for()
    page.get_by_role("button", name="保存自查结果").wait_for()  # the form can be filled in meanwhile
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.get_by_role("link", name="载入预填结果").wait_for(timeout=60000)
    assert page.get_by_text("系统预填生成中").count() == 0
    page.get_by_role("link", name="载入预填结果").click()
    page.wait_for_load_state()
    assert "下属单位政务新媒体（共 3 个）" in page.content()
    assert "甲县教育发布" in page.content()
    assert "{#" not in page.inner_text("body") and "prefill" not in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
