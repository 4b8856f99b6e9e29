"""Long work finishes by itself on the page (issue 11, item 8): the inspection, export and scan pages carry the one
live-refresh include while their work runs, and drop it once it is done. The browser side is
tests/test_progress_browser.py."""
import datetime as dt

import pytest

from inspections import services as inspections
from inspections.models import Inspection
from reports import services as reports

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 10, 9)
LIVE = '<meta name="live-refresh" content="3">'


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


def test_a_queued_inspection_page_follows_the_run_and_a_finished_one_does_not(client, region):
    client.force_login(region.supervisor)
    response = client.post("/inspections/", {"as_of": AS_OF.isoformat(), "organisation": ""}, follow=True)
    run = Inspection.objects.get()
    page = response.content.decode()
    assert run.status == "queued"
    assert LIVE in page and "js/live.js" in page and 'id="inspection-live" data-live' in page
    assert "完成后本页自动显示结果" in page and "刷新本页" not in page
    # Without script the page still moves on by itself.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    inspections.inspection_run(inspection_id=run.pk)
    done = client.get(f"/inspections/{run.pk}/").content.decode()
    assert LIVE not in done and "http-equiv" not in done
    assert "本次新发现的问题" in done and "已完成" in done


def test_the_export_page_follows_the_export_until_its_download_link(api, client, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    started = api.as_user(region.supervisor).post("/api/v1/reports/exports/", {
        "kind": "monthly", "period": "2024-10", "format": "json", "organisation": region.county.pk}, format="json")
    assert started.status_code == 202, started.content
    token = started.json()["id"]
    client.force_login(region.supervisor)
    url = f"/reports/exports/{token}/"
    pending = client.get(url).content.decode()
    assert LIVE in pending and 'id="export-live" data-live' in pending and "<progress" in pending
    reports.export_run(export_id=reports.read_export_token(token, region.supervisor)["t"])
    done = client.get(url).content.decode()
    assert LIVE not in done and "下载" in done
