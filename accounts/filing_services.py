"""The 备案 workflow: open, change, close, deregister and backfill filings, approved by the owner's principal and
then the supervisor (SPEC "Filings", qingdao §5–7, 19; jinan §10–12).

Every write is atomic; each transition checks the current state first (else `DomainConflict`, a 409), then who
may act (else `PermissionDenied`, a 403).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict
from govmedia.core.workdays import add_workdays

from accounts import filings as form_rules
from accounts.models import Account, AccountStatus, Filing, FilingDecision, FilingKind, FilingStage, FilingStatus
from accounts.services import check_filer_belongs, check_one_live_per_platform, draft_account_fields, validate_qr_code
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Role, User
from rules import thresholds
from webhooks.services import emit, subscribed

OWNER_DECLARATION = (
    "已知本单位在网络公共平台开办（变更、关停）此政务新媒体账号，并在开办期间建立有关管理制度，"
    "明确对此账号及发布内容负有管理责任。"
)


# --- The approval queue (who may do what: organisations.access) --------------------------------------------

def actionable_filings(user: User):
    """Pending filings whose open stage `user` may decide now (the approval queue), in one query."""
    base = Filing.objects.for_user(user).filter(status=FilingStatus.PENDING)
    if access.is_administrator(user):
        return base.none()  # 三员分立: no administrator, the superuser included, decides a filing
    principal_of = Membership.objects.filter(user=user, role=Role.PRINCIPAL).values("organisation_id")
    paths = access.role_paths(user, [Role.SUPERVISOR])
    supervised = access.under_paths(paths, "account__owner__path") | access.under_paths(paths, "account__supervisor__path")
    return base.filter(
        Q(stage=FilingStage.OWNER_PRINCIPAL, account__owner__in=principal_of) | (Q(stage=FilingStage.SUPERVISOR) & supervised)
    )


# --- Checks of the workflow ---------------------------------------------------------------------------------

def check_event_date(event_date: dt.date | None) -> None:
    if event_date is None:
        raise ValidationError({"event_date": "请填写事项发生日期。"})
    if event_date > timezone.localdate():
        raise ValidationError({"event_date": "事项发生日期不能晚于今天。"})


def check_deregistration_allowed(account: Account, on: dt.date) -> None:
    """Deregistration only after the closure notice has stood the period the owner's checklist sets (qingdao §7:
    15 working days; no period where the unit's rules set none)."""
    if account.status != AccountStatus.CLOSING or not account.closure_notice_on:
        raise DomainConflict("账号须先经关停备案并向社会公告，公告期满后方可注销。")
    first = account.first_deregister_on
    if on < first:
        raise DomainConflict(
            f"关停公告自 {account.closure_notice_on:%Y-%m-%d} 起须满{account.closure_notice_workdays}个工作日，"
            f"最早可于 {first:%Y-%m-%d} 注销。",
            first_allowed_on=first.isoformat(),
        )


def due_on_for(kind: str, event_date: dt.date | None, account: Account) -> dt.date | None:
    if kind in (FilingKind.OPEN, FilingKind.CHANGE) and event_date:
        # The filing period of the owner's checklist (filing_late); no deadline where the unit's rules set none.
        workdays = thresholds.value(account.owner, "filing_late", "workdays", event_date)
        return add_workdays(event_date, workdays) if workdays else None
    if kind == FilingKind.BACKFILL:
        return account.backfill_due_on
    return None


def _open_filing(account: Account) -> Filing | None:
    return account.filings.filter(status__in=(FilingStatus.DRAFT, FilingStatus.PENDING)).first()


# --- Filings --------------------------------------------------------------------------------------------------

@transaction.atomic
def filing_open_draft(*, user: User, event_date: dt.date | None, reason: str = "", form: dict, qr_code=None) -> Filing:
    """Start an opening: a draft account (not yet in the register, never live) and its draft `open` filing."""
    if form.get("owner") is None:
        raise ValidationError({"owner": "请选择主办单位。"})
    form_rules.check(form, complete=False)
    check_filer_belongs(user=user, owner=form["owner"])
    if event_date is not None:
        check_event_date(event_date)
    if qr_code:
        validate_qr_code(qr_code)
    account = Account(status=AccountStatus.DRAFT, **draft_account_fields(form))
    account.full_clean(exclude=["url"])
    account.save()
    filing = Filing(
        account=account, kind=FilingKind.OPEN, event_date=event_date or timezone.localdate(), reason=reason,
        form=form_rules.to_json(form), created_by=user,
    )
    if qr_code:
        filing.qr_code = qr_code
    filing.due_on = due_on_for(filing.kind, filing.event_date, account)
    filing.full_clean(exclude=["qr_code"])
    filing.save()
    audit.record_action(filing, "create", actor=user, changes={"status": [None, filing.status]})
    return filing


@transaction.atomic
def filing_start(*, user: User, account: Account, kind: str, event_date: dt.date | None = None, reason: str = "",
                 form: dict | None = None, qr_code=None, notice_on: dt.date | None = None) -> Filing:
    """Start a change, closure, deregistration or backfill of an account already in the register. A closure may
    name the date its public notice appears (`notice_on`, default: the day it is approved)."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if kind == FilingKind.OPEN:
        raise ValidationError({"kind": "开设备案请新建账号（不指定已有账号）。"})
    if kind not in FilingKind.values:
        raise ValidationError({"kind": "未知备案类型。"})
    if not access.can_file(user, account):
        raise PermissionDenied("您不是该账号主办单位或承办单位的工作人员，不能为其备案。")
    existing = _open_filing(account)
    if existing:
        raise DomainConflict(f"该账号已有未办结的{existing.get_kind_display()}（编号 {existing.pk}），请先办结或删除。")
    if kind in (FilingKind.CHANGE, FilingKind.BACKFILL) and account.status not in (AccountStatus.RUNNING, AccountStatus.CLOSING):
        raise DomainConflict(f"账号当前状态为“{account.get_status_display()}”，不能{FilingKind(kind).label}。")
    if kind == FilingKind.CLOSE and account.status != AccountStatus.RUNNING:
        raise DomainConflict(f"账号当前状态为“{account.get_status_display()}”，只有运行中的账号可以关停。")
    if kind == FilingKind.BACKFILL and (
        not account.backfill_due_on or account.filings.filter(kind=FilingKind.BACKFILL, status=FilingStatus.APPROVED).exists()
    ):
        raise DomainConflict("该账号无需补办备案（不是直接登记的存量账号，或已补办）。")
    event_date = event_date or timezone.localdate()
    check_event_date(event_date)
    if kind == FilingKind.DEREGISTER:
        check_deregistration_allowed(account, event_date)
    data = form if form is not None and kind in (FilingKind.CHANGE, FilingKind.BACKFILL) else form_rules.from_account(account)
    form_rules.check(data, complete=False)
    if qr_code:
        validate_qr_code(qr_code)
    if notice_on is not None and kind != FilingKind.CLOSE:
        raise ValidationError({"notice_on": "只有关停备案填写关停公告日期。"})
    if notice_on is not None and notice_on < event_date:
        raise ValidationError({"notice_on": "关停公告日期不能早于事项发生日期。"})
    filing = Filing(account=account, kind=kind, event_date=event_date, reason=reason, form=form_rules.to_json(data),
                    created_by=user, notice_on=notice_on)
    if qr_code:
        filing.qr_code = qr_code
    filing.due_on = due_on_for(kind, event_date, account)
    filing.full_clean(exclude=["qr_code"])
    filing.save()
    audit.record_action(filing, "create", actor=user, changes={"status": [None, filing.status]})
    return filing


def _lock(filing: Filing) -> Filing:
    # Lock the filing row only: the supervisor join is nullable, and PostgreSQL cannot lock an outer join's side.
    return (
        Filing.objects.select_for_update(of=("self",))
        .select_related("account", "account__owner", "account__supervisor")
        .get(pk=filing.pk)
    )


@transaction.atomic
def filing_update(*, filing: Filing, user: User, event_date: dt.date | None = None, reason: str | None = None,
                  form: dict | None = None, qr_code=None) -> Filing:
    """Save a draft (or a returned filing) again. Nothing is required yet: a draft may be incomplete."""
    filing = _lock(filing)
    if not filing.is_editable:
        raise DomainConflict(f"备案状态为“{filing.get_status_display()}”，不能修改。")
    if not (filing.created_by_id == user.pk or access.can_file(user, filing.account)):
        raise PermissionDenied("您不能修改这份备案。")
    if event_date is not None:
        check_event_date(event_date)
        if filing.kind == FilingKind.DEREGISTER:
            check_deregistration_allowed(filing.account, event_date)
        filing.event_date = event_date
    if reason is not None:
        filing.reason = reason
    if form is not None and filing.kind in (FilingKind.OPEN, FilingKind.CHANGE, FilingKind.BACKFILL):
        form_rules.check(form, complete=False)
        if form.get("owner") is None:
            raise ValidationError({"owner": "请选择主办单位。"})
        if filing.kind == FilingKind.OPEN:
            check_filer_belongs(user=user, owner=form["owner"])
            account = filing.account
            for name, value in draft_account_fields(form).items():
                setattr(account, name, value)
            account.full_clean(exclude=["url"])
            account.save()
        filing.form = form_rules.to_json(form)
    if qr_code:
        validate_qr_code(qr_code)
        filing.qr_code = qr_code
    filing.due_on = due_on_for(filing.kind, filing.event_date, filing.account)
    filing.full_clean(exclude=["qr_code"])
    filing.save()
    return filing


@transaction.atomic
def filing_delete(*, filing: Filing, user: User) -> None:
    """Throw away a draft, or a refused filing its filer gives up (its decisions stay in the audit log); a
    draft or refused opening takes its never-opened account with it."""
    filing = _lock(filing)
    if filing.status not in (FilingStatus.DRAFT, FilingStatus.REJECTED):
        raise DomainConflict("只有草稿或被退回的备案可以删除；审批中和已通过的备案留作记录。")
    if not (filing.created_by_id == user.pk or access.can_file(user, filing.account)):
        raise PermissionDenied("您不能删除这份备案。")
    account = filing.account
    audit.record_action(filing, "delete", actor=user)
    filing.delete()
    if filing.kind == FilingKind.OPEN and account.status == AccountStatus.DRAFT and not account.filings.exists():
        account.delete()


@transaction.atomic
def filing_submit(*, filing: Filing, user: User) -> Filing:
    """Submit for approval: the form must be complete; an opening takes its owner's slot on the platform now."""
    filing = _lock(filing)
    if not filing.is_editable:
        raise DomainConflict(f"备案状态为“{filing.get_status_display()}”，不能提交。")
    if not (filing.created_by_id == user.pk or access.can_file(user, filing.account)):
        raise PermissionDenied("您不能提交这份备案。")
    account = filing.account
    if filing.status == FilingStatus.REJECTED:
        other = _open_filing(account)
        if other:
            raise DomainConflict(f"该账号已有未办结的{other.get_kind_display()}（编号 {other.pk}）。")
    check_event_date(filing.event_date)
    errors = {}
    if filing.kind != FilingKind.BACKFILL and not filing.reason.strip():
        errors["reason"] = ["请填写开办（变更、关停）理由。"]
    data = form_rules.from_json(filing.form)
    if filing.kind in (FilingKind.OPEN, FilingKind.CHANGE, FilingKind.BACKFILL):
        try:
            form_rules.check(data, complete=True)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if filing.kind == FilingKind.OPEN:
        check_filer_belongs(user=user, owner=data["owner"])
        check_one_live_per_platform(owner=data["owner"], platform=data["platform"], account=account)
        Account.objects.filter(pk=account.pk).update(status=AccountStatus.APPLYING)
        # An UPDATE bypasses the change log (issue 12): the account's own entry.
        audit.record_action(account, "update", actor=user, changes={"status": [account.status, AccountStatus.APPLYING.value]},
                            comment="提交开设备案")
    elif filing.kind == FilingKind.CHANGE and (data["owner"] != account.owner or data["platform"] != account.platform):
        check_one_live_per_platform(owner=data["owner"], platform=data["platform"], account=account)
    elif filing.kind == FilingKind.DEREGISTER:
        check_deregistration_allowed(account, filing.event_date)
    previous = filing.status
    filing.status = FilingStatus.PENDING
    filing.stage = FilingStage.OWNER_PRINCIPAL
    filing.rejection_comment = ""
    # The first submission is the one the 7-working-day deadline is judged by.
    filing.submitted_at = filing.submitted_at or timezone.now()
    filing.form = {**filing.form, "status_at_submission": account.status}
    filing.save()
    audit.record_action(filing, "submit", actor=user, changes={"status": [previous, filing.status]})
    _notify_deciders(filing)
    _emit(filing, "filing.submitted")
    return filing


@transaction.atomic
def filing_approve(*, filing: Filing, user: User, comment: str = "") -> Filing:
    """Approve the open stage. The supervisor's approval completes the filing and changes the account."""
    filing = _lock(filing)
    if filing.status != FilingStatus.PENDING:
        raise DomainConflict(f"备案状态为“{filing.get_status_display()}”，没有待审批的环节。")
    stage = filing.stage
    if not access.can_decide_filing(user, filing, stage):
        raise PermissionDenied(f"“{FilingStage(stage).label}”须由相应负责人审批，您没有该权限。")
    now = timezone.now()
    if stage == FilingStage.OWNER_PRINCIPAL:
        changes = {"stage": FilingStage.SUPERVISOR, "owner_opinion": comment.strip() or OWNER_DECLARATION,
                   "owner_approved_by": user, "owner_approved_at": now}
    else:
        changes = {"stage": "", "status": FilingStatus.APPROVED, "supervisor_opinion": comment.strip() or "同意。",
                   "supervisor_approved_by": user, "decided_at": now}
    # Claim the stage with a conditional UPDATE: of two approvers at once exactly one changes a row.
    won = Filing.objects.filter(pk=filing.pk, status=FilingStatus.PENDING, stage=stage).update(**changes, updated_at=now)
    if not won:
        raise DomainConflict("该环节已由他人处理。")
    for name, value in changes.items():
        setattr(filing, name, value)
    FilingDecision.objects.create(filing=filing, stage=stage, outcome=FilingDecision.Outcome.APPROVED, decided_by=user,
                                  decided_at=now, comment=comment)
    audit.record_action(filing, "approve", actor=user, comment=comment, changes={"stage": [stage, filing.stage or None]})
    if filing.status == FilingStatus.APPROVED:
        _apply_approved(filing, user)
        _emit(filing, "filing.approved", comment=comment)
    else:
        _notify_deciders(filing)
    return filing


@transaction.atomic
def filing_reject(*, filing: Filing, user: User, comment: str) -> Filing:
    """Return the filing to its filer with the reason; it may be corrected and submitted again."""
    if not (comment or "").strip():
        raise ValidationError({"comment": "退回时请填写意见。"})
    filing = _lock(filing)
    if filing.status != FilingStatus.PENDING:
        raise DomainConflict(f"备案状态为“{filing.get_status_display()}”，没有待审批的环节。")
    stage = filing.stage
    if not access.can_decide_filing(user, filing, stage):
        raise PermissionDenied(f"“{FilingStage(stage).label}”须由相应负责人审批，您没有该权限。")
    now = timezone.now()
    won = Filing.objects.filter(pk=filing.pk, status=FilingStatus.PENDING, stage=stage).update(
        status=FilingStatus.REJECTED, stage="", rejection_comment=comment, updated_at=now
    )
    if not won:
        raise DomainConflict("该环节已由他人处理。")
    filing.status, filing.stage, filing.rejection_comment = FilingStatus.REJECTED, "", comment
    FilingDecision.objects.create(filing=filing, stage=stage, outcome=FilingDecision.Outcome.REJECTED, decided_by=user,
                                  decided_at=now, comment=comment)
    if filing.kind == FilingKind.OPEN:
        # A refused opening gives its owner's slot on the platform back.
        if Account.objects.filter(pk=filing.account_id, status=AccountStatus.APPLYING).update(status=AccountStatus.DRAFT):
            audit.record_action(filing.account, "update", actor=user, comment="开设备案被退回",
                                changes={"status": [AccountStatus.APPLYING.value, AccountStatus.DRAFT.value]})
    audit.record_action(filing, "reject", actor=user, comment=comment, changes={"status": [FilingStatus.PENDING, filing.status]})
    _notify(users=[filing.created_by], text=f"您提交的“{filing}”被退回：{comment}", filing=filing, kind="filing_rejected")
    _emit(filing, "filing.rejected", comment=comment, stage=stage)
    return filing


@transaction.atomic
def filing_record_references(*, filing: Filing, user: User, city_reference: str | None = None,
                             province_reference: str | None = None, national_reference: str | None = None) -> Filing:
    """Record the approvals above (city, province, the national 报送系统 number). Supervisors only."""
    filing = _lock(filing)
    if not access.can_decide_filing(user, filing, FilingStage.SUPERVISOR):
        raise PermissionDenied("只有主管单位可以登记上级审批信息。")
    if filing.status == FilingStatus.DRAFT:
        raise DomainConflict("草稿尚未提交，不能登记上级审批信息。")
    changes = {}
    for name, value in (("city_reference", city_reference), ("province_reference", province_reference),
                        ("national_reference", national_reference)):
        if value is not None and value != getattr(filing, name):
            changes[name] = [getattr(filing, name), value]
            setattr(filing, name, value.strip())
    filing.full_clean(exclude=["qr_code"])
    filing.save()
    if national_reference and filing.status == FilingStatus.APPROVED:
        account = filing.account
        if account.national_reference != national_reference.strip():
            Account.objects.filter(pk=account.pk).update(national_reference=national_reference.strip())
            audit.record_action(account, "update", actor=user,
                                changes={"national_reference": [account.national_reference, national_reference.strip()]})
    audit.record_action(filing, "references", actor=user, changes=changes)
    return filing


def _apply_approved(filing: Filing, user: User) -> None:
    """What an approved filing does to the account (SPEC "Filings")."""
    account = Account.objects.select_for_update().get(pk=filing.account_id)
    before = account.status
    kind = filing.kind
    if kind in (FilingKind.OPEN, FilingKind.CHANGE, FilingKind.BACKFILL):
        data = form_rules.from_json(filing.form)
        if data["owner"] is None:
            raise ValidationError({"owner": "备案中的主办单位已不存在。"})
        if kind == FilingKind.OPEN or data["owner"] != account.owner or data["platform"] != account.platform:
            check_one_live_per_platform(owner=data["owner"], platform=data["platform"], account=account)
        if kind == FilingKind.OPEN:
            account.status = AccountStatus.RUNNING
            account.opened_on = data.get("registered_on") or filing.event_date
        form_rules.apply_to_account(account, data, effective_on=filing.event_date, qr_code=filing.qr_code or None)
    elif kind == FilingKind.CLOSE:
        account.status = AccountStatus.CLOSING
        # The notice period counts from the notice date recorded on the filing, by default its approval.
        if filing.notice_on is None:
            filing.notice_on = timezone.localdate()
            Filing.objects.filter(pk=filing.pk).update(notice_on=filing.notice_on)
            audit.record_action(filing, "update", actor=user, changes={"notice_on": [None, filing.notice_on.isoformat()]},
                                comment="关停公告日期默认为审批通过日")
        account.closure_notice_on = filing.notice_on
        account.save(update_fields=["status", "closure_notice_on"])
    elif kind == FilingKind.DEREGISTER:
        check_deregistration_allowed(account, filing.event_date)
        account.status = AccountStatus.DEREGISTERED
        account.save(update_fields=["status"])
    if filing.national_reference:
        account.national_reference = filing.national_reference
        account.save(update_fields=["national_reference"])
    if account.status != before:
        audit.record_action(account, f"filing_{kind}", actor=user, comment=f"备案编号 {filing.pk}",
                            changes={"status": [before, account.status]})
    _notify(users=[filing.created_by], text=f"“{filing}”已审批通过。", filing=filing, kind="filing_approved")


def _emit(filing: Filing, event: str, *, comment: str = "", stage: str | None = None) -> None:
    """Tell subscribed systems (webhooks) of the owner's unit and above; sent after the commit."""
    if not subscribed(event):
        return
    account = Account.objects.select_related("owner").get(pk=filing.account_id)  # an approved change may move it
    emit(event, organisation=account.owner, data={
        "filing": filing.pk, "kind": filing.kind, "status": filing.status, "stage": stage or filing.stage or None,
        "event_date": filing.event_date, "comment": comment, "account": account.pk, "account_name": account.name,
        "platform": account.platform, "account_status": account.status, "owner": account.owner_id,
        "supervisor": account.supervisor_id, "national_reference": filing.national_reference,
    })


def _decider_users(filing: Filing):
    account = filing.account
    if filing.stage == FilingStage.OWNER_PRINCIPAL:
        return User.objects.filter(memberships__organisation=account.owner, memberships__role=Role.PRINCIPAL, is_active=True)
    ids = set(account.owner.ancestor_ids()) | set(account.supervisor.ancestor_ids() if account.supervisor_id else [])
    return User.objects.filter(
        pk__in=Membership.objects.filter(role=Role.SUPERVISOR, organisation_id__in=ids).values("user_id"), is_active=True
    )


def _notify_deciders(filing: Filing) -> None:
    _notify(users=list(_decider_users(filing).distinct()), text=f"“{filing}”等待您审批（{filing.get_stage_display()}）。",
            filing=filing, kind="filing_pending")


def _notify(*, users, text: str, filing: Filing, kind: str) -> None:
    notify(users=users, kind=kind, text=text, url=reverse("filing-detail", args=[filing.pk]))
