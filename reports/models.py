"""Stored reports: the published quarterly bulletin (a snapshot) and each unit's monthly self-inspection."""
from __future__ import annotations

from auditlog.registry import auditlog
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


auditlog.register(Bulletin, exclude_fields=["data"])
auditlog.register(SelfInspection)
