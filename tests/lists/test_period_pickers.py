"""Month and quarter pickers (issue 11 "Lists": the quarter was typed as free text): a month input and a select of
quarters by their Chinese names, the one asked for selected."""
import datetime as dt
import re

import pytest

from reports.templatetags.periods import quarter_choices, quarter_select

pytestmark = pytest.mark.django_db


def test_quarter_choices_run_from_the_current_quarter_back_to_2020():
    choices = quarter_choices(dt.date(2026, 11, 30))
    assert choices[0] == ("2026-Q4", "2026年第四季度")
    assert choices[1] == ("2026-Q3", "2026年第三季度")
    assert choices[-1] == ("2020-Q1", "2020年第一季度")
    assert len(choices) == 7 * 4


def test_the_select_keeps_the_quarter_asked_for():
    html = quarter_select("2024-q4")
    assert re.search(r'<option value="2024-Q4" selected>2024年第四季度</option>', html)
    assert html.count(" selected") == 1 and 'name="quarter"' in html
    assert '<option value="2018-Q1" selected>' in quarter_select("2018-Q1")


def test_report_pages_offer_pickers_not_free_text(client, region):
    client.force_login(region.supervisor)
    index = client.get("/reports/").content.decode()
    assert '<select name="quarter" required>' in index and 'type="month" name="month"' in index
    assert 'placeholder="2024-Q4"' not in index
    page = client.get("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": region.county.pk}).content.decode()
    assert '<option value="2024-Q4" selected>2024年第四季度</option>' in page
    assert 'pattern="\\d{4}-[Qq][1-4]"' not in page
