"""Rectification answered and verified, still failing, and overdue (rectification_overdue)."""
import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from accounts.services import account_add_update
from govmedia.core.exceptions import DomainConflict
from inspections import services
from inspections.models import Finding, FindingStatus, RectificationOutcome

from .conftest import at

D = dt.date


def run(as_of):
    # The run of that day (a finding's period runs from the day its run is made).
    with mock.patch("django.utils.timezone.localdate", return_value=as_of):
        result = services.inspect(as_of=as_of)
    assert result.status == "finished", result.error
    return result


def test_answer_verified_by_next_run(build, region):
    account = build.account(updates=[D(2024, 9, 1)])
    run(D(2024, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    answer = services.finding_rectify(finding=finding, user=region.member, comment="已恢复更新", evidence_url="https://example.gov.cn/a")
    # The answer alone does not close it: the next run checks the rule.
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    account_add_update(account=account, published_at=at(D(2024, 10, 2)), title="恢复更新")
    run(D(2024, 10, 3))
    finding.refresh_from_db()
    answer.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED and finding.rectified_on == D(2024, 10, 3)
    assert answer.outcome == RectificationOutcome.ACCEPTED


def test_answer_kept_when_rule_still_fires(build, region):
    account = build.account(updates=[D(2024, 9, 1)])
    run(D(2024, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    answer = services.finding_rectify(finding=finding, user=region.member, comment="已安排专人")
    answer.__class__.objects.filter(pk=answer.pk).update(submitted_at=at(D(2024, 10, 1)))
    run(D(2024, 10, 9))
    finding.refresh_from_db()
    answer.refresh_from_db()
    # Answered, still failing: stays open (not overdue), the answer kept and marked.
    assert finding.status == FindingStatus.OPEN
    assert answer.outcome == RectificationOutcome.STILL_FAILING and answer.comment == "已安排专人"


def test_unanswered_past_due_becomes_overdue_and_yields_rectification_overdue(build):
    account = build.account(updates=[D(2024, 9, 1)])
    run(D(2024, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    # 30 Sep + 7 days is 7 Oct, the last day of 国庆 2024: due the next working day.
    assert finding.due_on == D(2024, 10, 8)
    run(D(2024, 10, 8))
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    run(D(2024, 10, 9))
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OVERDUE
    overdue = Finding.objects.get(rule="rectification_overdue", subject_id=finding.pk)
    assert overdue.subject_type == "finding" and overdue.detail["days_overdue"] == 1
    # Fixed at last: both close on the next run.
    account_add_update(account=account, published_at=at(D(2024, 10, 9)), title="更新")
    run(D(2024, 10, 10))
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.RECTIFIED
    assert Finding.objects.get(pk=overdue.pk).status == FindingStatus.RECTIFIED


def test_who_may_answer(build, region):
    account = build.account(updates=[D(2024, 9, 1)])
    run(D(2024, 9, 30))
    finding = Finding.objects.get(rule="account_stale", subject_id=account.pk)
    with pytest.raises(PermissionDenied):
        services.finding_rectify(finding=finding, user=region.neighbour, comment="不是我的")
    with pytest.raises(PermissionDenied):
        services.finding_rectify(finding=finding, user=region.auditor, comment="监管只读")
    services.finding_rectify(finding=finding, user=region.supervisor, comment="主管代为反馈")
    Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.RECTIFIED)
    with pytest.raises(DomainConflict):
        services.finding_rectify(finding=finding, user=region.owner, comment="再次反馈")
