"""Site scanning: each scan of a site (or of the articles an account's feed links to), every page and attachment
read with what it said, the per-site limits, and the false positives a supervisor dismissed.

The findings themselves are ordinary `inspections.Finding` rows (rule, subject, period_key = the hit's key), so
they flow into the unit's 整改 list, reports and bulletins like every other finding.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account
from sites.models import Site


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "扫描中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


ACTIVE = (ScanStatus.QUEUED, ScanStatus.RUNNING)


class PageKind(models.TextChoices):
    HTML = "html", "网页"
    PDF = "pdf", "PDF 附件"
    DOCX = "docx", "Word 附件"
    XLSX = "xlsx", "Excel 附件"
    TEXT = "text", "文本"
    OTHER = "other", "其他"


def hit_key(url: str, match: str) -> str:
    """The identity of one hit on one page: 40 hex digits, the finding's `period_key` and the dismissal's key, so
    the same text on the same page is one finding, and a dismissed one is never raised again."""
    return hashlib.sha1(f"{url}\n{match}".encode()).hexdigest()


def url_key(url: str) -> str:
    # Long non-ASCII addresses exceed index limits: pages are unique on the address's hash.
    return hashlib.sha256(url.encode()).hexdigest()


class ScanLimits(models.Model):
    """A site's own limits (a site without a row gets these fields' defaults; the admin edits them)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="scan_limits", verbose_name="网站")
    enabled = models.BooleanField("参加定时扫描", default=True)
    max_depth = models.PositiveSmallIntegerField("最大深度", default=5)
    max_pages = models.PositiveIntegerField("最多页面数（含附件）", default=1000)
    max_page_bytes = models.PositiveIntegerField("单个页面或附件最大字节", default=10 * 1024 * 1024)
    max_total_bytes = models.BigIntegerField("每次扫描最多读取字节", default=500 * 1024 * 1024)
    delay = models.FloatField("同一主机两次请求间隔（秒）", default=0.5)
    timeout = models.FloatField("单次请求超时（秒）", default=15)
    check_outbound = models.BooleanField("检查外链", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "网站扫描限制"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(delay__gte=0) & Q(timeout__gt=0), name="scan_limits_positive"),
        ]

    def __str__(self):
        return f"{self.site} 的扫描限制"

    def get_additional_data(self):
        return {"organisation": self.site.owner_id}


class ScanQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(
            Q(site__in=Site.objects.for_user(user).values("pk")) | Q(account__in=Account.objects.for_user(user).values("pk"))
        )

    def active(self):
        return self.filter(status__in=ACTIVE)


class Scan(models.Model):
    """One scan of one site (its pages and attachments) or of one account (the articles its feed links to)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="scans", verbose_name="网站")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="scans", verbose_name="账号"
    )
    status = models.CharField("状态", max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    full = models.BooleanField("全量扫描", default=False)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    pages = models.PositiveIntegerField("已读取页面与附件", default=0)
    # Pages whose content changed (or was new) and was checked; the rest answered 304 or kept their hash.
    checked = models.PositiveIntegerField("已检查（内容有变化）", default=0)
    discovered = models.PositiveIntegerField("已发现地址", default=0)
    bytes_read = models.BigIntegerField("已读取字节", default=0)
    counts = models.JSONField("问题数（按规则）", default=dict, blank=True)
    opened = models.PositiveIntegerField("新发现问题", default=0)
    closed = models.PositiveIntegerField("已整改（不再出现）", default=0)
    skipped_by_robots = models.PositiveIntegerField("robots.txt 跳过", default=0)
    hit_limit = models.CharField("触及的限制", max_length=100, blank=True)
    current_url = models.CharField("正在读取", max_length=1000, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "网站扫描"
        verbose_name_plural = "网站扫描记录"
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(account__isnull=True)) | (Q(site__isnull=True) & Q(account__isnull=False)),
                name="scan_site_xor_account",
            ),
            # One scan at a time per site or account: two would fetch everything twice and race on findings.
            models.UniqueConstraint(fields=["site"], condition=Q(status__in=["queued", "running"], site__isnull=False),
                                    name="scan_one_active_per_site"),
            models.UniqueConstraint(fields=["account"],
                                    condition=Q(status__in=["queued", "running"], account__isnull=False),
                                    name="scan_one_active_per_account"),
        ]
        indexes = [
            models.Index(fields=["site", "-created_at"], name="scan_site_recent_idx"),
            models.Index(fields=["status"], name="scan_status_idx"),
        ]

    def __str__(self):
        return f"{self.subject} 扫描 {self.pk}"

    @property
    def subject(self):
        return self.site if self.site_id else self.account

    @property
    def organisation_id(self):
        return self.site.owner_id if self.site_id else self.account.owner_id

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress(self) -> int:
        """Percent done: pages read of those known so far (capped below 100 while running)."""
        if self.status == ScanStatus.FINISHED:
            return 100
        if not self.discovered:
            return 0
        return min(99, int(100 * self.pages / self.discovered))

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class ScannedPage(models.Model):
    """A page or attachment as last read: its validators for the next conditional request, its hash, the text as
    read (the evidence findings point at) and the keys of the hits it had, so a fixed page closes them."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="scanned_pages", verbose_name="网站")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="scanned_pages", verbose_name="账号"
    )
    url = models.CharField("地址", max_length=2000)
    url_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField("类型", max_length=10, choices=PageKind.choices, default=PageKind.HTML)
    status_code = models.IntegerField("HTTP 状态码", null=True, blank=True)
    content_hash = models.CharField("内容哈希（SHA-256）", max_length=64, blank=True)
    etag = models.CharField("ETag", max_length=300, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=100, blank=True)
    title = models.CharField("标题", max_length=300, blank=True)
    text = models.TextField("读取到的文字", blank=True)
    # Same-host links to follow on an incremental scan when the page answers 304 (its body is not sent again).
    links = models.JSONField("页面链接", default=list, blank=True)
    hit_keys = models.JSONField("当前问题键", default=list, blank=True)
    error = models.CharField("读取错误", max_length=500, blank=True)
    first_scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="首次发现于")
    last_seen_scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="最近读取于")
    last_checked_scan = models.ForeignKey(
        Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="最近检查于"
    )
    fetched_at = models.DateTimeField("读取时间", null=True, blank=True)
    changed_at = models.DateTimeField("内容变化时间", null=True, blank=True)

    class Meta:
        ordering = ["url"]
        verbose_name = "已扫描页面"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["site", "url_hash"], condition=Q(site__isnull=False), name="scanned_page_unique_site_url"),
            models.UniqueConstraint(fields=["account", "url_hash"], condition=Q(account__isnull=False),
                                    name="scanned_page_unique_account_url"),
        ]

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        self.url_hash = url_key(self.url)
        super().save(*args, **kwargs)

    @property
    def organisation_id(self):
        return self.site.owner_id if self.site_id else self.account.owner_id

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class Dismissal(models.Model):
    """A supervisor's judgement that a hit is a false positive: kept with its reason and evidence, and the same
    rule, subject, page and text (`key`) is never raised again."""

    rule = models.CharField("规则", max_length=60)
    subject_type = models.CharField("对象类型", max_length=20)
    subject_id = models.BigIntegerField("对象编号")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    key = models.CharField("问题键", max_length=40)
    url = models.CharField("页面地址", max_length=2000)
    match = models.CharField("命中文字", max_length=500)
    excerpt = models.CharField("摘录", max_length=500, blank=True)
    reason = models.TextField("理由")
    finding = models.OneToOneField(
        "inspections.Finding", on_delete=models.SET_NULL, null=True, blank=True, related_name="dismissal",
        verbose_name="问题",
    )
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="忽略人")
    dismissed_at = models.DateTimeField("忽略时间", auto_now_add=True)

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        verbose_name = "误报忽略"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject_type", "subject_id", "key"], name="dismissal_unique_hit"),
        ]

    def __str__(self):
        return f"{self.rule} {self.url}：{self.match}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}
