"""Posts (稿件), their revisions, attachments, co-producers and publications; the office's word lists."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from govmedia.core.files import RandomName
from organisations import access


class PostKind(models.TextChoices):
    NEWS = "news", "动态信息"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"


class PostStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审校中"
    RETURNED = "returned", "已退回"
    SCHEDULED = "scheduled", "待发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


# States in which the post's content may still change.
EDITABLE_STATUSES = (PostStatus.DRAFT, PostStatus.RETURNED, PostStatus.IN_REVIEW)


class Stage(models.TextChoices):
    REVIEW1 = "review1", "一审"
    REVIEW2 = "review2", "二审"
    REVIEW3 = "review3", "三审（签发）"
    PROOF1 = "proof1", "一校"
    PROOF2 = "proof2", "二校"
    PROOF3 = "proof3", "三校"


STAGE_ORDER = [s.value for s in Stage]


class Sensitivity(models.TextChoices):
    ROUTINE = "routine", "一般"
    MAJOR = "major", "重大敏感"


class Origin(models.TextChoices):
    ORIGINAL = "original", "原创"
    REPRINT = "reprint", "转载"


class PostQuerySet(models.QuerySet):
    def for_user(self, user) -> PostQuerySet:
        """Posts of the organisations `user` may see (their own units; everything below what they supervise)."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(organisation__in=access.organisation_ids_for(user))

    def published_between(self, start, end):
        return self.filter(status=PostStatus.PUBLISHED, published_at__date__gte=start, published_at__date__lte=end)


class Post(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="posts", verbose_name="主办单位"
    )
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    kind = models.CharField("类型", max_length=20, choices=PostKind.choices, default=PostKind.NEWS)
    interprets = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="interpretations",
        verbose_name="所解读的政策文件",
    )
    status = models.CharField("状态", max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    stage = models.CharField("当前环节", max_length=20, choices=Stage.choices, null=True, blank=True)
    sensitivity = models.CharField("敏感程度", max_length=20, choices=Sensitivity.choices, default=Sensitivity.ROUTINE)
    origin = models.CharField("来源类型", max_length=20, choices=Origin.choices, default=Origin.ORIGINAL)
    source_name = models.CharField("转载来源", max_length=200, blank=True)
    source_url = models.URLField("来源链接", max_length=500, blank=True)
    columns = models.ManyToManyField("sites.Column", blank=True, related_name="posts", verbose_name="发布栏目")
    accounts = models.ManyToManyField("accounts.Account", blank=True, related_name="posts", verbose_name="发布账号")
    disclosure_required = models.BooleanField("属于主动公开信息", default=False)
    made_on = models.DateField("信息形成（变更）日期", null=True, blank=True)
    publish_at = models.DateTimeField("定时发布时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts", verbose_name="撰稿人"
    )
    revision = models.PositiveIntegerField("当前版本", default=0, editable=False)
    # Content-check warnings of the submitted text, shown to every reviewer: [{code, field, offset, ...}].
    warnings = models.JSONField("提示", default=list, blank=True, editable=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "稿件"
        verbose_name_plural = verbose_name
        permissions = [("decide_post", "决定稿件当前审校环节")]
        indexes = [
            models.Index(fields=["organisation", "status"], name="post_org_status_idx"),
            models.Index(fields=["status", "published_at"], name="post_status_published_idx"),
            # Issue 14: the list's order, for everyone and within a unit.
            models.Index(fields=["-created_at", "-id"], name="post_recent_idx"),
            models.Index(fields=["organisation", "-created_at", "-id"], name="post_org_recent_idx"),
            models.Index(
                fields=["publish_at"], name="post_scheduled_idx", condition=Q(status="scheduled")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="interpretation") | Q(interprets__isnull=False),
                name="post_interpretation_links_policy",
            ),
        ]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"organisation": self.organisation_id}

    def clean(self):
        errors = {}
        if self.kind == PostKind.INTERPRETATION:
            if self.interprets_id is None:
                errors["interprets"] = "政策解读须关联所解读的政策文件。"
            elif self.interprets.kind != PostKind.POLICY:
                errors["interprets"] = "关联的稿件不是政策文件。"
        elif self.interprets_id is not None:
            errors["interprets"] = "只有政策解读可以关联政策文件。"
        if self.origin == Origin.ORIGINAL and (self.source_name or self.source_url):
            # Keep the data honest: a source belongs to reprints only.
            errors["origin"] = "原创稿件不填写转载来源；如为转载请选择“转载”。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class PostRevision(models.Model):
    """Every save of a post, numbered; a review step is pinned to the revision it decided."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions", verbose_name="稿件")
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    # Everything else that was saved (kind, origin, channels ...), to show what changed.
    data = models.JSONField("版本内容", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="保存人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "number"]
        verbose_name = "稿件版本"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="post_revision_unique_number")]

    def __str__(self):
        return f"{self.post} · 第{self.number}版"


# Referenced by migration 0001 only: attachments are now named by RandomName and checked by content.
def attachment_path(instance, filename):
    return f"posts/{instance.post_id}/{Path(filename).name}"


def validate_attachment(file):
    if file.size > settings.POST_ATTACHMENT_MAX_MB * 1024 * 1024:
        raise ValidationError(f"附件不能超过 {settings.POST_ATTACHMENT_MAX_MB} MB。")


class PostAttachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments", verbose_name="稿件")
    # Checked by content in services.attachment_add (govmedia.core.files, kind "attachment"); a random name.
    file = models.FileField("附件", upload_to=RandomName("posts"), max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "id"]
        verbose_name = "附件"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class CoProducer(models.Model):
    """A unit that jointly made the information; its written consent must be recorded (anyue §18)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="co_producers", verbose_name="稿件")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="共同形成单位")
    consent_on = models.DateField("书面同意日期", null=True, blank=True)
    consent_reference = models.CharField("同意文书（文号或说明）", max_length=200, blank=True)

    class Meta:
        ordering = ["post", "id"]
        verbose_name = "共同形成单位"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["post", "organisation"], name="coproducer_unique_per_post")]

    def __str__(self):
        return str(self.organisation)

    @property
    def has_consent(self) -> bool:
        return self.consent_on is not None


class Publication(models.Model):
    """Where a published post went: one row per column or account, with its URL."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="publications", verbose_name="稿件")
    column = models.ForeignKey("sites.Column", on_delete=models.PROTECT, null=True, blank=True, related_name="publications",
                               verbose_name="栏目")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="publications",
                                verbose_name="账号")
    published_at = models.DateTimeField("发布时间")
    url = models.URLField("链接", max_length=1000, blank=True)

    class Meta:
        ordering = ["post", "id"]
        verbose_name = "发布记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=(Q(column__isnull=False) & Q(account__isnull=True)) | (Q(column__isnull=True) & Q(account__isnull=False)),
                name="publication_one_channel",
            ),
            # Publishing is idempotent: a rerun of the task adds nothing.
            models.UniqueConstraint(fields=["post", "column"], condition=Q(column__isnull=False), name="publication_unique_column"),
            models.UniqueConstraint(fields=["post", "account"], condition=Q(account__isnull=False), name="publication_unique_account"),
        ]

    def __str__(self):
        return f"{self.post} → {self.column or self.account}"

    @property
    def channel(self):
        return self.column or self.account


class WordListKind(models.TextChoices):
    SENSITIVE = "sensitive", "敏感词"
    ADVERTISING = "advertising", "广告用语与广告链接"
    CORRECTION = "correction", "易错词（纠错表）"
    ALLOWLIST = "allowlist", "外链白名单（域名）"


BLOCKING_LISTS = (WordListKind.SENSITIVE, WordListKind.ADVERTISING)


class WordList(models.Model):
    """One organisation's list of one kind; it applies to the organisation and every unit below it."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="word_lists", verbose_name="单位")
    kind = models.CharField("类型", max_length=20, choices=WordListKind.choices)
    # Bumped on every change: the cached matching automaton is rebuilt when it moves.
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__path", "kind"]
        verbose_name = "词表"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="wordlist_unique_kind_per_org")]

    def __str__(self):
        return f"{self.organisation} · {self.get_kind_display()}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class WordEntry(models.Model):
    word_list = models.ForeignKey(WordList, on_delete=models.CASCADE, related_name="entries", verbose_name="词表")
    text = models.CharField("词语", max_length=200)
    suggestion = models.CharField("建议用语", max_length=200, blank=True)

    class Meta:
        ordering = ["word_list", "text"]
        verbose_name = "词条"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["word_list", "text"], name="wordentry_unique_text")]

    def __str__(self):
        return self.text


class PostUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions (guardian's "performance" advice): granted per stage by the engine."""

    content_object = models.ForeignKey(Post, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "稿件办理权限"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["user", "content_object"], name="post_uperm_user_post_idx")]


class PostGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Post, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "稿件办理权限（用户组）"
        verbose_name_plural = verbose_name
