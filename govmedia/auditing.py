"""Which models the audit log follows: the one place (issue 12, "every change of every business model").

The project sits above every room, so it may name every model. `register_all` runs in GovmediaConfig.ready().
`tests/security/test_audit_registry.py` holds every concrete model of our apps to being in AUDITED or EXEMPT:
a new model fails that test until someone decides here.
"""
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib import admin

from govmedia.core import audit
from govmedia.core.models import AuditEntry
from reports import selfcheck
from rules.definitions import RULES

# Model label → django-auditlog options. Fields left out are secrets or bookkeeping that machines rewrite (a
# change of only those fields writes no entry).
AUDITED = {
    "core.CalendarYear": {},
    "core.CalendarDay": {},
    "organisations.Organisation": {},
    "organisations.RegionCalendarDay": {},
    # Never the password hash; last_login changes at every sign-in, which the "login" security event records.
    "organisations.User": {"exclude_fields": ["password", "last_login"], "m2m_fields": {"groups", "user_permissions"}},
    "organisations.Membership": {},
    # The key's hash is a credential; last_used_at moves on every request.
    "organisations.ApiToken": {"exclude_fields": ["key_hash", "last_used_at"]},
    "webhooks.Webhook": {"exclude_fields": ["secret"]},
    "rules.ChecklistVersion": {},
    "rules.ChecklistItem": {},
    # last_*_on are recomputed from updates by machines.
    "accounts.Account": {"exclude_fields": ["last_updated_on", "last_original_on"]},
    "accounts.AccountTeamMember": {},
    "accounts.Filing": {"exclude_fields": ["form", "updated_at"]},
    "accounts.FilingDecision": {},
    "accounts.AccountMenu": {},
    # Update records decide whether an account or column is stale: one entered by hand is a business change.
    "accounts.AccountUpdate": {},
    "accounts.AccountStatusChange": {},
    "accounts.CredentialChange": {},
    "accounts.ProvinceNoticeChange": {},
    "sites.Site": {"exclude_fields": ["homepage_updated_on"]},
    "sites.Column": {"exclude_fields": ["last_updated_on", "feed_error", "crawl_error"]},
    "sites.ColumnUpdate": {},
    "publishing.Post": {"exclude_fields": ["warnings", "updated_at"]},
    "publishing.PostRevision": {},
    "publishing.PostAttachment": {},
    "publishing.CoProducer": {},
    "publishing.Publication": {},
    "publishing.WordList": {},
    "publishing.WordEntry": {},
    # Who may act on a post (reviewers' object permissions): access grants.
    "publishing.PostUserObjectPermission": {},
    "publishing.PostGroupObjectPermission": {},
    "review.ReviewPolicy": {},
    "review.ReviewRun": {},
    "review.ReviewTask": {"exclude_fields": ["overdue_notified_at"]},
    # queued_at/attempts are the sweeper's bookkeeping, not a decision.
    "inspections.Inspection": {"exclude_fields": ["queued_at", "attempts"]},
    "inspections.Finding": {},
    "inspections.Rectification": {},
    "inspections.MessagePolicy": {},
    "inspections.ErrorReport": {},
    "inspections.Message": {},
    "scanning.ScanLimits": {},
    # A scan's progress counters move while it runs; its start, end and outcome are kept.
    "scanning.Scan": {"exclude_fields": ["pages", "checked", "discovered", "bytes_read", "current_url"]},
    "scanning.Dismissal": {},
    "reports.Bulletin": {"exclude_fields": ["data"]},
    "reports.SelfInspection": {},
    # A report's snapshot is large and kept in the row itself; who revised it, when and why is logged.
    "reports.ReportRevision": {"exclude_fields": ["data"]},
    # Who asked for which report file; progress and the sweeper's bookkeeping move while it runs.
    "reports.Export": {"exclude_fields": ["progress", "heartbeat_at", "attempts", "queued_at", "started_at"]},
    # Third-party models whose changes are security changes: groups, object permissions, second-factor devices
    # (never their keys or tokens), and the beat schedule (switching off the daily inspection is a change).
    "auth.Group": {"m2m_fields": {"permissions"}},
    "guardian.UserObjectPermission": {},
    "guardian.GroupObjectPermission": {},
    "otp_totp.TOTPDevice": {"include_fields": ["user", "name", "confirmed"]},
    "otp_static.StaticDevice": {"include_fields": ["user", "name", "confirmed"]},
    "otp_static.StaticToken": {"include_fields": ["device"]},
    "django_celery_beat.PeriodicTask": {"exclude_fields": ["last_run_at", "total_run_count", "date_changed"]},
}

# Models of our apps that are not change-logged, and why. Rule: rows that machines write as observations or
# deliveries (high volume, each row is itself a record of what was seen or sent), caches, and the log itself.
EXEMPT = {
    "core.AuditEntry": "the audit log itself (append-only, chained)",
    "core.AuditArchive": "append-only record of archive runs; each run writes its own audit entry",
    "core.IdempotencyRecord": "a 24-hour replay cache of API answers, not a change of anything",
    "notifications.Notification": "messages derived from audited events; reading one changes nothing",
    "webhooks.Delivery": "outbound delivery queue; each row is the record of a sending",
    "webhooks.DeliveryAttempt": "one row per sending attempt: itself a log",
    "sites.Probe": "availability probe, 48 rows a day per site: an observation",
    "sites.LinkCheck": "a link-check run's record, written by the checker",
    "sites.BrokenLink": "a broken link seen by the checker; opened and closed by machines only",
    "scanning.ScannedPage": "a page read by the scanner (text, links, hashes): an observation, high volume",
}

class AuditedAdminMixin:
    """Every admin page: what the superuser saves or deletes there is in the audit log with him as actor. Models
    the audit log follows are logged by auditlog's signals (Django's bulk "delete selected" deletes through the
    collector, which sends them); for the others (sign-in records of axes, monitoring rows, ...) this writes the
    entries itself."""

    def _followed(self):
        return auditlog.contains(self.model)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not self._followed():
            _admin_entry(obj, request, "update" if change else "create", {name: [None, "（已修改）"] for name in form.changed_data})

    def delete_model(self, request, obj):
        if not self._followed():
            _admin_entry(obj, request, "delete", {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not self._followed():
            for obj in queryset:
                _admin_entry(obj, request, "delete", {})
        super().delete_queryset(request, queryset)


def _admin_entry(obj, request, action, changes):
    code = {"create": AuditEntry.Action.CREATE, "update": AuditEntry.Action.UPDATE, "delete": AuditEntry.Action.DELETE}
    AuditEntry.objects.log_create(obj, force_log=True, action=code[action], changes=changes, actor=request.user,
                                  additional_data={"via": "admin"})


def audit_admin_pages() -> None:
    """Give every registered ModelAdmin the mixin (admin registrations live in each room and in libraries)."""
    for model, model_admin in list(admin.site._registry.items()):
        cls = type(model_admin)
        if model._meta.label in EXEMPT_FROM_ADMIN_AUDIT or issubclass(cls, AuditedAdminMixin):
            continue
        model_admin.__class__ = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {"__module__": __name__})


# The log's own admin is read-only (govmedia/core/admin.py).
EXEMPT_FROM_ADMIN_AUDIT = {"core.AuditEntry", "core.AuditArchive"}


OUR_APPS = ("core", "organisations", "notifications", "webhooks", "rules", "accounts", "sites", "publishing", "review",
            "inspections", "scanning", "reports")


def register_labels() -> None:
    """Give the audit page the words for codes and field names inside structured values (a review policy's
    stages, a checklist item's thresholds): every choice of our models and every rule, as their models and rules
    define them; a code with two meanings keeps its first."""
    for code, rule in RULES.items():
        audit.VALUE_LABELS.setdefault(code, rule.label)
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            audit.KEY_LABELS.setdefault(field.name, str(field.verbose_name))
            for value, label in field.flatchoices if field.choices else ():
                if isinstance(value, str) and value:
                    audit.VALUE_LABELS.setdefault(value, str(label))
    audit.KEY_LABELS.setdefault("days", "天数")
    # The self-inspection form's answers (reports.selfcheck): its indicators, results and signers.
    for indicator in selfcheck.INDICATORS:
        audit.VALUE_LABELS.setdefault(indicator.code, indicator.text)
        audit.KEY_LABELS.setdefault(indicator.code, indicator.text)
    for value, label in selfcheck.RESULT_CHOICES:
        audit.VALUE_LABELS.setdefault(value, label)
    for name, field in selfcheck.SelfInspectionForm.base_fields.items():
        audit.KEY_LABELS.setdefault(name, str(field.label))
    audit.KEY_LABELS.update({"result": "结论", "note": "说明"})
    # The rest of the stored prefill (selfcheck.prefill): its report period and checklist version.
    # Generic names keep a model field's label where one exists, except these, whose first model's labels ("ID",
    # 单位名称, 幂等键) mislead inside a structured value.
    audit.KEY_LABELS.update({"id": "编号", "name": "名称", "key": "期号"})
    for key, label in {
        "indicators": "各项指标", "known": "系统判定", "rules": "依据规则", "own_accounts": "本级账号",
        "sub_accounts": "下级账号", "report_period": "报告期", "checklist_version": "检查指标版本", "name": "名称",
        "type": "类型", "unit": "单位", "key": "期号", "label": "名称", "start": "起始日期", "end": "截止日期",
        "as_of": "统计截至", "complete": "整期已结束",
    }.items():
        audit.KEY_LABELS.setdefault(key, label)
    audit.MODEL_NAMES.update({
        "auth.group": "用户组", "guardian.userobjectpermission": "对象权限（人员）",
        "guardian.groupobjectpermission": "对象权限（用户组）", "otp_totp.totpdevice": "动态口令设备",
        "otp_static.staticdevice": "恢复码设备", "otp_static.statictoken": "恢复码",
        "django_celery_beat.periodictask": "定时任务",
    })


def register_all() -> None:
    for label, options in AUDITED.items():
        auditlog.register(apps.get_model(label), **options)
    audit_admin_pages()
    register_labels()
