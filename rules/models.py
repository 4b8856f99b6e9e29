"""The checklist as versioned data: the national version of a year and the local overrides that add or
tighten items for a unit and everything below it."""
from __future__ import annotations

from django.db import models
from django.db.models import Q


class ItemKind(models.TextChoices):
    """What breaking an item means; a finding's severity is its item's kind."""

    VETO = "veto", "单项否决"
    DEDUCTION = "deduction", "扣分"
    WARNING = "warning", "提醒"


class SubjectType(models.TextChoices):
    """What a rule judges: the kind of record a finding points at."""

    SITE = "site", "网站"
    COLUMN = "column", "栏目"
    ACCOUNT = "account", "账号"
    FILING = "filing", "备案"
    ERROR_REPORT = "error_report", "找错"
    MESSAGE = "message", "留言"
    POST = "post", "稿件"
    FINDING = "finding", "问题"


class ChecklistVersion(models.Model):
    """One year's checklist: the national one (no organisation) or a local override that adds or tightens items.

    A local override names its base version; items it holds replace the base's item of the same code for
    the override's organisation and everything below it.
    """

    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=200)
    base = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="overrides", verbose_name="所依据的版本"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="checklist_versions",
        verbose_name="适用单位（本地版本）",
    )
    active = models.BooleanField("启用", default=True)
    source = models.CharField("依据", max_length=300, blank=True)
    # A locality template (rules/packs.py): no organisation, never in force itself; a region adopts it, which
    # copies its items into a local version of the region's own.
    template = models.BooleanField("地方模板", default=False)
    region = models.CharField("地区", max_length=100, blank=True)
    adopted_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions", verbose_name="采用的模板"
    )
    # Review stages every post of the units under this version must pass (rules/packs.py: 安岳 §16 requires all
    # six of 三审三校); review's policies may not go below them. Stage codes as publishing's `Stage`.
    review_stages = models.JSONField("必经审校环节", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "organisation_id", "id"]
        verbose_name = "检查指标版本"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(active=True, organisation__isnull=True, template=False),
                name="checklist_one_active_national_per_year",
            ),
            models.UniqueConstraint(
                fields=["organisation", "year"], condition=Q(active=True, organisation__isnull=False),
                name="checklist_one_active_local_per_org_year",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(base__isnull=False), name="checklist_local_has_base"
            ),
            models.CheckConstraint(
                condition=Q(template=False) | Q(organisation__isnull=True, base__isnull=False),
                name="checklist_template_is_unowned",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.year}）"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items", verbose_name="版本")
    code = models.CharField("规则代码", max_length=60)
    name = models.CharField("指标", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=ItemKind.choices)
    thresholds = models.JSONField("阈值", default=dict, blank=True)
    points = models.DecimalField("分值（扣分）", max_digits=5, decimal_places=1, default=0)
    enabled = models.BooleanField("启用", default=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = "检查指标"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="checklist_item_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_additional_data(self):
        return {"organisation": self.version.organisation_id}
