"""Writes of the account register: accounts brought in directly, their day-to-day facts, exemptions and update
records, and the checks the 备案 workflow (accounts/filing_services.py) shares (SPEC "Accounts", qingdao §5, 19).

Views, serializers and tasks call these; the rules live here. Every write is atomic.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from govmedia.core import audit, records
from govmedia.core.files import check_upload
from govmedia.core.workdays import add_workdays

from accounts import filings as form_rules
from accounts.models import LIVE_STATUSES, Account, AccountStatus, AccountUpdate
from organisations import access
from organisations.models import Organisation, User
from rules import thresholds

QR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


# --- Checks shared with the 备案 workflow ------------------------------------------------------------------

def check_one_live_per_platform(*, owner: Organisation, platform: str, account: Account | None) -> None:
    """One live account per owner and platform (jinan §10, qingdao §5): name the existing one in the refusal."""
    if account is not None and account.exemption_reason:
        return
    clash = Account.objects.filter(owner=owner, platform=platform, status__in=LIVE_STATUSES, exemption_reason="")
    if account is not None and account.pk:
        clash = clash.exclude(pk=account.pk)
    existing = clash.first()
    if existing:
        raise ValidationError({
            "platform": (
                f"“{owner.name}”在{existing.get_platform_display()}平台已有在用账号“{existing.name}”"
                f"（编号 {existing.pk}，{existing.get_status_display()}）。一个单位在同一平台只能开设一个政务新媒体账号；"
                "确需保留的，请主管单位登记豁免理由。"
            )
        })


def check_filer_belongs(*, user: User, owner: Organisation) -> None:
    """No one may open an account in the name of a unit they do not belong to (qingdao §5: 禁止个人以单位名义开办)."""
    if not access.can_act_for_unit(user, owner):
        raise ValidationError({"owner": f"您不是“{owner.name}”的工作人员，不能以该单位名义开设或登记账号。"})


def validate_qr_code(upload) -> None:
    """A QR code must be a real, small image: its type by content (core.files "qr"), then opened with Pillow."""
    check_upload("qr", upload, field="qr_code")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"qr_code": "二维码文件不是有效的图片。"}) from None
    finally:
        upload.seek(0)
    if image_format not in QR_FORMATS:
        raise ValidationError({"qr_code": "二维码图片须为 PNG、JPEG、GIF 或 WEBP 格式。"})
    if width > 4000 or height > 4000 or width < 50 or height < 50:
        raise ValidationError({"qr_code": "二维码图片尺寸应在 50×50 到 4000×4000 像素之间。"})


def rules_effective_on() -> dt.date | None:
    """The deployment's default date the rules took effect (GOVMEDIA_RULES_EFFECTIVE_ON), for a pack that names none."""
    value = getattr(settings, "GOVMEDIA_RULES_EFFECTIVE_ON", None)
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    return value or None


def backfill_span_for(owner: Organisation, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """When an account brought into the register must be backfilled: the owner's backfill_late item's working days
    after its effective date (the pack's `effective_on`, else GOVMEDIA_RULES_EFFECTIVE_ON, else today), as
    (start, due); (None, None) where the unit's rules require no backfill. The start is stored too, so that a
    calendar change recounts the due date (accounts/calendar_dates.py)."""
    workdays = thresholds.value(owner, "backfill_late", "workdays", today)
    if not workdays:
        return None, None
    effective = thresholds.value(owner, "backfill_late", "effective_on", today)
    effective = dt.date.fromisoformat(effective) if effective else (rules_effective_on() or today)
    return effective, add_workdays(effective, int(workdays), owner)


def backfill_due_on_for(owner: Organisation, today: dt.date) -> dt.date | None:
    return backfill_span_for(owner, today)[1]


def draft_account_fields(data: dict) -> dict:
    """The account row a form gives before any approval: what the register lists and the one-per-platform rule reads."""
    return {
        "name": data.get("name") or "（未命名账号）", "platform": data.get("platform") or "other",
        "account_type": data.get("account_type") or "", "platform_id": data.get("platform_id") or "",
        "owner": data["owner"], "supervisor": data.get("supervisor"), "operator": data.get("operator") or data["owner"],
        "url": data.get("url") or "",
    }


# --- Accounts brought into the register directly, and their day-to-day facts ---------------------------------

@transaction.atomic
def account_register_existing(*, user: User, form: dict, feed_url: str = "", password_changed_on: dt.date | None = None,
                              has_interaction: bool = True, opened_by_individual: bool = False,
                              qr_code=None) -> Account:
    """Bring an account that already runs into the register (status running); its backfill filing is then due as
    the owner's checklist says (backfill_due_on_for; qingdao §19: 20 working days after the rules took effect).

    A legacy account opened by an individual in a unit's name is recorded as such (so inspections report it)
    rather than refused: refusing would hide an account that exists and must be dealt with.
    """
    errors = {}
    for name in ("name", "platform", "owner"):
        if form.get(name) in (None, ""):
            errors[name] = [f"请填写{form_rules.FIELD[name].label}。"]
    if errors:
        raise ValidationError(errors)
    form_rules.check(form, complete=False)
    if not access.can_act_for_unit(user, form["owner"]):
        raise PermissionDenied(f"您不是“{form['owner'].name}”的工作人员，不能为其登记账号。")
    check_one_live_per_platform(owner=form["owner"], platform=form["platform"], account=None)
    if qr_code:
        validate_qr_code(qr_code)
    today = timezone.localdate()
    backfill_start, backfill_due = backfill_span_for(form["owner"], today)
    account = Account(
        status=AccountStatus.RUNNING, feed_url=feed_url, password_changed_on=password_changed_on,
        has_interaction=has_interaction, opened_by_individual=opened_by_individual,
        backfill_due_on=backfill_due, backfill_start_on=backfill_start, **draft_account_fields(form),
    )
    account.opened_on = form.get("registered_on") or form.get("operation_started_on") or today
    account.full_clean(exclude=["url", "qr_code"])
    account.save()
    form_rules.apply_to_account(account, form, effective_on=account.opened_on)
    if qr_code:
        account.qr_code = qr_code
        account.save(update_fields=["qr_code"])
    audit.record_action(account, "register_existing", actor=user, changes={"status": [None, account.status]})
    return account


OPERATIONAL_FIELDS = {"password_changed_on", "followers", "feed_url", "has_interaction"}
SUPERVISOR_FIELDS = {"province_notice_count", "opened_by_individual"}


@transaction.atomic
def account_update_facts(*, account: Account, user: User, **fields) -> Account:
    """Day-to-day facts that need no filing: the password change date (never the password), followers, feed,
    interaction. A password changed on or after a departure clears the "must change" mark."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    unknown = set(fields) - OPERATIONAL_FIELDS - SUPERVISOR_FIELDS
    if unknown:
        raise ValidationError({name: ["该项属于备案登记表内容，请通过变更备案修改。"] for name in sorted(unknown)})
    if not access.can_file(user, account):
        raise PermissionDenied("您不能修改该账号。")
    if set(fields) & SUPERVISOR_FIELDS and not user.supervises(account.owner):
        raise PermissionDenied("只有主管单位可以修改通报次数或个人开设标记。")
    changed = fields.get("password_changed_on")
    if changed and changed > timezone.localdate():
        raise ValidationError({"password_changed_on": "修改日期不能晚于今天。"})
    for name, value in fields.items():
        setattr(account, name, value)
    if changed and account.credential_change_due_since and changed >= account.credential_change_due_since:
        account.credential_change_due_since = None
    account.full_clean(exclude=["url", "qr_code"])
    account.save()
    return account


@transaction.atomic
def account_record_exemption(*, account: Account, user: User, reason: str) -> Account:
    """A supervisor allows a second live account on one platform, with the reason (or withdraws it with "")."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if not user.supervises(account.owner):
        raise PermissionDenied("只有主管单位可以登记同平台多账号豁免。")
    reason = (reason or "").strip()
    if not reason and account.exemption_reason and account.is_live:
        check_one_live_per_platform(owner=account.owner, platform=account.platform, account=Account(pk=account.pk))
    before = account.exemption_reason
    account.exemption_reason = reason
    account.save(update_fields=["exemption_reason"])
    audit.record_action(account, "exemption", actor=user, comment=reason, changes={"exemption_reason": [before, reason]})
    return account


# --- Account updates: every path (publication, API, import, feed) records them here ------------------------
# The account's denormalised `last_updated_on` (and `last_original_on`) move forward in the same transaction,
# by a conditional UPDATE, so concurrent records never move them backwards (govmedia/core/records.py).


@transaction.atomic
def account_add_update(*, account, published_at, title, url="", original=True, source="api", external_id=""):
    """Record one update of an account; returns (update, created). A repeated `external_id` or url adds nothing."""
    update, created = records.create_once(
        AccountUpdate, subject={"account": account}, external_id=external_id,
        published_at=published_at, title=title[:500], url=url, original=original, source=source,
    )
    if created:
        day = records.local_date(published_at)
        records.advance_date(Account, account.pk, "last_updated_on", day)
        if original:
            records.advance_date(Account, account.pk, "last_original_on", day)
    return update, created


@transaction.atomic
def account_add_updates(*, items: list[dict], source: str = "api") -> tuple[int, int]:
    """Record many updates at once (a bulk push; each item: account id, published_at, title, url, original);
    returns (created, ignored). One INSERT for the records, skipping any whose (account, url) is stored already
    or repeats an earlier item; then ONE UPDATE moving each account's `last_updated_on` and `last_original_on`
    forward to its newest new record, by the same rule as `account_add_update`, in the same transaction.
    The caller has checked the items and that the user may record updates for every account."""
    rows = [
        AccountUpdate(
            account_id=item["account"], published_at=item["published_at"], title=item["title"][:500],
            url=item.get("url", ""), original=item.get("original", True), source=source,
        )
        for item in items
    ]
    created, ignored = records.create_many(AccountUpdate, rows, "account")
    days = records.newest_days(created, "account", "last_updated_on")
    originals = records.newest_days(created, "account", "last_original_on", only=lambda row: row.original)
    for pk, per_account in originals.items():
        days[pk].update(per_account)
    records.advance_dates(Account, days)
    return len(created), ignored
