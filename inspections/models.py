"""Inspections (检查): runs, findings and their rectification, and the citizens' error reports (找错) and
messages (留言) whose timeliness the rules judge. The checklist they judge by is in rules/."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from accounts.models import Account
from govmedia.core.files import RandomName
from organisations import access
from rules.definitions import label
from rules.models import ChecklistVersion, ItemKind, SubjectType
from sites.models import Site



# A reply time further before its entry than this is flagged as backdated (issue 10).
BACKDATED_AFTER = dt.timedelta(days=1)

class InspectionStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "检查中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class InspectionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Runs over the caller's region or over a region containing one of their units, and whole-deployment
        runs (the findings inside stay scoped per organisation)."""
        # A member of a unit also sees the runs of the regions above it: their findings are about the unit.
        paths = user.memberships.values_list("organisation__path", flat=True) if user.is_authenticated else []
        above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
        return self.filter(
            Q(organisation__isnull=True) | Q(organisation__in=access.organisation_ids_for(user))
            | Q(organisation__in=above)
        )


class Inspection(models.Model):
    as_of = models.DateField("检查基准日")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="inspections",
        verbose_name="检查范围（单位及其下级；空为全部）",
    )
    status = models.CharField("状态", max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.QUEUED)
    checklist_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name="检查指标版本"
    )
    # Every version used (the national one and each local override that applied to part of the scope).
    versions = models.JSONField("使用的指标版本", default=list, blank=True)
    counts = models.JSONField("统计", default=dict, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The row is the queue's truth (govmedia/core/queue.py): when its task was last sent, and how many times a
    # worker took it (the sweeper sends a stale `queued` row again and takes back a `running` one past its lease).
    queued_at = models.DateTimeField("最近排队时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    # PostgreSQL: the snapshot the run judged (pg_current_snapshot() at its start). A rerun of the same scope and
    # date whose inputs no transaction has changed since is proven unchanged from it (services._unchanged_since).
    data_snapshot = models.TextField("数据快照", blank=True, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "检查"
        verbose_name_plural = "检查记录"
        indexes = [
            models.Index(fields=["as_of"], name="inspection_as_of_idx"),
            models.Index(fields=["status", "queued_at"], name="inspection_status_queued_idx"),
        ]
        constraints = [
            # One run per region and base date at a time (a whole-deployment run counts as region 0): two requests
            # at once cannot both queue one; the second is told about the first (409).
            models.UniqueConstraint(
                Coalesce("organisation", Value(0)), "as_of", name="inspection_one_active_per_region_date",
                condition=Q(status__in=("queued", "running")),
            ),
        ]

    def __str__(self):
        return f"检查（基准日 {self.as_of}）"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


# A finding's severity is its checklist item's kind: one choice set.
Severity = ItemKind


class FindingStatus(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFIED = "rectified", "已整改"
    OVERDUE = "overdue", "逾期未整改"
    # A site scan's hit that a supervisor judged a false positive (scanning.Dismissal keeps the reason).
    DISMISSED = "dismissed", "误报已忽略"


UNRESOLVED = (FindingStatus.OPEN, FindingStatus.OVERDUE)


class RectificationState(models.TextChoices):
    """Where a finding stands in the rectification loop (inspections/rectification.py): the unit answers, its
    supervisors accept (closed) or return it (the unit answers again)."""
    NONE = "", "未反馈"
    SUBMITTED = "submitted", "已反馈待审核"
    RETURNED = "returned", "整改反馈被退回"
    ACCEPTED = "accepted", "整改已审核通过"


# The rule whose findings are about another finding (subject_type "finding"): shown under the finding they concern.
FOLLOW_UP_RULE = "rectification_overdue"


class FindingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(organisation__in=access.organisation_ids_for(user))

    def unresolved(self):
        return self.filter(status__in=UNRESOLVED)


class Finding(models.Model):
    """One rule broken by one subject. Unique per rule, subject and period, so that a rerun adds nothing.

    `period_key` names the episode: the week judged (weekly rule), the last-update date the staleness runs
    from, or the date the breach was first found where the rule has no natural period. A finding for a
    fact that is already past (a reply given late) is recorded as found and rectified at once.
    """

    # Empty for a site scan's finding (its scan is in `detail.scan`).
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="findings", verbose_name="检查"
    )
    rule = models.CharField("规则", max_length=60)
    severity = models.CharField("严重程度", max_length=20, choices=Severity.choices)
    subject_type = models.CharField("对象类型", max_length=20, choices=SubjectType.choices)
    subject_id = models.BigIntegerField("对象编号")
    subject_name = models.CharField("对象名称", max_length=300, blank=True)
    # No index of its own: finding_org_status_idx starts with it (every index is paid for by each run's inserts).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="findings", verbose_name="责任单位",
        db_index=False,
    )
    detail = models.JSONField("依据", default=dict, blank=True)
    # The article the rule enforces for this unit and the checklist version its item came from.
    source = models.CharField("规定依据", max_length=200, blank=True)
    # Not indexed: nothing lists findings by version, and deleting a version (PROTECT) is rare enough to scan.
    checklist_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="findings", verbose_name="检查指标版本",
        db_index=False,
    )
    found_on = models.DateField("发现日期")
    due_on = models.DateField("整改期限")
    status = models.CharField("状态", max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    period_key = models.CharField("周期", max_length=40, blank=True)
    rectified_on = models.DateField("整改确认日期", null=True, blank=True)
    # Not indexed: read only for webhooks of the run that just closed them (rare), and runs are never deleted.
    rectified_by = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="rectified_findings",
        verbose_name="确认整改的检查", db_index=False,
    )
    rectification_state = models.CharField(
        "整改反馈状态", max_length=20, choices=RectificationState.choices, blank=True, default=RectificationState.NONE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = "问题"
        verbose_name_plural = verbose_name
        constraints = [
            # Unconditional on purpose: a rectified finding must also block its key, or a past fact (a reply
            # given late, period "") would be found again by every run. Recurring breaches get a new period.
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "period_key"], name="finding_unique_rule_subject_period",
            ),
        ]
        # Each index costs every run's inserts (issue 14): one per way the findings are read. The list's default
        # order (found_on_idx, read backwards), unit and status (org_status), status and due date (status_due: the
        # overdue marking), a subject's findings (subject), a run's findings (the inspection FK's own index). A rule
        # filter is served by the unique constraint, which starts with the rule.
        indexes = [
            models.Index(fields=["organisation", "status"], name="finding_org_status_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="finding_subject_idx"),
            models.Index(fields=["status", "due_on"], name="finding_status_due_idx"),
            models.Index(fields=["found_on", "id"], name="finding_found_idx"),
        ]

    def __str__(self):
        return f"{self.rule_label} · {self.subject_name or self.subject_id}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}

    @property
    def rule_label(self) -> str:
        return label(self.rule)

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED

    @property
    def awaiting_review(self) -> bool:
        """Answered by the unit, waiting for its supervisors (no longer shown as overdue)."""
        return self.is_unresolved and self.rectification_state == RectificationState.SUBMITTED

    @property
    def status_display(self) -> tuple[str, str]:
        """The status as pages, lists and the export say it, with its badge class: an answer waiting for the
        supervisors is no longer 逾期未整改."""
        if self.status == FindingStatus.RECTIFIED:
            return FindingStatus.RECTIFIED.label, "ok"
        if self.status == FindingStatus.DISMISSED:
            return FindingStatus.DISMISSED.label, ""
        if self.awaiting_review:
            return "已反馈待审核", ""
        if self.status == FindingStatus.OVERDUE:
            return FindingStatus.OVERDUE.label, "bad"
        return FindingStatus.OPEN.label, "warn"

    @property
    def is_follow_up(self) -> bool:
        """A rectification_overdue finding: about another finding, rectified with it."""
        return self.rule == FOLLOW_UP_RULE and self.subject_type == SubjectType.FINDING


class RectificationOutcome(models.TextChoices):
    PENDING = "pending", "待复查"
    ACCEPTED = "accepted", "复查通过"
    STILL_FAILING = "still_failing", "复查仍未通过"
    # Returned by a supervisor with a comment (inspections/rectification.py): the unit answers again.
    REJECTED = "rejected", "审核退回"


# Referenced by migration 0001 only: evidence is now named by RandomName.
def evidence_path(instance, filename):
    return f"rectifications/{instance.finding_id}/{filename}"


class Rectification(models.Model):
    """A unit's answer to a finding: what it did, with evidence. The next run verifies it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications", verbose_name="问题")
    comment = models.TextField("整改情况")
    evidence_url = models.URLField("佐证链接", max_length=1000, blank=True)
    # Checked by content in services.finding_rectify (govmedia.core.files, kind "evidence"); a random name.
    evidence_file = models.FileField("佐证材料", upload_to=RandomName("rectifications"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    outcome = models.CharField("复查结果", max_length=20, choices=RectificationOutcome.choices, default=RectificationOutcome.PENDING)
    checked_at = models.DateTimeField("复查时间", null=True, blank=True)
    # A supervisor's decision on the answer (empty when the next run verified it).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    review_comment = models.TextField("审核意见", blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "整改反馈"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["finding", "outcome"], name="rectification_finding_idx")]

    def __str__(self):
        return f"{self.finding_id} 的整改反馈"

    def get_additional_data(self):
        return {"organisation": self.finding.organisation_id}


class MessagePolicy(models.Model):
    """An owner's reply limit for messages (jinan §16, anyue §25); units below inherit the nearest one."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="message_policy", verbose_name="单位"
    )
    reply_workdays = models.PositiveSmallIntegerField("留言答复时限（工作日）", default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "留言答复时限"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(reply_workdays__gte=1) & Q(reply_workdays__lte=60), name="message_policy_days_range")
        ]

    def __str__(self):
        return f"{self.organisation}：{self.reply_workdays} 个工作日"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class ErrorReportQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(site__in=Site.objects.for_user(user).values("pk"))


class ErrorReport(models.Model):
    """A citizen's report from the 我为政府网站找错 platform: answer within 1 working day (jinan §16)."""

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="error_reports", verbose_name="网站")
    received_at = models.DateTimeField("收到时间")
    content = models.TextField("问题描述")
    url = models.URLField("问题页面", max_length=1000, blank=True)
    reporter = models.CharField("反映人", max_length=100, blank=True)
    external_id = models.CharField("平台编号", max_length=100, blank=True)
    due_on = models.DateField("答复期限", editable=False)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复人"
    )
    # When the reply was entered: a reply time more than a day before it is shown as backdated (补录).
    reply_entered_at = models.DateTimeField("答复录入时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def reply_backdated(self) -> bool:
        return bool(self.replied_at and self.reply_entered_at and self.reply_entered_at - self.replied_at > BACKDATED_AFTER)

    objects = ErrorReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "找错"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"], condition=~Q(external_id=""), name="error_report_unique_external"
            )
        ]
        indexes = [models.Index(fields=["due_on", "replied_at"], name="error_report_due_idx")]

    def __str__(self):
        return f"找错 {self.pk}：{self.content[:30]}"

    def get_additional_data(self):
        return {"organisation": self.site.owner_id}


class MessageQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(
            Q(site__in=Site.objects.for_user(user).values("pk")) | Q(account__in=Account.objects.for_user(user).values("pk"))
        )


class Message(models.Model):
    """A citizen's message on a site or an account. Reply within the owner's limit; a valid message left
    unanswered for more than 3 months within the past year fails the site (national checklist)."""

    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name="网站"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name="账号"
    )
    received_at = models.DateTimeField("收到时间")
    author = models.CharField("留言人", max_length=100, blank=True)
    title = models.CharField("标题", max_length=300, blank=True)
    content = models.TextField("留言内容")
    # Spam, abuse and duplicates are not "valid messages" and are not judged (national checklist wording).
    valid = models.BooleanField("有效留言", default=True)
    public = models.BooleanField("公开", default=True)
    external_id = models.CharField("平台编号", max_length=100, blank=True)
    due_on = models.DateField("答复期限", editable=False)
    reply_workdays = models.PositiveSmallIntegerField("答复时限（工作日）", editable=False)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复人"
    )
    # When the reply was entered: a reply time more than a day before it is shown as backdated (补录).
    reply_entered_at = models.DateTimeField("答复录入时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def reply_backdated(self) -> bool:
        return bool(self.replied_at and self.reply_entered_at and self.reply_entered_at - self.replied_at > BACKDATED_AFTER)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "留言"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(account__isnull=True)) | (Q(site__isnull=True) & Q(account__isnull=False)),
                name="message_site_xor_account",
            ),
            models.UniqueConstraint(
                fields=["site", "account", "external_id"], condition=~Q(external_id=""), name="message_unique_external"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on", "replied_at"], name="message_due_idx"),
            models.Index(fields=["site", "received_at"], name="message_site_received_idx"),
        ]

    def __str__(self):
        return f"留言 {self.pk}：{(self.title or self.content)[:30]}"

    @property
    def owner(self):
        """The unit that answers: the site's owner, or the account's."""
        return self.site.owner if self.site_id else self.account.owner

    @property
    def owner_id(self):
        return self.site.owner_id if self.site_id else self.account.owner_id

    def get_additional_data(self):
        return {"organisation": self.owner_id}
