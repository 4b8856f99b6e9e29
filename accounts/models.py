"""The new-media register: accounts, their updates, menus and team, and the 备案 filings (SPEC "Filings")."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import MD5
from django.utils import timezone

from govmedia.core.files import RandomName
from govmedia.core.workdays import add_workdays
from organisations import access
from organisations.models import Organisation, Role, User
from rules import thresholds

class Platform(models.TextChoices):
    WECHAT = "wechat", "微信"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    KUAISHOU = "kuaishou", "快手"
    TOUTIAO = "toutiao", "今日头条"
    APP = "app", "移动客户端"
    OTHER = "other", "其他"


class AccountType(models.TextChoices):
    """The kind of account on its platform. A WeChat account must say which of the first three it is (附件1 note)."""

    SUBSCRIPTION = "subscription", "订阅号"
    SERVICE = "service", "服务号"
    MINIPROGRAM = "miniprogram", "小程序"
    APP = "app", "移动客户端"
    VIDEO = "video", "短视频号"
    OTHER = "other", "其他"


WECHAT_TYPES = (AccountType.SERVICE, AccountType.SUBSCRIPTION, AccountType.MINIPROGRAM)


class AccountStatus(models.TextChoices):
    # An account whose opening filing is still a draft: not yet in the register, never live.
    DRAFT = "draft", "开设草稿"
    APPLYING = "applying", "申请开设"
    RUNNING = "running", "运行中"
    CLOSING = "closing", "关停公示中"
    DEREGISTERED = "deregistered", "已注销"


LIVE_STATUSES = (AccountStatus.APPLYING, AccountStatus.RUNNING, AccountStatus.CLOSING)
# SPEC "三审三校 that one person cannot pass": an account not yet approved (申请开设) publishes nothing.
PUBLISHABLE_STATUSES = (AccountStatus.RUNNING, AccountStatus.CLOSING)


class AccountQuerySet(models.QuerySet):
    def for_user(self, user):
        orgs = access.organisation_ids_for(user)
        return self.filter(Q(owner__in=orgs) | Q(operator__in=orgs) | Q(supervisor__in=orgs))

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def publishable(self):
        return self.filter(status__in=PUBLISHABLE_STATUSES)


class Account(models.Model):
    """One government new-media account on one platform (政务新媒体账号).

    WeChat service accounts, subscription accounts and mini-programs share the platform `wechat`: the rule
    "one live account per owner and platform" treats them as one platform (jinan §10, qingdao §5).
    """

    name = models.CharField("账号名称", max_length=200)
    platform = models.CharField("平台", max_length=20, choices=Platform.choices)
    account_type = models.CharField("账号类型", max_length=40, blank=True, choices=AccountType.choices)
    platform_id = models.CharField("账号ID", max_length=200, blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="accounts", verbose_name="主办单位")
    supervisor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_accounts", verbose_name="主管单位"
    )
    operator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="operated_accounts", verbose_name="承办单位"
    )
    status = models.CharField("状态", max_length=20, choices=AccountStatus.choices, default=AccountStatus.APPLYING)
    opened_on = models.DateField("开设日期", null=True, blank=True)
    url = models.URLField("访问地址", max_length=500, blank=True)
    feed_url = models.URLField("RSS/Atom 地址", max_length=500, blank=True)
    has_interaction = models.BooleanField("提供互动功能", default=True)
    # Denormalised dates (Asia/Shanghai) of the newest update and newest original update.
    last_updated_on = models.DateField("最近更新", null=True, blank=True, editable=False)
    last_original_on = models.DateField("最近原创", null=True, blank=True, editable=False)
    password_changed_on = models.DateField("平台密码最近修改日期", null=True, blank=True)
    # Set when a member of the management team leaves: the password must be changed at once.
    credential_change_due_since = models.DateField("因人员变动须改密（起）", null=True, blank=True)
    province_notice_count = models.PositiveSmallIntegerField("被省级通报次数", default=0)
    # A supervisor may allow a second live account on one platform, with the reason recorded.
    exemption_reason = models.CharField("同平台多账号豁免理由", max_length=500, blank=True)
    # --- The rest of the 备案登记表 (qingdao 附件1), kept current by approved filings. ---
    registered_on = models.DateField("创建/注册日期", null=True, blank=True)
    verified = models.BooleanField("是否通过认证", default=False)
    news_licence = models.BooleanField("是否取得互联网新闻信息服务资质", default=False)
    supervisor_leader = models.CharField("主管单位分管领导", max_length=60, blank=True)
    supervisor_leader_title = models.CharField("主管单位分管领导职务", max_length=100, blank=True)
    supervisor_contact = models.CharField("主管单位联系电话及方式", max_length=100, blank=True)
    owner_leader = models.CharField("主办单位分管领导", max_length=60, blank=True)
    owner_leader_title = models.CharField("主办单位分管领导职务", max_length=100, blank=True)
    owner_contact = models.CharField("主办单位联系电话及方式", max_length=100, blank=True)
    operator_leader = models.CharField("承办单位分管领导", max_length=60, blank=True)
    operator_leader_title = models.CharField("承办单位分管领导职务", max_length=100, blank=True)
    operator_contact = models.CharField("承办单位联系电话及方式", max_length=100, blank=True)
    functions = models.CharField("平台功能", max_length=500, blank=True)
    introduction = models.TextField("基本情况介绍", blank=True)
    followers = models.PositiveIntegerField("关注量/粉丝量", null=True, blank=True)
    operation_started_on = models.DateField("正式运营时间", null=True, blank=True)
    qr_code = models.ImageField("新媒体二维码", upload_to=RandomName("accounts/qr"), blank=True)
    national_reference = models.CharField("全国政务新媒体信息报送系统编号", max_length=100, blank=True)
    # The date an approved close filing started the closure notice (qingdao §7: 公告不少于15个工作日).
    closure_notice_on = models.DateField("关停公告日期", null=True, blank=True)
    # A legacy account found to have been opened by a person in a unit's name (qingdao §5): kept so it is reported.
    opened_by_individual = models.BooleanField("以个人名义代单位开设", default=False)
    # An account brought into the register directly owes a backfill filing by this date (qingdao §19).
    backfill_due_on = models.DateField("补办备案截止日期", null=True, blank=True)
    # The day the backfill's working days count from (the rules' effective date): a calendar change recounts
    # backfill_due_on from it (accounts/calendar_dates.py).
    backfill_start_on = models.DateField("补办备案起算日期", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["owner__path", "platform", "name"]
        verbose_name = "政务新媒体账号"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "platform"],
                condition=Q(status__in=["applying", "running", "closing"]) & Q(exemption_reason=""),
                name="account_one_live_per_owner_platform",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_updated_on"], name="account_status_updated_idx"),
            models.Index(fields=["owner", "status"], name="account_owner_status_idx"),
            models.Index(fields=["backfill_due_on"], name="account_backfill_due_idx"),
            # Issue 14: a unit's register in its order (owner, platform, name) without a sort.
            models.Index(fields=["owner", "platform", "name"], name="account_owner_order_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_platform_display()}）"

    def get_additional_data(self):
        return {"organisation": self.owner_id}

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def closure_notice_workdays(self) -> int | None:
        """The closure notice period (working days) the owner's checklist sets today — the number the inspection
        of today judges with (closure_notice_short); 0 where the unit's rules set no period. None: not closing."""
        if not self.closure_notice_on:
            return None
        return thresholds.value(self.owner, "closure_notice_short", "workdays", timezone.localdate()) or 0

    @property
    def first_deregister_on(self):
        """The first day a deregistration may take effect: the notice period's last working day after the notice."""
        workdays = self.closure_notice_workdays
        if workdays is None:
            return None
        return add_workdays(self.closure_notice_on, workdays) if workdays else self.closure_notice_on


class AccountUpdate(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="updates", verbose_name="账号")
    published_at = models.DateTimeField("发布时间")
    title = models.CharField("标题", max_length=500)
    url = models.URLField("链接", max_length=1000, blank=True)
    original = models.BooleanField("原创", default=True)
    source = models.CharField("来源", max_length=20, default="api")  # sites.models.UpdateSource values
    external_id = models.CharField("平台编号", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "账号更新记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], condition=~Q(external_id=""), name="account_update_unique_external"
            ),
            # One record per published item: a (subject, url) pushed again, by any path, adds nothing. On the url's
            # MD5, so that a long non-ASCII url stays within PostgreSQL's btree entry limit.
            models.UniqueConstraint(F("account"), MD5("url"), condition=~Q(url=""), name="account_update_unique_url"),
        ]
        indexes = [models.Index(fields=["account", "-published_at"], name="account_update_recent_idx")]

    def __str__(self):
        return self.title


# --- The 备案登记表 (qingdao 附件1) in structured form, and the filings that change it -------------------------

class AccountMenu(models.Model):
    """One menu item of an account (栏目设置): up to three levels (一级/二级/三级菜单)."""

    MAX_DEPTH = 3

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="menus", verbose_name="账号")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="上级菜单"
    )
    name = models.CharField("菜单名称", max_length=100)
    note = models.CharField("备注", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["account", "position"]
        verbose_name = "账号菜单"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["account", "position"], name="account_menu_order_idx")]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        depth, node = 1, self
        while node.parent_id:
            node = node.parent
            depth += 1
        return depth

    def clean(self):
        if self.parent_id and self.parent.account_id != self.account_id:
            raise ValidationError({"parent": "上级菜单必须属于同一账号。"})
        if self.depth > self.MAX_DEPTH:
            raise ValidationError({"parent": "菜单最多三级。"})


class AccountTeamMember(models.Model):
    """A member of an account's management team (管理队伍). Leaving marks the platform password as due for change."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team", verbose_name="账号")
    name = models.CharField("管理员姓名", max_length=60)
    unit_title = models.CharField("所在单位及职务", max_length=200, blank=True)
    office_phone = models.CharField("办公电话", max_length=40, blank=True)
    mobile = models.CharField("手机号码", max_length=20, blank=True)
    joined_on = models.DateField("加入日期", null=True, blank=True)
    left_on = models.DateField("离开日期", null=True, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["account", "left_on", "position"]
        verbose_name = "管理队伍成员"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["account", "left_on"], name="account_team_current_idx")]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"organisation": self.account.owner_id}


class FilingKind(models.TextChoices):
    OPEN = "open", "开设备案"
    CHANGE = "change", "变更备案"
    CLOSE = "close", "关停备案"
    DEREGISTER = "deregister", "注销备案"
    BACKFILL = "backfill", "补办备案"


class FilingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"


class FilingStage(models.TextChoices):
    OWNER_PRINCIPAL = "owner_principal", "主办单位主要负责人审批"
    SUPERVISOR = "supervisor", "主管单位审批"


OPEN_FILING_STATUSES = (FilingStatus.DRAFT, FilingStatus.PENDING)


class FilingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(account__in=Account.objects.for_user(user).values("pk"))


class Filing(models.Model):
    """One 备案 of an account: open, change, close, deregister or backfill (SPEC "Filings").

    `form` is the whole 备案登记表 as submitted (a snapshot); the structured account rows change only when the
    filing is approved by the owner's principal and then the supervisor.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="filings", verbose_name="账号")
    kind = models.CharField("备案类型", max_length=20, choices=FilingKind.choices)
    event_date = models.DateField("事项发生日期", help_text="开设、变更、关停或注销的日期；截止日期从这一天起算")
    status = models.CharField("状态", max_length=20, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    stage = models.CharField("当前审批环节", max_length=20, choices=FilingStage.choices, blank=True)
    form = models.JSONField("备案登记表", default=dict, blank=True)
    reason = models.TextField("开办（变更、关停）理由", blank=True)
    qr_code = models.ImageField("新媒体二维码", upload_to=RandomName("accounts/qr"), blank=True)
    owner_opinion = models.TextField("主办单位意见", blank=True)
    owner_approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主办单位负责人"
    )
    owner_approved_at = models.DateTimeField("主办单位审批时间", null=True, blank=True)
    supervisor_opinion = models.TextField("主管单位意见", blank=True)
    supervisor_approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主管单位负责人"
    )
    rejection_comment = models.TextField("退回意见", blank=True)
    city_reference = models.CharField("市级审批文号", max_length=100, blank=True)
    province_reference = models.CharField("省级审批/备案编号", max_length=100, blank=True)
    national_reference = models.CharField("全国政务新媒体信息报送系统编号", max_length=100, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    due_on = models.DateField("备案截止日期", null=True, blank=True)
    # A close filing's public notice: the date the closure notice period counts from (default: its approval).
    notice_on = models.DateField("关停公告日期", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="filings", verbose_name="填报人")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "备案"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status__in=["draft", "pending"]), name="filing_one_open_per_account"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", stage__in=["owner_principal", "supervisor"]) | (~Q(status="pending") & Q(stage="")),
                name="filing_stage_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "stage"], name="filing_status_stage_idx"),
            models.Index(fields=["account", "kind", "status"], name="filing_account_kind_idx"),
            models.Index(fields=["-created_at", "-id"], name="filing_recent_idx"),  # issue 14: the list's order
        ]

    def __str__(self):
        return f"{self.account.name} · {self.get_kind_display()}"

    def get_additional_data(self):
        return {"organisation": self.account.owner_id}

    @property
    def is_editable(self) -> bool:
        return self.status in (FilingStatus.DRAFT, FilingStatus.REJECTED)

    def deciding_role(self, stage: str | None = None) -> str | None:
        """The role that decides `stage` (default: the open one): the owner's principal, then a supervisor."""
        return {FilingStage.OWNER_PRINCIPAL: Role.PRINCIPAL, FilingStage.SUPERVISOR: Role.SUPERVISOR}.get(stage or self.stage)

    @property
    def submitted_late(self) -> bool | None:
        """Whether it was (or, unsubmitted, would now be) filed after its deadline."""
        if not self.due_on or not self.submitted_at:
            return None
        return timezone.localtime(self.submitted_at).date() > self.due_on


class FilingDecision(models.Model):
    """One decision on a filing at one stage: who, when, approve or reject, with the comment."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "同意"
        REJECTED = "rejected", "退回"

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="decisions", verbose_name="备案")
    stage = models.CharField("审批环节", max_length=20, choices=FilingStage.choices)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="审批人")
    decided_at = models.DateTimeField("审批时间")
    comment = models.TextField("意见", blank=True)

    class Meta:
        ordering = ["filing", "decided_at", "pk"]
        verbose_name = "备案审批记录"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.filing} · {self.get_stage_display()} · {self.get_outcome_display()}"


class AccountStatusChange(models.Model):
    """An account's status from a day on: the history a past `as_of` is judged by (issue 10). Written by
    accounts.history on every save that sets or changes the status."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="status_history", verbose_name="账号")
    status = models.CharField("状态", max_length=20, choices=AccountStatus.choices)
    effective_on = models.DateField("生效日期")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["account", "effective_on", "id"]
        verbose_name = "账号状态变更"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["account", "effective_on"], name="account_status_hist_idx")]

    def get_additional_data(self):
        return {"organisation": self.account.owner_id}


class ProvinceNoticeChange(models.Model):
    """The number of provincial notices (被省级通报次数) from a day on, with the number before it: a past `as_of`
    reads the count then (issue 10), also for an account whose earlier count was entered before this history was
    kept. Written by accounts.history on every save that changes the count."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notice_history", verbose_name="账号")
    count = models.PositiveSmallIntegerField("被省级通报次数")
    previous = models.PositiveSmallIntegerField("此前次数", default=0)
    effective_on = models.DateField("生效日期")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["account", "effective_on", "id"]
        verbose_name = "省级通报次数变更"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["account", "effective_on"], name="account_notice_hist_idx")]

    def get_additional_data(self):
        return {"organisation": self.account.owner_id}


class CredentialChange(models.Model):
    """A password change date as it was recorded (never the password): a later change does not hide that on a
    past `as_of` the password was older."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="credential_history", verbose_name="账号")
    changed_on = models.DateField("修改日期")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["account", "changed_on", "id"]
        verbose_name = "密码修改记录"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["account", "changed_on"], name="account_credential_hist_idx")]

    def get_additional_data(self):
        return {"organisation": self.account.owner_id}
