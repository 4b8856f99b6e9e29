from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from . import auditchain


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule the office has entered in full.

    For such a year every date not listed in CalendarDay follows the weekday rule with authority;
    for a year neither the package nor the office covers, the weekday rule is only a fallback.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    announcement = models.CharField("国务院办公厅通知文号", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   verbose_name="录入人")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "已录入的年度安排"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.year}年节假日安排"


class CalendarDay(models.Model):
    """One date the office declares a working day or a day off, overriding the package and the weekday rule."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：春节、国庆节调休上班")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   verbose_name="录入人")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "日历调整"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class AuditEntryManager(LogEntryManager):
    def bulk_create(self, *args, **kwargs):
        # bulk_create skips save(): the entries would not be chained (and verify_audit would fail on them).
        raise TypeError("审计日志须逐条写入，每条与上一条以哈希相连；不能批量写入。")


class AuditEntry(AbstractLogEntry):
    """The append-only audit log (django-auditlog's entry with the unit it concerns, for scoped reading).

    Model changes are written by auditlog's signals; workflow actions by `govmedia.core.audit.record_action`;
    security events by `record_security_event`. Each entry is chained to the one before by hash (auditchain),
    and the database refuses to change or delete entries (triggers of migration 0003).
    """

    # The unit's id, not a foreign key: the entry outlives the unit, and core depends on no app.
    organisation_id = models.BigIntegerField("所属单位", null=True, blank=True)
    workflow_action = models.CharField("流程操作", max_length=40, blank=True)
    # Who acted and what about stay: deleting a user or a model type that the log names is refused (people are
    # deactivated), where auditlog's SET_NULL/CASCADE would rewrite or remove entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="操作人",
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name="对象类型",
    )
    objects = AuditEntryManager()
    prev_hash = models.CharField("前一条的摘要", max_length=64, blank=True, editable=False)
    entry_hash = models.CharField("本条摘要", max_length=64, blank=True, editable=False)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["organisation_id", "-timestamp"], name="audit_org_time_idx"),
            models.Index(fields=["content_type", "object_pk"], name="audit_object_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit entries are append-only.")
        data = self.additional_data or {}
        self.organisation_id = self.organisation_id or data.get("organisation")
        self.workflow_action = self.workflow_action or data.get("action", "")
        # One transaction for the lock, the head and the insert (see _do_insert).
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            super().save(*args, **kwargs)

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        # Here, after the pre_save signal (auditlog's context fills in actor and address there), the content is
        # final: chain it to the last entry while holding the append lock.
        auditchain.lock(connections[using])
        self.prev_hash = auditchain.chain_head(type(self), using)
        self.entry_hash = auditchain.entry_hash(self.prev_hash, auditchain.row_of(self))
        return super()._do_insert(manager, using, fields, returning_fields, raw)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class AuditArchive(models.Model):
    """One run of the audit archive: entries `first_id`..`last_id` were written to `file_name` (JSON lines, with
    their hashes) and removed from the table. `head_hash` is the last archived entry's hash: the first entry
    left in the table chains to it, so the chain stays verifiable across archives (verify_audit)."""

    created_at = models.DateTimeField("归档时间", default=timezone.now)
    first_id = models.BigIntegerField("起始条目")
    last_id = models.BigIntegerField("截止条目")
    count = models.PositiveIntegerField("条数")
    until = models.DateTimeField("归档截至")
    prev_hash = models.CharField("链起点摘要", max_length=64)
    head_hash = models.CharField("链头摘要", max_length=64)
    file_name = models.CharField("归档文件", max_length=255)
    file_sha256 = models.CharField("文件摘要", max_length=64)

    class Meta:
        ordering = ["last_id"]
        verbose_name = "审计日志归档"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"审计日志归档 #{self.first_id}–#{self.last_id}"


class IdempotencyRecord(models.Model):
    """The first response to an API `POST` sent with an `Idempotency-Key` (API.md "Other systems"), kept 24 hours
    so that a retry with the same key gets it again instead of acting twice (govmedia/core/idempotency.py).

    `completed` is false while the first request runs; its response is stored in the same transaction as the
    view's writes, so an incomplete record means nothing was done."""

    # The user's id, not a foreign key: core depends on no app (the user model lives in organisations).
    user_id = models.BigIntegerField("用户")
    key = models.CharField("幂等键", max_length=255)
    # sha256 of method, path and body: the same key with another request is refused, not replayed.
    fingerprint = models.CharField("请求摘要", max_length=64)
    completed = models.BooleanField("已完成", default=False)
    status = models.PositiveSmallIntegerField("响应状态", null=True, blank=True)
    headers = models.JSONField("响应头", default=dict, blank=True)
    body = models.BinaryField("响应内容", default=b"", blank=True)
    created_at = models.DateTimeField("首次请求时间", default=timezone.now)

    class Meta:
        verbose_name = "幂等请求记录"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_user_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
