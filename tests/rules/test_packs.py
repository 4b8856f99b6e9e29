"""Locality packs and local checklist versions (issue 10, item 2): the five templates as data, adopting one, tightening
an item, refusing to loosen a national veto, and the checklist API, the checklist page and the inspection of the same
day agreeing. Dates around 国庆 2026 (10-01..10-08 off; 09-27 and 10-10 are make-up workdays)."""
import datetime as dt
import re
from unittest import mock

import pytest

from inspections.models import Finding
from inspections.services import inspect
from rules import versions
from rules.definitions import RULES
from rules.models import ChecklistItem, ChecklistVersion
from rules.packs import PACKS, REGIONAL_ONLY
from rules.thresholds import national_version
from tests.inspections.conftest import Build

D = dt.date
FRIDAY = D(2026, 10, 9)  # the first workday after 国庆 2026
API = "/api/v1/checklist-versions/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Signing in with the second factor is tested with the security model; these pages are about the checklist.
    settings.SECOND_FACTOR_REQUIRED = False


def template(region: str) -> ChecklistVersion:
    return ChecklistVersion.objects.get(template=True, region=region)


def today(day):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def run(as_of):
    result = inspect(as_of=as_of)
    assert result.status == "finished", result.error
    assert not result.counts["failed_rules"], result.counts["failed_rules"]
    return result


def test_a_fresh_database_holds_exactly_the_five_templates_each_item_citing_its_article(db):
    templates = ChecklistVersion.objects.filter(template=True)
    assert sorted(templates.values_list("region", flat=True)) == sorted(
        ["青岛西海岸新区", "济南起步区", "安岳县", "通辽市", "烟台市"])
    short = {"青岛西海岸新区": "青岛", "济南起步区": "济南", "安岳县": "安岳", "通辽市": "通辽", "烟台市": "烟台"}
    for version in templates:
        assert version.organisation_id is None and version.base == national_version(FRIDAY)
        items = list(version.items.all())
        assert items and all(item.source.startswith(short[version.region] + " ") for item in items), version.region
        declared = next(p for p in PACKS if p.region == version.region)
        assert sorted(i.code for i in items) == sorted(i.code for i in declared.items)
    codes = {v.region: set(v.items.values_list("code", flat=True)) for v in templates}
    assert "account_weekly" in codes["青岛西海岸新区"] and "account_weekly" in codes["通辽市"]
    assert "account_weekly" not in codes["济南起步区"] and "closure_notice_short" not in codes["安岳县"]
    assert template("青岛西海岸新区").items.get(code="backfill_late").thresholds == {"workdays": 20, "effective_on": "2020-09-10"}
    # Nationally the regional rules are listed (their product default) but not in force.
    national = national_version(FRIDAY)
    assert set(national.items.filter(enabled=False).values_list("code", flat=True)) == set(REGIONAL_ONLY)
    assert "产品默认" in national.items.get(code="message_late").source


def test_done_when_adopt_jinan_tighten_staleness_and_api_page_and_inspection_agree(api, client, region):
    build = Build(region)
    stale = build.account(updates=[D(2026, 9, 28)])  # 11 days before Friday: stale at 10 days, fine at 14
    fresh = build.account(updates=[D(2026, 9, 30)])  # 9 days
    elsewhere = build.account(owner=region.other_county_bureau, updates=[D(2026, 9, 28)])  # national: 14 days
    supervisor = api.as_user(region.supervisor)
    with today(FRIDAY):
        adopted = supervisor.post(API, {"organisation": region.county.pk, "template": template("济南起步区").pk}, format="json")
        assert adopted.status_code == 201, adopted.content
        version = adopted.json()
        assert version["organisation"] == region.county.pk and version["adopted_from"] == template("济南起步区").pk
        assert {i["code"]: i["source"] for i in version["items"]}["error_report_late"] == "济南 §16"
        tightened = supervisor.patch(f"{API}{version['id']}/", {"items": [{"code": "account_stale", "thresholds": {"days": 10}}]},
                                     format="json")
        assert tightened.status_code == 200, tightened.content

        checklist = supervisor.get(f"/api/v1/organisations/{region.bureau.pk}/checklist/", {"on": "2026-10-09"})
        assert checklist.status_code == 200
        items = {i["code"]: i for i in checklist.json()["items"]}
        assert items["account_stale"]["thresholds"] == {"days": 10}
        assert items["account_stale"]["words"] == "10 天内至少更新 1 次"
        assert items["account_stale"]["national_words"] == "14 天内至少更新 1 次"
        assert items["account_stale"]["version"] == version["id"] and items["account_stale"]["source"]
        assert items["error_report_late"]["source"] == "济南 §16"
        assert "account_weekly" not in items and "closure_notice_short" not in items  # 济南 has no such rules
        national_list = supervisor.get(f"/api/v1/organisations/{region.other_county.pk}/checklist/", {"on": "2026-10-09"})
        assert national_list.status_code == 404  # outside the supervisor's scope

        client.force_login(region.supervisor)
        page = client.get("/checklist/", {"organisation": region.bureau.pk}).content.decode()
        row = re.search(r'<tr data-code="account_stale">(.*?)</tr>', page, re.S).group(1)
        assert "10 天内至少更新 1 次" in row and "14 天内至少更新 1 次" in row and "{" not in row

        run(FRIDAY)
        found = Finding.objects.filter(rule="account_stale")
        assert set(found.values_list("subject_id", flat=True)) == {stale.pk}
        finding = found.get()
        assert finding.checklist_version_id == version["id"] and finding.source == items["account_stale"]["source"]
        assert not Finding.objects.filter(rule__in=["account_weekly", "account_original"]).exists()
        shown = supervisor.get(f"/api/v1/findings/{finding.pk}/").json()
        assert shown["source"] == finding.source and shown["checklist_version"] == version["id"]
        assert finding.source in client.get(f"/findings/{finding.pk}/").content.decode()

        # The register's countdown says the same as the inspection of the day.
        rows = {r["id"]: r for r in supervisor.get("/api/v1/accounts/", {"page_size": 100}).json()["results"]}
        assert rows[stale.pk]["days_left"] < 0 <= rows[fresh.pk]["days_left"]
    assert elsewhere.pk not in rows


def test_regional_rules_apply_only_where_the_units_pack_holds_them(region):
    build = Build(region)
    qingdao = build.account(updates=[D(2026, 9, 20)])  # nothing in the week 09-28..10-04, no original for 19 days
    jinan = build.account(owner=region.other_county_bureau, updates=[D(2026, 9, 20)])
    versions.adopt_template(user=region.supervisor, organisation=region.county, template=template("青岛西海岸新区"), on=FRIDAY)
    versions.adopt_template(user=region.outsider, organisation=region.other_county, template=template("济南起步区"), on=FRIDAY)
    run(FRIDAY)
    for code, source in (("account_weekly", "青岛 §10"), ("account_original", "青岛 §11")):
        finding = Finding.objects.get(rule=code)
        assert finding.subject_id == qingdao.pk and finding.source == source
    assert set(Finding.objects.filter(rule="account_stale").values_list("subject_id", flat=True)) == {qingdao.pk, jinan.pk}


@pytest.mark.parametrize(("item", "words"), [
    ({"code": "account_stale", "thresholds": {"days": 60}}, "14 天内至少更新 1 次"),
    ({"code": "account_stale", "enabled": False}, "14 天内至少更新 1 次"),
    ({"code": "account_stale", "severity": "deduction"}, "单项否决"),
    ({"code": "homepage_stale", "thresholds": {"days": 15}}, "首页 14 天内至少更新 1 次"),
    ({"code": "site_columns_veto", "thresholds": {"key_categories": ["news"]}}, "动态要闻、通知公告、政策文件类栏目"),
])
def test_loosening_a_national_veto_is_refused_naming_the_item_and_the_national_value(api, region, item, words):
    with today(FRIDAY):
        refused = api.as_user(region.supervisor).post(API, {"organisation": region.bureau.pk, "items": [item]}, format="json")
    assert refused.status_code == 400
    message = " ".join(refused.json()["items"])
    # The item by its name in the checklist (a code would be read by the office on the page too).
    rule = RULES[item["code"]]
    assert (rule.checklist_name or rule.label) in message and words in message
    assert not ChecklistVersion.objects.filter(organisation=region.bureau).exists()


def test_writing_versions_checks_names_scope_and_role(api, region):
    supervisor = api.as_user(region.supervisor)
    with today(FRIDAY):
        wrong = supervisor.post(API, {"organisation": region.bureau.pk, "items": [{"code": "account_stale", "thresholds": {"day": 7}}]},
                                format="json")
        assert wrong.status_code == 400 and "day" in wrong.json()["items"][0] and "days" in wrong.json()["items"][0]
        unknown = supervisor.post(API, {"organisation": region.bureau.pk, "items": [{"code": "nope"}]}, format="json")
        assert unknown.status_code == 400
        created = supervisor.post(API, {"organisation": region.bureau.pk, "items": [
            {"code": "account_stale", "thresholds": {"days": 7}, "source": "甲县 §3"},
            {"code": "account_weekly", "thresholds": {"updates_per_week": 2}, "source": "甲县 §4"},
        ]}, format="json")
        assert created.status_code == 201, created.content
        again = supervisor.post(API, {"organisation": region.bureau.pk, "template": template("通辽市").pk}, format="json")
        assert again.status_code == 400 and "已有启用的本地版本" in str(again.json())
        assert api.as_user(region.outsider).post(API, {"organisation": region.bureau.pk, "items": []}, format="json").status_code == 404
        assert api.as_user(region.owner).post(API, {"organisation": region.bureau.pk, "items": []}, format="json").status_code == 403
        national = national_version(FRIDAY)
        assert supervisor.patch(f"{API}{national.pk}/", {"name": "改名"}, format="json").status_code == 403
        templates = supervisor.get(API, {"template": "true"}).json()
        listed = templates["results"] if isinstance(templates, dict) else templates
        assert len(listed) == 5 and all(v["template"] for v in listed)
        plain = supervisor.get(API).json()
        plain = plain["results"] if isinstance(plain, dict) else plain
        assert not any(v["template"] for v in plain)
    assert ChecklistItem.objects.get(version__organisation=region.bureau, code="account_weekly").enabled


def test_the_page_creates_adopts_edits_and_shows_refusals_in_the_form(client, region):
    client.force_login(region.supervisor)
    with today(FRIDAY):
        page = client.get("/checklist/", {"organisation": region.county.pk}).content.decode()
        assert "采用地方模板" in page and "青岛西海岸新区（2020）" in page
        adopted = client.post(f"/checklist/?organisation={region.county.pk}", {
            "action": "adopt", "organisation": region.county.pk, "a-template": template("青岛西海岸新区").pk})
        assert adopted.status_code == 302
        page = client.get("/checklist/", {"organisation": region.county.pk}).content.decode()
        row = re.search(r'<tr data-code="account_weekly">(.*?)</tr>', page, re.S).group(1)
        assert "每个自然周至少更新 1 次" in row and "青岛 §10" in row and "全国无此项" in row
        refused = client.post(f"/checklist/?organisation={region.county.pk}", {
            "action": "item", "organisation": region.county.pk, "i-code": "account_stale", "i-value": "30", "i-enabled": "on"})
        assert refused.status_code == 400
        assert "不能放宽国家单项否决指标" in refused.content.decode() and "14 天内至少更新 1 次" in refused.content.decode()
        saved = client.post(f"/checklist/?organisation={region.county.pk}", {
            "action": "item", "organisation": region.county.pk, "i-code": "account_stale", "i-value": "10", "i-enabled": "on"})
        assert saved.status_code == 302
        page = client.get("/checklist/", {"organisation": region.bureau.pk}).content.decode()
        assert "10 天内至少更新 1 次" in re.search(r'<tr data-code="account_stale">(.*?)</tr>', page, re.S).group(1)
        client.force_login(region.member)
        assert client.post("/checklist/", {"action": "adopt", "organisation": region.bureau.pk}).status_code == 403


def test_the_admin_refuses_a_looser_local_item_too(region):
    from rules.admin import ChecklistItemForm

    version = versions.create_local_version(user=region.supervisor, organisation=region.county, on=FRIDAY)
    fields = {"version": version.pk, "code": "account_stale", "name": "内容不更新（账号）", "kind": "veto", "points": 0,
              "enabled": True, "source": ""}
    looser = ChecklistItemForm(data={**fields, "thresholds": '{"days": 60}'})
    assert not looser.is_valid() and "14 天内至少更新 1 次" in str(looser.errors)
    assert ChecklistItemForm(data={**fields, "thresholds": '{"days": 7}'}).is_valid()
