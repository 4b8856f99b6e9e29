"""Each rule on fixed dates that cross holidays and make-up days; boundaries; as-of in the past."""
import datetime as dt
from unittest import mock

import pytest

from inspections import services
from inspections.models import ErrorReport, Finding, FindingStatus
from tests.factories import MessagePolicyFactory, ProbeFactory, bulk

from .conftest import at, regional_rules

D = dt.date


def run(as_of, **kw):
    # The run of that day (a finding's period runs from the day its run is made).
    with mock.patch("django.utils.timezone.localdate", return_value=as_of):
        result = services.inspect(as_of=as_of, **kw)
    assert result.status == "finished", result.error
    return result


def found(rule, subject=None):
    qs = Finding.objects.filter(rule=rule)
    if subject is not None:
        qs = qs.filter(subject_id=subject.pk)
    return qs


def test_account_stale_exactly_14_days_is_fine_15_is_stale(build):
    account = build.account(updates=[D(2024, 9, 20)])
    run(D(2024, 10, 4))  # 14 days: inside National Day, still fine
    assert not found("account_stale", account).exists()
    run(D(2024, 10, 5))  # 15 days
    finding = found("account_stale", account).get()
    assert finding.severity == "veto"
    assert finding.detail["last_updated_on"] == "2024-09-20"
    assert finding.detail["days_without_update"] == 15
    assert finding.due_on == D(2024, 10, 12)
    assert finding.organisation == build.region.bureau


def test_account_without_updates_is_judged_from_opening(build):
    account = build.account(opened_on=D(2024, 9, 1))
    run(D(2024, 9, 15))
    assert not found("account_stale", account).exists()
    run(D(2024, 9, 16))
    assert found("account_stale", account).get().detail["judged_from"] == "2024-09-01"


def test_past_as_of_judges_only_updates_published_by_then(build):
    account = build.account(updates=[D(2024, 9, 1), D(2024, 9, 30)])
    # Today's denormalised date is 30 Sep; as of 20 Sep only the 1 Sep update was known: 19 days.
    run(D(2024, 9, 20))
    assert found("account_stale", account).get().detail["last_updated_on"] == "2024-09-01"


def test_future_as_of_is_refused(build):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.inspect(as_of=services.local_today() + dt.timedelta(days=1))
    assert "as_of" in exc.value.message_dict


def test_column_month_clamp(build):
    site = build.site()
    column = build.column(site, category="notice", updates=[D(2024, 4, 15)])
    run(D(2024, 10, 15))
    assert not found("column_stale", column).exists()
    run(D(2024, 10, 16))
    finding = found("column_stale", column).get()
    assert finding.detail["period"] == {"months": 6}
    assert finding.detail["last_updated_on"] == "2024-04-15"


def test_monthly_column_jan_31_plus_one_month_is_feb_29(build):
    site = build.site()
    column = build.column(site, category="monthly", updates=[D(2024, 1, 31)])
    run(D(2024, 2, 29))
    assert not found("column_stale", column).exists()
    run(D(2024, 3, 1))
    assert found("column_stale", column).exists()


def test_news_column_14_days_and_blank_column(build):
    site = build.site()
    news = build.column(site, category="news", updates=[D(2025, 1, 20)])
    blank = build.column(site, category="news", opened_on=D(2025, 1, 1))
    young_blank = build.column(site, category="annual", opened_on=D(2025, 1, 1))
    run(D(2025, 2, 3))  # 14 days, across the Spring Festival holiday
    assert not found("column_stale", news).exists()
    assert found("column_blank", blank).exists()
    assert not found("column_blank", young_blank).exists()
    assert not found("column_stale", blank).exists()
    run(D(2025, 2, 4))
    assert found("column_stale", news).exists()


def test_site_columns_veto_five_key_columns(build):
    site = build.site()
    for _ in range(4):
        build.column(site, category="news", updates=[D(2024, 8, 1)])
    run(D(2024, 10, 8))
    assert not found("site_columns_veto").exists()
    build.column(site, category="policy", updates=[D(2024, 1, 2)])
    run(D(2024, 10, 9))
    veto = found("site_columns_veto", site).get()
    assert veto.severity == "veto" and veto.detail["key_stale"] == 5 and "key_stale" in veto.detail["broken"]


def test_weekly_rule_judges_last_complete_week(build):
    regional_rules(build.region)  # a regional rule (qingdao §10): in force where the unit's version holds it
    # Week Mon 30 Sep – Sun 6 Oct 2024 (National Day). Updated on Sun 29 Sep (a make-up working day) and 8 Oct.
    account = build.account(updates=[D(2024, 9, 29), D(2024, 10, 8)])
    run(D(2024, 10, 7))
    finding = found("account_weekly", account).get()
    assert finding.period_key == "week:2024-09-30"
    assert finding.detail["week_end"] == "2024-10-06"
    # The next week (7–13 Oct) had an update: the account is fine again and the finding closes.
    run(D(2024, 10, 14))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED
    assert found("account_weekly", account).count() == 1


def test_original_rule(build):
    regional_rules(build.region)
    account = build.account(updates=[D(2024, 9, 1), D(2024, 9, 20)], originals={D(2024, 9, 1)})
    run(D(2024, 9, 15))
    assert not found("account_original", account).exists()
    run(D(2024, 9, 16))
    assert found("account_original", account).get().detail["last_original_on"] == "2024-09-01"


def test_error_report_one_working_day_across_national_day(build):
    site = build.site()
    # Received Mon 30 Sep 2024: 1–7 Oct are off, so it is due on Tue 8 Oct.
    report = services.error_report_create(site=site, received_at=at(D(2024, 9, 30)), content="错别字")
    assert report.due_on == D(2024, 10, 8)
    run(D(2024, 10, 8))
    assert not found("error_report_late", report).exists()
    run(D(2024, 10, 9))
    finding = found("error_report_late", report).get()
    assert finding.status == FindingStatus.OPEN and finding.detail["due_on"] == "2024-10-08"
    ErrorReport.objects.filter(pk=report.pk).update(replied_at=at(D(2024, 10, 10)), reply="已改正")
    run(D(2024, 10, 11))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED


def test_reply_given_late_is_recorded_once_as_already_rectified(build, region):
    site = build.site()
    report = services.error_report_create(site=site, received_at=at(D(2025, 1, 24)), content="链接失效")
    assert report.due_on == D(2025, 1, 26)  # Sun 26 Jan 2025 is a make-up working day
    services.error_report_reply(report=report, user=region.member, reply="已修复", replied_at=at(D(2025, 2, 5)))
    run(D(2025, 2, 10))
    run(D(2025, 2, 11))
    finding = found("error_report_late", report).get()
    assert finding.status == FindingStatus.RECTIFIED and finding.detail["days_late"] == 10


def test_message_default_five_working_days_and_policy(build, region):
    site = build.site()
    message = services.message_create(site=site, received_at=at(D(2025, 1, 24)), content="咨询")
    # Sun 26 Jan (make-up), Mon 27 Jan, then the festival 28 Jan–4 Feb off, then 5, 6, 7 Feb.
    assert message.due_on == D(2025, 2, 7)
    MessagePolicyFactory(organisation=region.county, reply_workdays=2)
    quick = services.message_create(site=site, received_at=at(D(2025, 1, 24)), content="再次咨询")
    assert quick.reply_workdays == 2 and quick.due_on == D(2025, 1, 27)
    run(D(2025, 2, 7))
    assert not found("message_late", message).exists() and found("message_late", quick).exists()
    run(D(2025, 2, 8))
    assert found("message_late", message).get().detail["reply_workdays"] == 5


def test_site_interaction_veto_three_months_unanswered(build):
    site = build.site()
    services.message_create(site=site, received_at=at(D(2024, 1, 31)), content="咨询")
    run(D(2024, 4, 30))
    assert not found("site_interaction_veto", site).exists()
    run(D(2024, 5, 1))
    assert found("site_interaction_veto", site).get().detail["message_unanswered_over_limit"] is True


def test_site_without_consultation_channel(build):
    site = build.site(has_consultation_channel=False)
    run(D(2024, 5, 1))
    assert found("site_interaction_veto", site).exists()


def test_account_flags(build, region):
    regional_rules(region)  # repeat_notified is 安岳's (§9)
    internal = build.account(owner=region.section, updates=[D(2024, 10, 1)])
    notified = build.account(province_notice_count=3, updates=[D(2024, 10, 1)])
    quiet = build.account(has_interaction=False, updates=[D(2024, 10, 1)])
    run(D(2024, 10, 8))
    assert found("internal_owner", internal).exists()
    assert found("repeat_notified", notified).get().severity == "veto"
    assert found("account_no_interaction", quiet).exists()
    assert not found("internal_owner", notified).exists()


def test_credential_rotation_90_days_and_departure(build):
    old = build.account(password_changed_on=D(2024, 7, 1), updates=[D(2024, 10, 1)])
    left = build.account(password_changed_on=D(2024, 9, 1), credential_change_due_since=D(2024, 9, 20), updates=[D(2024, 10, 1)])
    run(D(2024, 9, 29))
    assert not found("credential_rotation", old).exists()  # 90 days exactly
    assert found("credential_rotation", left).exists()
    run(D(2024, 9, 30))
    assert found("credential_rotation", old).exists()


def test_homepage_stale_from_columns(build):
    site = build.site()
    build.column(site, category="annual", updates=[D(2024, 9, 20)])
    run(D(2024, 10, 4))
    assert not found("homepage_stale", site).exists()
    run(D(2024, 10, 5))
    assert found("homepage_stale", site).get().detail["judged_from"] == "2024-09-20"


def test_homepage_own_date_counts_unless_it_is_navigation(build):
    from sites.models import Site

    plain = build.site(homepage_updated_on=D(2024, 9, 20))
    navigation = build.site(homepage_updated_on=D(2024, 9, 20), homepage_is_navigation=True)
    for site in (plain, navigation):
        build.column(site, category="news", updates=[D(2024, 10, 8)])
    run(D(2024, 10, 9))
    assert found("homepage_stale", plain).get().detail["homepage_updated_on"] == "2024-09-20"
    assert not found("homepage_stale", navigation).exists()
    Site.objects.filter(pk=plain.pk).update(homepage_updated_on=D(2024, 10, 9))
    run(D(2024, 10, 10))
    assert found("homepage_stale", plain).get().status == FindingStatus.RECTIFIED


def test_site_unreachable_share_of_failed_probes(build):
    site = build.site()
    healthy = build.site()
    start = D(2024, 9, 24)
    probes = []
    for day in range(7):
        for hour in range(20):
            moment = at(start + dt.timedelta(days=day), 0) + dt.timedelta(hours=hour)
            probes.append({"site": site, "checked_at": moment, "ok": not (day == 0 and hour < 7)})
            probes.append({"site": healthy, "checked_at": moment, "ok": not (day == 0 and hour < 6)})
    bulk(ProbeFactory, probes)
    run(D(2024, 9, 30))
    finding = found("site_unreachable", site).get()
    assert finding.detail["probes"] == 140 and finding.detail["failed"] == 7
    assert not found("site_unreachable", healthy).exists()  # 6/140 < 5 %


def test_rerun_adds_and_changes_nothing(build):
    site = build.site()
    build.column(site, category="news", updates=[D(2024, 8, 1)])
    build.account(updates=[D(2024, 8, 1)])
    first = run(D(2024, 10, 8))
    snapshot = list(Finding.objects.order_by("pk").values())
    assert first.counts["new"] == len(snapshot) > 0
    second = run(D(2024, 10, 8))
    assert second.counts["new"] == 0 and second.counts["rectified"] == 0
    assert list(Finding.objects.order_by("pk").values()) == snapshot
    third = run(D(2024, 10, 9))
    assert third.counts["new"] == 0
    assert list(Finding.objects.order_by("pk").values()) == snapshot
