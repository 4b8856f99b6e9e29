"""Government websites and their columns (栏目), with the update records that keep them current."""
from django.db import models
from django.db.models import Q


class SiteStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    OFFLINE = "offline", "已关停"
    MIGRATED = "migrated", "已迁移整合"


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        from accounts.models import Organisation

        orgs = Organisation.objects.for_user(user).values("pk")
        return self.filter(Q(owner__in=orgs) | Q(operator__in=orgs) | Q(supervisor__in=orgs))


class Site(models.Model):
    name = models.CharField("网站名称", max_length=200)
    url = models.URLField("首页地址", max_length=500)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="sites", verbose_name="主办单位")
    operator = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="operated_sites", verbose_name="承办单位"
    )
    supervisor = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_sites", verbose_name="主管单位"
    )
    icp_number = models.CharField("ICP备案号", max_length=60, blank=True)
    police_number = models.CharField("公安机关备案号", max_length=60, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    status = models.CharField("状态", max_length=20, choices=SiteStatus.choices, default=SiteStatus.RUNNING)
    launched_on = models.DateField("开通日期", null=True, blank=True)
    # Where the homepage is only navigation, its second-level pages count as homepage updates (checklist).
    homepage_is_navigation = models.BooleanField("首页仅为导航页", default=False)
    homepage_updated_on = models.DateField("首页最近更新", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "网站"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["owner", "status"], name="site_owner_status_idx")]

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
        return self.filter(site__in=Site.objects.for_user(user).values("pk"))


class Column(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="columns", verbose_name="网站")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="上级栏目")
    name = models.CharField("栏目名称", max_length=200)
    category = models.CharField("更新类别", max_length=20, choices=ColumnCategory.choices, default=ColumnCategory.OTHER)
    responsible = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="columns", verbose_name="内容保障单位"
    )
    url = models.URLField("栏目地址", max_length=500, blank=True)
    feed_url = models.URLField("RSS/Atom 地址", max_length=500, blank=True)
    opened_on = models.DateField("开设日期", null=True, blank=True)
    # Denormalised date (Asia/Shanghai) of the newest update, kept current in the same transaction as the update.
    last_updated_on = models.DateField("最近更新", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ColumnQuerySet.as_manager()

    class Meta:
        ordering = ["site", "id"]
        verbose_name = "栏目"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["site", "parent", "name"], name="column_unique_name_in_parent")]
        indexes = [
            models.Index(fields=["category", "last_updated_on"], name="column_category_updated_idx"),
            models.Index(fields=["site", "category"], name="column_site_category_idx"),
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
    external_id = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "栏目更新记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["column", "external_id"], condition=~Q(external_id=""), name="column_update_unique_external"
            )
        ]
        indexes = [models.Index(fields=["column", "-published_at"], name="column_update_recent_idx")]

    def __str__(self):
        return self.title
