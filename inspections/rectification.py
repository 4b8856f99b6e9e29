"""The rectification loop (issue 11): a unit answers a finding; the supervisors of the unit accept the answer (the
finding is closed at once) or return it with a comment (back to the unit, which answers again). The next run still
verifies answers against the rule (services._record).

Where a finding stands is `Finding.rectification_state`, so that every badge and list reads it without a join:
answered findings are awaiting review and no longer overdue; a returned one is overdue again once past its due
date. A `rectification_overdue` finding (about another finding) is a follow-up: lists show it under the finding it
concerns, and it closes with that finding.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict
from govmedia.core.files import check_upload
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Role
from rules.models import SubjectType
from webhooks.services import emit, subscribed

from .models import (
    FOLLOW_UP_RULE, UNRESOLVED, Finding, FindingStatus, Rectification, RectificationOutcome, RectificationState,
)

# Answers a decision is about: waiting, or judged still failing by a run since (a supervisor may still decide).
UNDECIDED = (RectificationOutcome.PENDING, RectificationOutcome.STILL_FAILING)


# ----------------------------------------------------------------------------------------------- reads


def follow_ups_of(finding_ids):
    """The rectification_overdue findings about the findings `finding_ids` (a list or a subquery of ids)."""
    return Finding.objects.filter(rule=FOLLOW_UP_RULE, subject_type=SubjectType.FINDING, subject_id__in=finding_ids)


def hide_follow_ups(qs):
    """A findings list without its follow-ups: each is shown under the finding it concerns."""
    return qs.exclude(rule=FOLLOW_UP_RULE, subject_type=SubjectType.FINDING)


def with_follow_ups(qs):
    """Annotate each finding with its latest follow-up (`follow_up_id`, `follow_up_found_on`,
    `follow_up_status`): one correlated subquery per column, read for the rows of the page only."""
    latest = (Finding.objects.filter(rule=FOLLOW_UP_RULE, subject_type=SubjectType.FINDING, subject_id=OuterRef("pk"))
              .order_by("-found_on", "-id"))
    return qs.annotate(
        follow_up_id=Subquery(latest.values("pk")[:1]),
        follow_up_found_on=Subquery(latest.values("found_on")[:1]),
        follow_up_status=Subquery(latest.values("status")[:1]),
    )


def awaiting_review(user, qs=None):
    """Answers waiting for `user`'s decision: unresolved findings answered by their unit, in the regions `user`
    supervises (their 待办)."""
    qs = Finding.objects.all() if qs is None else qs
    return qs.filter(
        access.rectification_review_condition(user), status__in=UNRESOLVED,
        rectification_state=RectificationState.SUBMITTED,
    )


def awaiting_answer(qs):
    """Of `qs`, the findings their unit still has to answer (unresolved, not answered or returned; follow-ups are
    answered with the finding they concern)."""
    return hide_follow_ups(qs.filter(status__in=UNRESOLVED).exclude(rectification_state=RectificationState.SUBMITTED))


def can_answer(user, finding: Finding) -> bool:
    return (access.can_act_for_unit(user, finding.organisation) and finding.is_unresolved
            and finding.rectification_state != RectificationState.SUBMITTED and not finding.is_follow_up)


def can_review(user, finding: Finding) -> bool:
    return finding.awaiting_review and access.can_review_rectification(user, finding.organisation)


def pending_answer(finding: Finding) -> Rectification | None:
    """The answer a decision is about: the latest one not decided."""
    return finding.rectifications.filter(outcome__in=UNDECIDED).order_by("-submitted_at", "-id").first()


# ---------------------------------------------------------------------------------------------- writes


def _today():
    return timezone.localdate()


def _url(finding: Finding) -> str:
    return reverse("finding-detail", args=[finding.pk])


def _what(finding: Finding) -> str:
    return f"“{finding.rule_label}”（{finding.subject_name or finding.get_subject_type_display()}）"


def _unit_people(finding: Finding, *also):
    """The unit's own staff, and whoever answered: they hear of the decision."""
    people = [m.user for m in Membership.objects.filter(
        organisation_id=finding.organisation_id, role__in=access.UNIT_STAFF_ROLES).select_related("user")]
    return [*also, *people]


def _supervisors(finding: Finding):
    return [m.user for m in Membership.objects.filter(
        organisation_id__in=finding.organisation.ancestor_ids(), role=Role.SUPERVISOR).select_related("user")]


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("organisation").get(pk=finding.pk)


@transaction.atomic
def finding_rectify(*, finding: Finding, user, comment: str, evidence_url: str = "", evidence_file=None) -> Rectification:
    """The unit's answer to a finding: it awaits its supervisors' review (and the next run's check), and is no
    longer overdue. Answering again is refused while an answer waits; a returned one is answered anew."""
    finding = _locked(finding)
    if not access.can_act_for_unit(user, finding.organisation):
        raise PermissionDenied("只有责任单位人员或其主管单位可以反馈整改情况。")
    if finding.status == FindingStatus.RECTIFIED:
        raise DomainConflict("该问题已确认整改，无需再次反馈。")
    if finding.status == FindingStatus.DISMISSED:
        raise DomainConflict("该问题已作为误报忽略，无需反馈。")
    if finding.is_follow_up:
        raise DomainConflict("逾期未整改问题随原问题整改，请反馈原问题的整改情况。")
    if finding.rectification_state == RectificationState.SUBMITTED:
        raise DomainConflict("已反馈整改情况，正在等待主管单位审核。")
    if not (comment or "").strip():
        raise ValidationError({"comment": "请填写整改情况。"})
    rectification = Rectification(
        finding=finding, comment=comment.strip(), evidence_url=evidence_url or "", submitted_by=user,
    )
    if evidence_file is not None:
        # By content, not name: images, PDF and Office files only, at most EVIDENCE_MAX_MB (core.files "evidence").
        check_upload("evidence", evidence_file, field="evidence_file")
        rectification.evidence_file = evidence_file
    rectification.full_clean(exclude=["finding", "submitted_by"])
    rectification.save()
    finding.rectification_state = RectificationState.SUBMITTED
    finding.status = FindingStatus.OPEN
    finding.save(update_fields=["rectification_state", "status"])
    audit.record_action(finding, "rectify", actor=user, comment=comment.strip())
    notify(users=_supervisors(finding), kind="rectification_submitted", url=_url(finding),
           text=f"{finding.organisation.name}已反馈{_what(finding)}的整改情况，请审核。")
    return rectification


def _decide(finding: Finding, user) -> tuple[Finding, Rectification]:
    finding = _locked(finding)
    if not access.can_review_rectification(user, finding.organisation):
        raise PermissionDenied("只有该单位的主管单位可以审核整改情况。")
    answer = pending_answer(finding) if finding.awaiting_review else None
    if answer is None:
        raise DomainConflict("该问题没有待审核的整改反馈。")
    if answer.submitted_by_id == user.pk:
        raise PermissionDenied("整改情况由您本人反馈，须由其他主管单位人员审核。")
    return finding, answer


def _record_decision(answer: Rectification, user, outcome: str, comment: str) -> None:
    answer.outcome, answer.reviewed_by, answer.review_comment, answer.checked_at = outcome, user, comment, timezone.now()
    answer.save(update_fields=["outcome", "reviewed_by", "review_comment", "checked_at"])


@transaction.atomic
def rectification_accept(*, finding: Finding, user, comment: str = "") -> Finding:
    """Accept the unit's answer: the finding is closed today, and so are its follow-ups (逾期未整改 about it)."""
    finding, answer = _decide(finding, user)
    comment = (comment or "").strip()
    _record_decision(answer, user, RectificationOutcome.ACCEPTED, comment)
    today = _today()
    finding.status, finding.rectified_on = FindingStatus.RECTIFIED, today
    finding.rectification_state = RectificationState.ACCEPTED
    finding.save(update_fields=["status", "rectified_on", "rectification_state"])
    audit.record_action(finding, "rectify_accept", actor=user, comment=comment)
    closed = [finding]
    for follow_up in follow_ups_of([finding.pk]).filter(status__in=UNRESOLVED).select_for_update():
        follow_up.status, follow_up.rectified_on = FindingStatus.RECTIFIED, today
        follow_up.rectification_state = RectificationState.ACCEPTED
        follow_up.save(update_fields=["status", "rectified_on", "rectification_state"])
        audit.record_action(follow_up, "rectify_accept", actor=user, comment=f"随问题 {finding.pk} 整改审核通过")
        closed.append(follow_up)
    _emit_closed(closed)
    notify(users=_unit_people(finding, answer.submitted_by), kind="rectification_accepted", url=_url(finding),
           text=f"{_what(finding)}的整改情况已审核通过，问题已销号。")
    return finding


@transaction.atomic
def rectification_reject(*, finding: Finding, user, comment: str) -> Finding:
    """Return the unit's answer with a comment: the unit answers again; past its due date it is overdue again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见，说明还需如何整改。"})
    finding, answer = _decide(finding, user)
    _record_decision(answer, user, RectificationOutcome.REJECTED, comment)
    finding.rectification_state = RectificationState.RETURNED
    finding.status = FindingStatus.OVERDUE if finding.due_on < _today() else FindingStatus.OPEN
    finding.save(update_fields=["rectification_state", "status"])
    audit.record_action(finding, "rectify_reject", actor=user, comment=comment)
    notify(users=_unit_people(finding, answer.submitted_by), kind="rectification_rejected", url=_url(finding),
           text=f"{_what(finding)}的整改情况被退回：{comment}。请重新整改并反馈。")
    return finding


def _emit_closed(findings: list[Finding]) -> None:
    """finding.closed, as a run sends it (services._finding_events: the same data)."""
    if not subscribed("finding.closed"):
        return
    for f in findings:
        emit("finding.closed", organisation=f.organisation_id, data={
            "finding": f.pk, "inspection": f.inspection_id, "rule": f.rule, "severity": f.severity,
            "subject_type": f.subject_type, "subject_id": f.subject_id, "subject_name": f.subject_name,
            "found_on": f.found_on, "due_on": f.due_on, "status": f.status, "rectified_on": f.rectified_on,
        })

