"""Writing to and reading from the audit log."""
import datetime as dt
from collections import defaultdict

from auditlog.context import auditlog_value
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


def record_action(instance, action: str, *, actor, comment: str = "", changes: dict | None = None) -> AuditEntry:
    """Record a workflow action (submit, approve, return, reply ...) on `instance`."""
    data = {"action": action}
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


def entries_for_object(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_pk=str(instance.pk)
    ).select_related("actor")



# How office staff read an entry: the workflow action, or the kind of model change, in Chinese.
ACTION_LABELS = {
    "create": "新增", "update": "修改", "delete": "删除", "access": "查看",
    "submit": "提交", "approve": "同意", "reject": "退回", "return": "退回", "withdraw": "撤回",
    "publish": "发布", "reply": "答复", "rectify": "整改", "edit": "编辑", "restart": "重新送审",
    "attach": "添加附件", "replace": "替换", "configure": "设置", "exemption": "登记豁免",
    "references": "登记上级审批编号", "register_existing": "登记已开设账号", "import": "导入",
    "grant_role": "分配角色", "withdraw_role": "撤销角色",
    "filing_open": "开设备案通过", "filing_change": "变更备案通过", "filing_close": "关停备案通过",
    "filing_deregister": "注销备案通过", "filing_backfill": "补办备案通过",
    "token_issue": "签发令牌", "token_rotate": "轮换令牌", "token_revoke": "撤销令牌", "logout": "退出登录",
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


def _plain(field, value) -> str:
    if _is_empty(value):
        return ""
    text = str(value)
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
