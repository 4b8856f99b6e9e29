"""The review engine (三审三校): policies, runs and their steps."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organisations import access
from organisations.models import Role
from publishing.models import STAGE_ORDER, Post, PostUserObjectPermission, Sensitivity, Stage
from rules.packs import describe_stages, required_review_stages, required_review_stages_sources

# SPEC "三审三校" (anyue §16): (stage, role, working days allowed).
DEFAULT_STAGES = [
    {"stage": Stage.REVIEW1.value, "role": Role.EDITOR.value, "days": 2},
    {"stage": Stage.REVIEW2.value, "role": Role.DEPUTY_HEAD.value, "days": 2},
    {"stage": Stage.REVIEW3.value, "role": Role.PRINCIPAL.value, "days": 2},
    {"stage": Stage.PROOF1.value, "role": Role.EDITOR.value, "days": 1},
    {"stage": Stage.PROOF2.value, "role": Role.SECTION_HEAD.value, "days": 1},
    {"stage": Stage.PROOF3.value, "role": Role.DEPUTY_HEAD.value, "days": 1},
]


REQUIRED_STAGES = (Stage.REVIEW1.value, Stage.REVIEW2.value, Stage.REVIEW3.value)


def pack_stages_missing(organisation, stages) -> list[str]:
    """The stages the checklist in force over `organisation` requires (the 安岳 pack: all six, 安岳 §16) that the
    list of stage dicts `stages` lacks."""
    present = {s.get("stage") for s in stages if isinstance(s, dict)}
    return [s for s in required_review_stages(organisation) if s not in present]


def pack_stages_message(organisation, missing) -> str:
    source = required_review_stages_sources(organisation)
    return (f"本单位执行的检查指标要求每篇稿件经过三审三校全部六个环节{f'（{source}）' if source else ''}，"
            f"不能缺少{describe_stages(missing)}。")


def validate_stages(stages, sensitivity, organisation=None) -> list[dict]:
    """Check and normalise a policy's stage list (for `organisation`'s own pack requirements when given);
    raises ValidationError({"stages": ...})."""
    if not isinstance(stages, list) or not stages:
        raise ValidationError({"stages": "请至少设置一个审校环节。"})
    cleaned, seen = [], []
    for item in stages:
        if not isinstance(item, dict) or item.get("stage") not in STAGE_ORDER:
            raise ValidationError({"stages": f"未知的环节：{item!r}。"})
        if item.get("role") not in [r.value for r in access.WORKING_ROLES]:
            raise ValidationError({"stages": f"环节“{Stage(item['stage']).label}”的角色无效。"})
        try:
            days = int(item.get("days", 1))
        except (TypeError, ValueError):
            raise ValidationError({"stages": f"环节“{Stage(item['stage']).label}”的办理时限须为整数个工作日。"}) from None
        if not 0 < days <= 30:
            raise ValidationError({"stages": "办理时限须在 1 至 30 个工作日之间。"})
        if item["stage"] in seen:
            raise ValidationError({"stages": f"环节“{Stage(item['stage']).label}”重复。"})
        seen.append(item["stage"])
        cleaned.append({"stage": item["stage"], "role": item["role"], "days": days})
    if seen != sorted(seen, key=STAGE_ORDER.index):
        raise ValidationError({"stages": "环节须按 一审、二审、三审、一校、二校、三校 的顺序排列。"})
    if any(stage not in seen for stage in REQUIRED_STAGES):
        # SPEC "三审三校 that one person cannot pass": no policy goes below the three reviews.
        raise ValidationError({"stages": "审校流程至少包括一审、二审、三审三个环节，不能缩减。"})
    if sensitivity == Sensitivity.MAJOR:
        # qingdao §8: major or sensitive posts are always signed by the principal; never a shorter policy.
        if seen != STAGE_ORDER:
            raise ValidationError({"stages": "重大敏感稿件必须经过完整的三审三校，不能缩减环节。"})
        if cleaned[STAGE_ORDER.index(Stage.REVIEW3)]["role"] != Role.PRINCIPAL:
            raise ValidationError({"stages": "重大敏感稿件的三审必须由主要负责人签发。"})
    missing = pack_stages_missing(organisation, cleaned) if organisation is not None else []
    if missing:
        raise ValidationError({"stages": pack_stages_message(organisation, missing)})
    return cleaned


class ReviewPolicy(models.Model):
    """An organisation's review stages for one sensitivity; it applies to every unit below it too."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="review_policies", verbose_name="单位"
    )
    sensitivity = models.CharField("适用稿件", max_length=20, choices=Sensitivity.choices, default=Sensitivity.ROUTINE)
    stages = models.JSONField("环节", default=list)
    distinct_people = models.BooleanField("各环节须由不同人员办理", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__path", "sensitivity"]
        verbose_name = "审校流程"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sensitivity"], name="review_policy_unique_per_org"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_sensitivity_display()}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}

    def clean(self):
        self.stages = validate_stages(self.stages, self.sensitivity, self.organisation if self.organisation_id else None)


class RunStatus(models.TextChoices):
    ACTIVE = "active", "审校中"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已终止"


class ReviewRun(models.Model):
    """One pass of a post through its stages, from a submission to approval, return or cancellation."""

    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="review_runs", verbose_name="稿件")
    status = models.CharField("状态", max_length=20, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    # The policy as it stood when the run began: a later policy change does not move a running review.
    stages = models.JSONField("环节", default=list)
    distinct_people = models.BooleanField("各环节须由不同人员办理", default=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="送审人")
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)

    class Meta:
        ordering = ["post", "started_at", "id"]
        verbose_name = "审校流程实例"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(status="active"), name="review_run_one_active_per_post"
            ),
        ]

    def __str__(self):
        return f"{self.post} · {self.get_status_display()}"

    def get_additional_data(self):
        return {"organisation": self.post.organisation_id}


class TaskStatus(models.TextChoices):
    OPEN = "open", "待办理"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已终止"


class ReviewTaskQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(post__in=Post.objects.for_user(user).values("pk"))

    def actionable_by(self, user):
        """Open steps whose decide permission `user` holds now (granted when the stage opened)."""
        if not user or not user.is_authenticated:
            return self.none()
        granted = PostUserObjectPermission.objects.filter(
            user=user, permission__codename="decide_post"
        ).values("content_object_id")
        return self.filter(status=TaskStatus.OPEN, post__in=granted)

    def overdue(self, today):
        return self.filter(status=TaskStatus.OPEN, due_on__lt=today)


class ReviewTask(models.Model):
    """One stage of one run; pinned to the revision it decided."""

    run = models.ForeignKey(ReviewRun, on_delete=models.CASCADE, related_name="tasks", verbose_name="流程实例")
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="review_tasks", verbose_name="稿件")
    position = models.PositiveSmallIntegerField("序号")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    role = models.CharField("办理角色", max_length=20, choices=Role.choices)
    status = models.CharField("状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    revision = models.ForeignKey(
        "publishing.PostRevision", on_delete=models.PROTECT, related_name="review_tasks", verbose_name="所审版本"
    )
    opened_at = models.DateTimeField("开始时间", default=timezone.now)
    due_on = models.DateField("办理期限", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="review_decisions",
        verbose_name="办理人",
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    comment = models.TextField("意见", blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewTaskQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = "审校环节"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="review_task_unique_position"),
            models.UniqueConstraint(fields=["run"], condition=Q(status="open"), name="review_task_one_open_per_run"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="review_task_status_due_idx"),
            models.Index(fields=["post", "status"], name="review_task_post_status_idx"),
            # Issue 14: the list's order, and the dashboard's stages decided in the last 30 days.
            models.Index(fields=["opened_at", "id"], name="review_task_order_idx"),
            models.Index(fields=["decided_at"], name="review_task_decided_idx"),
        ]

    def __str__(self):
        return f"{self.post} · {self.get_stage_display()}"

    def get_additional_data(self):
        return {"organisation": self.post.organisation_id}

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < today
