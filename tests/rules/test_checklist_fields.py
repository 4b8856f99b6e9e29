"""The checklist page's other thresholds (issue 11): labelled fields filled with the unit's values, in words, never a
raw JSON box; saving them still works and bad input is a 400 with the reason in Chinese beside the field."""
import datetime as dt
import re
from unittest import mock

import pytest

from rules import versions
from rules.models import ChecklistItem, ChecklistVersion

pytestmark = pytest.mark.django_db
FRIDAY = dt.date(2026, 10, 9)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def county(client, region):
    template = ChecklistVersion.objects.get(template=True, region="青岛西海岸新区")
    versions.adopt_template(user=region.supervisor, organisation=region.county, template=template, on=FRIDAY)
    client.force_login(region.supervisor)
    with mock.patch("django.utils.timezone.localdate", return_value=FRIDAY):
        yield region.county


def post(client, county, **fields):
    data = {"action": "item", "organisation": county.pk, "i-enabled": "on"}
    data.update({f"i-{k}": v for k, v in fields.items()})
    return client.post(f"/checklist/?organisation={county.pk}", data)


def test_the_other_thresholds_are_labelled_fields_with_the_units_values(client, county):
    page = client.get("/checklist/", {"organisation": county.pk}).content.decode()
    form = re.search(r'<form method="post" novalidate id="item-form">(.*?)</form>', page, re.S).group(1)
    assert "JSON" not in page and "{&quot;" not in page and '{"' not in form
    assert "<legend>站点无法访问</legend>" in form and "<legend>栏目不更新</legend>" in form
    assert "失败比例达到即否决（%）" in form and re.search(r'name="i-t_site_unreachable_max_failure_share"[^>]*value="5"', form)
    assert "动态要闻栏目更新周期" in form and "动态要闻栏目更新周期的单位" in form
    assert re.search(r'name="i-t_column_stale_periods_news"[^>]*value="14"', form)
    assert re.search(r'<option value="months" selected>个月</option>', form)


def test_saving_column_periods_and_a_share_through_the_fields(client, county):
    periods = {"t_column_stale_periods_" + c: n for c, n in
               {"news": 10, "notice": 6, "policy": 6, "monthly": 1, "quarterly": 3, "annual": 12, "other": 12}.items()}
    units = {"t_column_stale_periods_news_unit": "days", **{
        f"t_column_stale_periods_{c}_unit": "months" for c in ("notice", "policy", "monthly", "quarterly", "annual", "other")}}
    saved = post(client, county, code="column_stale", **periods, **units)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    item = ChecklistItem.objects.get(version__organisation=county, code="column_stale")
    assert item.thresholds["periods"]["news"] == {"days": 10}
    assert item.thresholds["periods"]["notice"] == {"months": 6}
    page = client.get("/checklist/", {"organisation": county.pk}).content.decode()
    assert "动态要闻 10 天" in re.search(r'<tr data-code="column_stale">(.*?)</tr>', page, re.S).group(1)

    tighter = post(client, county, code="site_unreachable", t_site_unreachable_max_failure_share="2.5",
                   t_site_unreachable_window_days="7", t_site_unreachable_min_probes_per_day="24",
                   t_site_unreachable_timeout_seconds="10")
    assert tighter.status_code == 302
    thresholds = ChecklistItem.objects.get(version__organisation=county, code="site_unreachable").thresholds
    assert thresholds["max_failure_share"] == pytest.approx(0.025) and thresholds["min_probes_per_day"] == 24


@pytest.mark.parametrize("fields, message", [
    ({"code": "site_unreachable", "t_site_unreachable_max_failure_share": "abc"}, "输入一个数字"),
    ({"code": "site_unreachable", "t_site_unreachable_max_failure_share": "150"}, "100"),
    ({"code": "site_tls", "t_site_tls_warn_days": "0"}, "1"),
    ({"code": "site_unreachable", "t_site_unreachable_max_failure_share": "50"}, "不能放宽国家单项否决指标"),
])
def test_bad_input_is_a_400_with_the_reason_in_chinese(client, county, fields, message):
    before = list(ChecklistItem.objects.filter(version__organisation=county).values_list("code", "thresholds"))
    refused = post(client, county, **fields)
    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert list(ChecklistItem.objects.filter(version__organisation=county).values_list("code", "thresholds")) == before
