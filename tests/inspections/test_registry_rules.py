"""Rules over filings, backfills, closures and disclosure: working-day deadlines across holidays."""
import datetime as dt

from govmedia.core.workdays import add_workdays
from inspections import services
from inspections.models import Finding, FindingStatus
from tests.factories import FilingFactory, PostFactory

from .conftest import at, regional_rules

D = dt.date


def run(as_of):
    result = services.inspect(as_of=as_of)
    assert result.status == "finished", result.error
    # Every rule ran: none failed on the registry's data.
    assert not result.counts["failed_rules"], result.counts["failed_rules"]
    return result


def filing(account, region, kind, event_date, status="approved", submitted_on=None, decided_on=None, due_on=None):
    return FilingFactory(
        account=account, kind=kind, event_date=event_date, status=status, stage="" if status != "pending" else "supervisor",
        submitted_at=at(submitted_on) if submitted_on else None, decided_at=at(decided_on) if decided_on else None,
        due_on=due_on, created_by=region.member,
    )


def test_filing_late_seven_working_days_across_national_day(build, region):
    regional_rules(region)  # qingdao §6: in force where the unit's version holds it
    account = build.account(updates=[D(2024, 10, 8)])
    due = add_workdays(D(2024, 9, 27), 7)
    assert due == D(2024, 10, 12)  # Sun 29 Sep (make-up), 30 Sep, then 8–11 Oct and Sat 12 Oct (make-up)
    on_time = filing(account, region, "change", D(2024, 9, 27), submitted_on=D(2024, 10, 12), due_on=due)
    other = build.account(updates=[D(2024, 10, 8)])
    late = filing(other, region, "open", D(2024, 9, 27), submitted_on=D(2024, 10, 14), due_on=due)
    third = build.account(updates=[D(2024, 10, 8)])
    missing = filing(third, region, "change", D(2024, 9, 27), status="draft", due_on=due)
    run(D(2024, 10, 15))
    assert not Finding.objects.filter(rule="filing_late", subject_id=on_time.pk).exists()
    late_finding = Finding.objects.get(rule="filing_late", subject_id=late.pk)
    assert late_finding.status == FindingStatus.RECTIFIED and late_finding.detail["days_late"] == 2
    missing_finding = Finding.objects.get(rule="filing_late", subject_id=missing.pk)
    assert missing_finding.status == FindingStatus.OPEN and missing_finding.severity == "warning"


def test_backfill_late(build, region):
    regional_rules(region)
    account = build.account(updates=[D(2025, 2, 10)], backfill_due_on=D(2025, 2, 7))
    run(D(2025, 2, 7))
    assert not Finding.objects.filter(rule="backfill_late").exists()
    run(D(2025, 2, 8))
    finding = Finding.objects.get(rule="backfill_late", subject_id=account.pk)
    assert finding.status == FindingStatus.OPEN
    filing(account, region, "backfill", D(2025, 2, 10), status="pending", submitted_on=D(2025, 2, 10))
    run(D(2025, 2, 11))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED


def test_closure_notice_short(build, region):
    regional_rules(region)
    # Notice from Fri 27 Sep 2024: the 15th working day after it is 23 Oct (1–7 Oct off; 29 Sep, 12 Oct worked).
    assert add_workdays(D(2024, 9, 27), 15) == D(2024, 10, 23)
    early = build.account(status="deregistered", closure_notice_on=D(2024, 9, 27))
    fine = build.account(status="deregistered", closure_notice_on=D(2024, 9, 27))
    short = filing(early, region, "deregister", D(2024, 10, 22), submitted_on=D(2024, 10, 22), decided_on=D(2024, 10, 22))
    ok = filing(fine, region, "deregister", D(2024, 10, 23), submitted_on=D(2024, 10, 23), decided_on=D(2024, 10, 23))
    run(D(2024, 10, 24))
    finding = Finding.objects.get(rule="closure_notice_short")
    assert finding.subject_id == short.pk and finding.detail["earliest_allowed"] == "2024-10-23"
    assert not Finding.objects.filter(rule="closure_notice_short", subject_id=ok.pk).exists()


def test_disclosure_late_twenty_working_days(region):
    made = D(2024, 9, 20)
    due = add_workdays(made, 20)
    assert due == D(2024, 10, 23)
    on_time = PostFactory(organisation=region.bureau, title="按时公开", author=region.member, status="published",
                          disclosure_required=True, made_on=made, published_at=at(due))
    late = PostFactory(organisation=region.bureau, title="逾期公开", author=region.member, status="published",
                       disclosure_required=True, made_on=made, published_at=at(due + dt.timedelta(days=3)))
    pending = PostFactory(organisation=region.bureau, title="尚未公开", author=region.member, status="draft",
                          disclosure_required=True, made_on=made)
    run(D(2024, 10, 30))
    assert not Finding.objects.filter(rule="disclosure_late", subject_id=on_time.pk).exists()
    assert Finding.objects.get(rule="disclosure_late", subject_id=late.pk).status == FindingStatus.RECTIFIED
    assert Finding.objects.get(rule="disclosure_late", subject_id=pending.pk).status == FindingStatus.OPEN
