"""Government websites and their columns (栏目), with the update records that keep them current, and the
monitoring of each site (homepage probes, broken links)."""
import datetime as dt
import hashlib

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import MD5

from organisations import access


class SiteStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    OFFLINE = "offline", "已关停"
    MIGRATED = "migrated", "已迁移整合"


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        orgs = access.organisation_ids_for(user)
        return self.filter(Q(owner__in=orgs) | Q(operator__in=orgs) | Q(supervisor__in=orgs))

    def running(self):
        return self.filter(status=SiteStatus.RUNNING)


class Site(models.Model):
    name = models.CharField("网站名称", max_length=200)
    url = models.URLField("首页地址", max_length=500)
    owner = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="sites", verbose_name="主办单位")
    operator = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="operated_sites", verbose_name="承办单位"
    )
    supervisor = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_sites", verbose_name="主管单位"
    )
    icp_number = models.CharField("ICP备案号", max_length=60, blank=True)
    police_number = models.CharField("公安机关备案号", max_length=60, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    status = models.CharField("状态", max_length=20, choices=SiteStatus.choices, default=SiteStatus.RUNNING)
    launched_on = models.DateField("开通日期", null=True, blank=True)
    # Where the homepage is only navigation, its second-level pages count as homepage updates (checklist).
    homepage_is_navigation = models.BooleanField("首页仅为导航页", default=False)
    homepage_updated_on = models.DateField("首页最近更新", null=True, blank=True, db_index=True)
    # Checklist veto 互动回应差: a site with no working consultation channel (咨询/留言) fails outright.
    has_consultation_channel = models.BooleanField("设有咨询留言渠道", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "网站"
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["owner", "status"], name="site_owner_status_idx"),
            models.Index(fields=["name", "id"], name="site_name_order_idx"),  # issue 14: the list's order
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"organisation": self.owner_id}


class ColumnCategory(models.TextChoices):
    NEWS = "news", "动态要闻"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    MONTHLY = "monthly", "按月更新"
    QUARTERLY = "quarterly", "按季度更新"
    ANNUAL = "annual", "按年更新"
    OTHER = "other", "其他（更新周期不明显）"


class ColumnQuerySet(models.QuerySet):
    def for_user(self, user):
        """Columns of the sites the user sees, and the columns their own units provide content for (协办单位)."""
        orgs = access.organisation_ids_for(user)
        return self.filter(
            Q(site__owner__in=orgs) | Q(site__operator__in=orgs) | Q(site__supervisor__in=orgs) | Q(responsible__in=orgs)
        )


class Column(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="columns", verbose_name="网站")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="上级栏目")
    name = models.CharField("栏目名称", max_length=200)
    category = models.CharField("更新类别", max_length=20, choices=ColumnCategory.choices, default=ColumnCategory.OTHER)
    responsible = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="columns", verbose_name="内容保障单位"
    )
    url = models.URLField("栏目地址", max_length=500, blank=True)
    feed_url = models.URLField("RSS/Atom 地址", max_length=500, blank=True)
    # The last failure of the feed poll / list-page read, shown next to the column so someone fixes the address.
    feed_error = models.CharField("RSS 抓取错误", max_length=500, blank=True, editable=False)
    crawl_error = models.CharField("栏目页读取错误", max_length=500, blank=True, editable=False)
    opened_on = models.DateField("开设日期", null=True, blank=True)
    # Denormalised date (Asia/Shanghai) of the newest update, kept current in the same transaction as the update.
    last_updated_on = models.DateField("最近更新", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ColumnQuerySet.as_manager()

    class Meta:
        ordering = ["site", "id"]
        verbose_name = "栏目"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["site", "parent", "name"], name="column_unique_name_in_parent"),
            # NULLs never clash in SQL, so top-level names need a constraint of their own.
            models.UniqueConstraint(
                fields=["site", "name"], condition=Q(parent__isnull=True), name="column_unique_top_level_name"
            ),
        ]
        indexes = [
            models.Index(fields=["category", "last_updated_on"], name="column_category_updated_idx"),
            models.Index(fields=["site", "category"], name="column_site_category_idx"),
            models.Index(fields=["site", "id"], name="column_site_order_idx"),  # issue 14: the list's order
        ]

    def __str__(self):
        return f"{self.site} / {self.name}"

    def get_additional_data(self):
        return {"organisation": self.responsible_id or self.site.owner_id}


class UpdateSource(models.TextChoices):
    PUBLICATION = "publication", "本平台发布"
    API = "api", "接口推送"
    IMPORT = "import", "文件导入"
    FEED = "feed", "RSS/Atom 抓取"
    CRAWL = "crawl", "栏目页抓取"
    MANUAL = "manual", "手工登记"


class ColumnUpdate(models.Model):
    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="updates", verbose_name="栏目")
    published_at = models.DateTimeField("发布时间")
    title = models.CharField("标题", max_length=500)
    url = models.URLField("链接", max_length=1000, blank=True)
    original = models.BooleanField("原创", default=True)
    source = models.CharField("来源", max_length=20, choices=UpdateSource.choices, default=UpdateSource.API)
    # The item's identity at its source (feed entry id, platform id, URL): a re-import adds nothing.
    external_id = models.CharField("平台编号", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "栏目更新记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["column", "external_id"], condition=~Q(external_id=""), name="column_update_unique_external"
            ),
            # One record per published item: a (subject, url) pushed again, by any path, adds nothing. On the url's
            # MD5, so that a long non-ASCII url stays within PostgreSQL's btree entry limit.
            models.UniqueConstraint(F("column"), MD5("url"), condition=~Q(url=""), name="column_update_unique_url"),
        ]
        indexes = [models.Index(fields=["column", "-published_at"], name="column_update_recent_idx")]

    def __str__(self):
        return self.title


class ProbeQuerySet(models.QuerySet):
    def recent(self, days: int = 7):
        from django.utils import timezone

        return self.filter(checked_at__gte=timezone.now() - dt.timedelta(days=days))


class Probe(models.Model):
    """One request for a site's homepage (checklist veto 站点无法访问: ≥ 5 % failed or slow over 7 days)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="probes", verbose_name="网站")
    checked_at = models.DateTimeField("检测时间")
    # False when the request failed, answered with an error status, or took longer than the limit (15 s).
    ok = models.BooleanField("正常")
    response_ms = models.IntegerField("响应毫秒", null=True, blank=True)
    status_code = models.IntegerField("HTTP 状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)

    objects = ProbeQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = "首页可用性检测"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["site", "checked_at"], name="probe_site_checked_idx")]

    def __str__(self):
        return f"{self.site} {self.checked_at:%Y-%m-%d %H:%M} {'正常' if self.ok else '异常'}"


class LinkKind(models.TextChoices):
    LINK = "link", "链接"
    IMAGE = "image", "图片"


class BrokenLink(models.Model):
    """A link or image on one page of a site that did not load when last checked; `fixed_at` once it did."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="broken_links", verbose_name="网站")
    page_url = models.URLField("所在页面", max_length=1000)
    link_url = models.URLField("链接地址", max_length=1000)
    # sha256 of page and link: a unique key short enough for any database's index, however long the URLs.
    fingerprint = models.CharField(max_length=64, editable=False)
    kind = models.CharField("类型", max_length=10, choices=LinkKind.choices, default=LinkKind.LINK)
    status_code = models.IntegerField("HTTP 状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    first_seen_at = models.DateTimeField("首次发现")
    last_seen_at = models.DateTimeField("最近发现")
    fixed_at = models.DateTimeField("已修复", null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = "错链（断链）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["site", "fingerprint"], name="broken_link_unique_per_site")]
        indexes = [models.Index(fields=["site", "fixed_at"], name="broken_link_site_fixed_idx")]

    def __str__(self):
        return f"{self.page_url} → {self.link_url}"

    @staticmethod
    def make_fingerprint(page_url: str, link_url: str) -> str:
        return hashlib.sha256(f"{page_url}\n{link_url}".encode()).hexdigest()

    def get_additional_data(self):
        return {"organisation": self.site.owner_id}


class LinkCheckStatus(models.TextChoices):
    RUNNING = "running", "检测中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class LinkCheck(models.Model):
    """One walk of a site by the link checker: what it covered, so the office can see the limits it hit."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="link_checks", verbose_name="网站")
    status = models.CharField("状态", max_length=20, choices=LinkCheckStatus.choices, default=LinkCheckStatus.RUNNING)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pages_checked = models.PositiveIntegerField("检查页面数", default=0)
    links_checked = models.PositiveIntegerField("检查链接数", default=0)
    broken_count = models.PositiveIntegerField("发现错链数", default=0)
    skipped_by_robots = models.PositiveIntegerField("robots.txt 排除数", default=0)
    hit_page_limit = models.BooleanField("达到页面数上限", default=False)
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "错链检测记录"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["site", "-started_at"], name="link_check_site_started_idx")]

    def __str__(self):
        return f"{self.site} {self.started_at:%Y-%m-%d %H:%M}"
