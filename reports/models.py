"""Stored reports: the published quarterly bulletin (a snapshot) and each unit's monthly self-inspection."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from organisations import access
from organisations.models import Membership


class BulletinQuerySet(models.QuerySet):
    def for_user(self, user):
        """A bulletin is published to its region: those who see its organisation, and the staff of every unit
        in the region (it names them)."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        ancestors: set[int] = set()
        for path in Membership.objects.filter(user=user).values_list("organisation__path", flat=True):
            ancestors.update(int(part) for part in path.strip("/").split("/") if part)
        return self.filter(
            Q(organisation_id__in=ancestors) | Q(organisation__in=access.organisation_ids_for(user))
        )


class Bulletin(models.Model):
    """A published quarterly bulletin (通报, anyue §33, tongliao §19–20): the quarter's report as it stood when
    published, with the supervisor's opinion. Published once per region and quarter."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="bulletins", verbose_name="通报单位（区域）"
    )
    quarter = models.CharField("季度", max_length=7)
    title = models.CharField("标题", max_length=300)
    summary = models.TextField("通报意见与整改要求", blank=True)
    data = models.JSONField("通报内容（发布时的快照）")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人")

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter", "organisation_id"]
        verbose_name = "季度通报"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["organisation", "quarter"], name="bulletin_unique_region_quarter"),
        ]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class SelfInspectionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(organisation__in=access.organisation_ids_for(user))


class SelfInspection(models.Model):
    """A unit's monthly self-inspection (qingdao 附件2 四(四)1: 每月开展自查并留存检查结果): the answer to each
    indicator, the people who sign, and what the application had prefilled, kept as the unit's record."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="self_inspections", verbose_name="单位"
    )
    month = models.CharField("月份", max_length=7)
    answers = models.JSONField("自查结果", default=dict)
    signers = models.JSONField("责任人", default=dict, blank=True)
    prefill = models.JSONField("系统预填依据", default=dict, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人")
    submitted_at = models.DateTimeField("提交时间")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SelfInspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "organisation_id"]
        verbose_name = "每月自查"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="self_inspection_unique_unit_month"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.month} 自查"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}

    @property
    def failures(self) -> list[str]:
        return [code for code, answer in self.answers.items() if answer.get("result") == "no"]



class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class Export(models.Model):
    """A report job of the worker (reports/exports/): a file (xlsx, PDF, the page's JSON report) or a bulletin
    publish (`fmt` "publish", no file). The row is the queue's truth
    (govmedia/core/queue.py): it is written before the task is sent, shows the progress, and lets the sweeper
    send again an export a broker outage left `queued` and take back one whose worker stopped reporting."""

    # Also the task's id and the file's name: unguessable, and the same on every retry.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name="单位（区域）"
    )
    kind = models.CharField("报告类型", max_length=20)
    period = models.CharField("期间", max_length=7)
    fmt = models.CharField("格式", max_length=10)
    filename = models.CharField("文件名", max_length=200)
    # What else the job needs: a bulletin publish's summary (reports.services.PUBLISH).
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.JSONField("进度", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    queued_at = models.DateTimeField("最近排队时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "报告导出"
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["status", "queued_at"], name="export_status_queued_idx"),
            # The page's report: the reader's newest one of a region and period (reports.services.page_report).
            models.Index(fields=["user", "organisation", "period", "-created_at"], name="export_page_report_idx"),
        ]
        constraints = [
            # Two supervisors pressing "publish" at once: one publish of a region's quarter is under way at a time.
            models.UniqueConstraint(fields=["organisation", "period"], name="export_one_publish_under_way",
                                    condition=Q(fmt="publish", status__in=["queued", "running"])),
        ]

    def __str__(self):
        return self.filename

    def get_additional_data(self):
        return {"organisation": self.organisation_id}




class ReportRevision(models.Model):
    """A monthly report as issued (generated on the 1st and kept): revision 1 is the first issue; a regeneration
    after late data that changes anything is the next revision, listing what changed. An issued month is shown
    from its revisions, never silently recomputed."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="report_revisions", verbose_name="区域"
    )
    period = models.CharField("月份", max_length=7)
    revision = models.PositiveSmallIntegerField("修订版次")
    data = models.JSONField("报告内容")
    changes = models.JSONField("与上一版相比的变化", default=list, blank=True)
    reason = models.CharField("生成原因", max_length=200, blank=True)
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="生成人")

    class Meta:
        ordering = ["organisation", "period", "-revision"]
        verbose_name = "月度报告修订版"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["organisation", "period", "revision"], name="report_revision_unique")]

    def __str__(self):
        return f"{self.period} 第{self.revision}版"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}
