"""October 2024 in 甲县 (National Day 1–7 Oct off, Sat 12 Oct worked): accounts, a site, replies and findings
whose figures the tests know by heart."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Platform
from accounts.services import account_add_update
from inspections import services as inspection_services
from inspections.models import FindingStatus, InspectionStatus, Severity
from sites.models import ColumnCategory
from sites.services import column_add_update
from tests.factories import (
    AccountFactory,
    BrokenLinkFactory,
    ColumnFactory,
    FindingFactory,
    InspectionFactory,
    ProbeFactory,
    SiteFactory,
    bulk,
)


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute)))


def finding(run, *, rule, subject, organisation, found_on, due_on, status=FindingStatus.OPEN, rectified_on=None,
            severity=Severity.VETO):
    return FindingFactory(
        inspection=run, rule=rule, severity=severity, subject=subject, organisation=organisation,
        found_on=dt.date.fromisoformat(found_on), due_on=dt.date.fromisoformat(due_on), status=status,
        rectified_on=dt.date.fromisoformat(rectified_on) if rectified_on else None,
    )


@pytest.fixture
def october(region):
    r = region
    opened = dt.date(2024, 1, 1)
    lagging = AccountFactory(name="甲县教育发布", platform=Platform.WECHAT, owner=r.bureau, opened_on=opened)
    steady = AccountFactory(name="甲县教育微博", platform=Platform.WEIBO, owner=r.bureau, opened_on=opened)
    silent = AccountFactory(name="甲县卫健抖音", platform=Platform.DOUYIN, owner=r.other_bureau, opened_on=opened,
                            has_interaction=False)
    foreign = AccountFactory(name="乙县教育发布", platform=Platform.WECHAT, owner=r.other_county_bureau, opened_on=opened)
    # The lagging account: last update before October on 20 Sep; in October 8 Oct (reprint), two originals on
    # the make-up Saturday 12 Oct, and 31 Oct 23:30 (a reprint); 1 Nov 00:10 belongs to November.
    for when, original in [(at("2024-09-20"), True), (at("2024-10-08"), False), (at("2024-10-12", 9), True),
                           (at("2024-10-12", 15), True), (at("2024-10-31", 23, 30), False),
                           (at("2024-11-01", 0, 10), True)]:
        account_add_update(account=lagging, published_at=when, title="更新", original=original)
    # The steady account: an original every third day from 1 Sep to 31 Oct.
    day = dt.date(2024, 9, 1)
    while day <= dt.date(2024, 10, 31):
        account_add_update(account=steady, published_at=at(day.isoformat()), title="原创", original=True)
        day += dt.timedelta(days=3)
    account_add_update(account=foreign, published_at=at("2024-10-10"), title="他县", original=True)

    # Messages on the lagging account (5 working days): on time, late, unanswered past due, not yet due.
    m_on_time = inspection_services.message_create(account=lagging, received_at=at("2024-10-08", 9), content="问1")
    inspection_services.message_reply(message=m_on_time, user=r.member, reply="答1", replied_at=at("2024-10-14", 18))
    m_late = inspection_services.message_create(account=lagging, received_at=at("2024-10-09", 9), content="问2")
    inspection_services.message_reply(message=m_late, user=r.member, reply="答2", replied_at=at("2024-10-16", 9))
    inspection_services.message_create(account=lagging, received_at=at("2024-10-10", 9), content="问3")
    m_pending = inspection_services.message_create(account=lagging, received_at=at("2024-10-28", 9), content="问4")
    # Answered in November: on time, but at the end of October it was still waiting (not yet due).
    inspection_services.message_reply(message=m_pending, user=r.member, reply="答4", replied_at=at("2024-11-01", 9))

    site = SiteFactory(name="甲县教育局网站", url="http://jy.example.gov.cn/", owner=r.bureau, launched_on=opened)
    news = ColumnFactory(site=site, name="教育动态", category=ColumnCategory.NEWS, opened_on=opened)
    notice = ColumnFactory(site=site, name="通知公告", category=ColumnCategory.NOTICE, opened_on=opened)
    ColumnFactory(site=site, name="空白栏目", category=ColumnCategory.OTHER, opened_on=opened)
    column_add_update(column=news, published_at=at("2024-10-03"), title="动态1")
    column_add_update(column=news, published_at=at("2024-10-25"), title="动态2")
    column_add_update(column=notice, published_at=at("2024-04-15"), title="通知")
    # 40 probes in October, one failed: 97.5 % available.
    bulk(ProbeFactory, [{"site": site, "checked_at": at("2024-10-01") + dt.timedelta(hours=18 * i), "ok": i != 7}
                        for i in range(40)])
    report = inspection_services.error_report_create(site=site, received_at=at("2024-10-10", 9), content="错字")
    inspection_services.error_report_reply(report=report, user=r.member, reply="已改", replied_at=at("2024-10-11", 17))
    BrokenLinkFactory(site=site, page_url="http://jy.example.gov.cn/a", link_url="http://jy.example.gov.cn/x",
                      first_seen_at=at("2024-10-20"), last_seen_at=at("2024-10-30"))

    run = InspectionFactory(as_of=dt.date(2024, 10, 7), status=InspectionStatus.FINISHED)
    # Found during the holiday, rectified on the 9th.
    stale = finding(run, rule="account_stale", subject=lagging, organisation=r.bureau, found_on="2024-10-07",
                    due_on="2024-10-14", status=FindingStatus.RECTIFIED, rectified_on="2024-10-09")
    # Found in September, due 2 Oct, never rectified: overdue in October.
    late_filing = finding(run, rule="duplicate_platform", subject=steady, organisation=r.bureau, found_on="2024-09-25",
                          due_on="2024-10-02", status=FindingStatus.OVERDUE, severity=Severity.DEDUCTION)
    # Found in November: not October's business.
    finding(run, rule="account_weekly", subject=steady, organisation=r.bureau, found_on="2024-11-04",
            due_on="2024-11-11", severity=Severity.DEDUCTION)
    return SimpleNamespace(region=r, lagging=lagging, steady=steady, silent=silent, foreign=foreign, site=site,
                           stale=stale, late_filing=late_filing)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Report files (exports, stored documents) of a test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run_jobs() -> int:
    """The worker's turn: every queued report job runs through its task, oldest first. Returns how many ran."""
    from reports import tasks
    from reports.models import Export, ExportStatus

    queued = list(Export.objects.filter(status=ExportStatus.QUEUED).order_by("created_at").values_list("pk", flat=True))
    for pk in queued:
        tasks.export_report(str(pk))
    return len(queued)


def publish(api, user, **data):
    """Publish a bulletin through the API as a supervisor does: refused at once (the error response), or 202 with
    the job to follow, the worker publishes, and the bulletin as `bulletins/{id}/` gives it."""
    client = api.as_user(user)
    asked = client.post("/api/v1/bulletins/", {"quarter": "2024-Q4", **data}, format="json")
    if asked.status_code != 202:
        return asked
    run_jobs()
    status = client.get(asked.json()["status_url"]).json()
    assert status["state"] == "SUCCESS", status
    return client.get(f"/api/v1/bulletins/{status['bulletin']}/")
