"""Writing to and reading from the audit log."""
import ast
import datetime as dt
import json
from collections import defaultdict

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from .models import AuditEntry


def set_actor(user) -> None:
    """Name the actor of this request's log entries once authentication is known.

    Auditlog's middleware reads the user before DRF's token authentication runs, so API views call this.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if user is not None and user.is_authenticated:
        context["actor"] = user


def record_action(instance, action: str, *, actor, comment: str = "", changes: dict | None = None,
                  data: dict | None = None) -> AuditEntry:
    """Record a workflow action (submit, approve, return, reply ...) on `instance`. `data` adds figures kept
    with the entry (a bulk operation's counts); the page shows `comment`, so say them there in words too."""
    data = {**(data or {}), "action": action}
    if hasattr(instance, "get_additional_data"):
        data.update(instance.get_additional_data() or {})
    if comment:
        data["comment"] = comment
    return AuditEntry.objects.log_create(
        instance,
        force_log=True,
        action=AuditEntry.Action.UPDATE,
        actor=actor,
        changes=changes or {},
        additional_data=data,
    )


# API.md "Security": entries with these `workflow_action`s are the security events (plus file downloads).
SECURITY_EVENTS = (
    "login", "login_failed", "logout", "lockout", "password_change", "password_reset",
    "role_grant", "role_revoke", "token_revoke", "file_download",
)


def client_address(request) -> str | None:
    """The caller's address. `X-Forwarded-For` is trusted only behind `TRUSTED_PROXY_COUNT` proxies of our own
    (the address the outermost of them saw), else anyone could write any address into the audit log."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware(AuditlogMiddleware):
    """Auditlog's middleware, with the caller's address taken as `client_address` does (auditlog's own believes any
    `X-Forwarded-For`)."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)


def record_security_event(action: str, *, actor=None, target=None, request=None,
                          detail: dict | None = None) -> AuditEntry:
    """Record a security event (sign-in, failure, lockout, password change or reset, role grant or withdrawal,
    token revocation, file download) with the caller's address.

    `target` is what the event concerns (the user whose password was reset, the membership, the token, the file's
    object); it defaults to the actor. A failed sign-in for an unknown name has neither: the entry then concerns
    the user model with an empty id, and `detail` (e.g. {"username": ...}) says who was tried. `detail` is kept in
    `additional_data` (never put secrets into it) and may carry "organisation" and "comment".
    """
    if action not in SECURITY_EVENTS:
        raise ValueError(f"Not a security event: {action}")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    subject = target if target is not None else actor
    data = {"action": action}
    if subject is not None and hasattr(subject, "get_additional_data"):
        data.update(subject.get_additional_data() or {})
    data.update(detail or {})
    if subject is not None:
        content_type = ContentType.objects.get_for_model(subject)
        object_pk, object_repr = str(subject.pk), str(subject)
    else:
        content_type = ContentType.objects.get_for_model(get_user_model())
        object_pk, object_repr = "", str(data.get("username", ""))[:150]
    object_id = int(object_pk) if object_pk.isdigit() else None
    return AuditEntry.objects.create(
        content_type=content_type,
        object_pk=object_pk,
        object_id=object_id,
        object_repr=object_repr,
        action=AuditEntry.Action.ACCESS if action == "file_download" else AuditEntry.Action.UPDATE,
        changes={},
        actor=actor,
        actor_email=getattr(actor, "email", None) if actor is not None else None,
        remote_addr=client_address(request),
        additional_data=data,
        cid=get_cid(),
    )


def entries_for_object(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_pk=str(instance.pk)
    ).select_related("actor")



# How office staff read an entry: the workflow action, or the kind of model change, in Chinese.
ACTION_LABELS = {
    "create": "新增", "update": "修改", "delete": "删除", "access": "查看",
    "submit": "提交", "approve": "同意", "reject": "退回", "return": "退回", "withdraw": "撤回",
    "publish": "发布", "reply": "答复", "rectify": "整改", "rectify_accept": "整改审核通过", "rectify_reject": "整改退回", "edit": "编辑", "restart": "重新送审",
    "attach": "添加附件", "replace": "替换", "configure": "设置", "exemption": "登记豁免",
    "references": "登记上级审批编号", "register_existing": "登记已开设账号", "import": "导入",
    "grant_role": "分配角色", "withdraw_role": "撤销角色",
    "filing_open": "开设备案通过", "filing_change": "变更备案通过", "filing_close": "关停备案通过",
    "filing_deregister": "注销备案通过", "filing_backfill": "补办备案通过",
    "token_issue": "签发令牌", "token_rotate": "轮换令牌", "token_revoke": "撤销令牌", "logout": "退出登录",
    "login": "登录", "login_failed": "登录失败", "lockout": "账号锁定", "password_change": "修改密码",
    "password_reset": "重置密码", "role_grant": "授予角色", "role_revoke": "撤销角色", "file_download": "下载文件",
    "archive": "归档", "otp_reset": "重置双因素认证",
    # An inspection run's bulk writes (one entry per kind and run, with the counts).
    "findings_open": "检查新增问题", "findings_rectify": "检查确认整改", "findings_overdue": "检查标记逾期",
}
MODEL_ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}
MAX_VALUE_CHARS = 140


def action_label(entry) -> str:
    code = entry.workflow_action or (entry.additional_data or {}).get("action") or MODEL_ACTIONS.get(entry.action, "")
    return ACTION_LABELS.get(code, code)


def _is_empty(value) -> bool:
    return value is None or value in ("", "None")


def _field(model, name):
    """The concrete field `name` of `model`, None for names that are not one (workflow extras), and False for
    what says nothing to a reader: reverse relations (auditlog records them on creation), the primary key and
    automatic timestamps."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.auto_created and not field.concrete or field.many_to_many or field.primary_key:
        return False
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False  # the entry's own time says it
    return field


# Filled by the project (govmedia/auditing.py) from every model's choices and fields: core knows no app, but a
# structured value (a review policy's stages) holds their codes, which a reader must see as labels.
VALUE_LABELS: dict[str, str] = {}
KEY_LABELS: dict[str, str] = {}
# Chinese names of the installed packages' models the log follows (their own names are English).
MODEL_NAMES: dict[str, str] = {}


def model_name(model) -> str:
    return MODEL_NAMES.get(model._meta.label_lower, str(model._meta.verbose_name))


def _readable(value) -> str:
    """A structured value (a list of menus, a dict of thresholds) as text, never as JSON, a repr or a code."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(t for t in (_readable(v) for v in value) if t)
    if isinstance(value, dict):
        return "，".join(f"{KEY_LABELS.get(k, k)}：{_readable(v)}" for k, v in value.items() if _readable(v))
    if isinstance(value, str):
        return VALUE_LABELS.get(value, value)
    return str(value)


def _structured(text: str):
    """The list or dict a JSON (or repr) text holds, else None."""
    if not text[:1] in ("[", "{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None


def _plain(field, value) -> str:
    if _is_empty(value):
        return ""
    text = str(value)
    structured = _structured(text) if isinstance(value, str) else value if isinstance(value, (list, dict)) else None
    if structured is not None:
        text = _readable(structured)
        return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    if field is None:
        return text
    if field.choices:
        return str(dict(field.flatchoices).get(text, dict(field.flatchoices).get(value, text)))
    if isinstance(field, models.BooleanField):
        return {"True": "是", "False": "否"}.get(text, text)
    if isinstance(field, models.DateTimeField):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_naive(moment):  # auditlog keeps datetimes as naive UTC
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def describe(entries):
    """Give each entry `action_label` and `change_rows` [(label, before, after)] in the office's words: field
    labels instead of names, choice labels, 是/否, local times, and related objects by name (one query per
    related model for all the entries together, not one per value)."""
    entries = list(entries)
    pending = []  # (row, index in row, related model, pk)
    wanted = defaultdict(set)
    for entry in entries:
        entry.action_label = action_label(entry)
        model = entry.content_type.model_class() if entry.content_type_id else None
        entry.object_type_label = model_name(model) if model else ""
        rows = []
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is False:
                continue
            before, after = (list(values) + [None, None])[:2] if isinstance(values, (list, tuple)) else (None, values)
            if _is_empty(before) and _is_empty(after):
                continue
            label = str(getattr(field, "verbose_name", "") or name) if field else name
            row = [label, _plain(field, before), _plain(field, after)]
            if field is not None and field.many_to_one or field is not None and field.one_to_one:
                for index, value in ((1, before), (2, after)):
                    if not _is_empty(value):
                        pending.append((row, index, field.related_model, str(value)))
                        wanted[field.related_model].add(str(value))
            if row[1] != row[2]:
                rows.append(row)
        entry.change_rows = rows
    names = {}
    for related, pks in wanted.items():
        valid = []
        for pk in pks:
            try:
                valid.append(related._meta.pk.to_python(pk))
            except Exception:  # noqa: BLE001 - an old entry may hold a value of another type; show it as is
                continue
        names[related] = {str(pk): str(obj) for pk, obj in related._base_manager.in_bulk(valid).items()}
    for row, index, related, pk in pending:
        row[index] = names.get(related, {}).get(pk, row[index])
    return entries
