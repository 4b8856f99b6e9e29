"""Page forms of the register: the 备案登记表 in sections, with menu and team rows posted as parallel lists."""
from __future__ import annotations

from django import forms

from accounts import filings as form_rules
from accounts.models import Platform
from accounts.selectors import owner_units, selectable_units

ACCOUNT_TYPE_CHOICES = [("", "—"), ("subscription", "订阅号"), ("service", "服务号"), ("miniprogram", "小程序"),
                        ("app", "移动客户端"), ("video", "短视频号"), ("other", "其他")]

SECTIONS = [
    ("基本信息", ["name", "platform", "account_type", "platform_id", "registered_on", "verified", "news_licence", "url",
              "operation_started_on", "followers"]),
    ("主管单位", ["supervisor", "supervisor_leader", "supervisor_leader_title", "supervisor_contact"]),
    ("主办单位", ["owner", "owner_leader", "owner_leader_title", "owner_contact"]),
    ("承办单位", ["operator", "operator_leader", "operator_leader_title", "operator_contact"]),
    ("功能与菜单", ["functions", "introduction", "qr_code"]),
]


class RegistrationForm(forms.Form):
    """Typing and widgets only: the rules (required on submit, internal owner, depth ...) are in the services."""

    name = forms.CharField(label="账号名称", max_length=200, required=False)
    platform = forms.ChoiceField(label="发布平台", choices=[("", "—")] + Platform.choices, required=False)
    account_type = forms.ChoiceField(label="账号类型", choices=ACCOUNT_TYPE_CHOICES, required=False,
                                     help_text="政务微信请注明服务号、订阅号或小程序")
    platform_id = forms.CharField(label="账号ID", max_length=200, required=False)
    registered_on = forms.DateField(label="创建/注册日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    verified = forms.BooleanField(label="已通过认证", required=False)
    news_licence = forms.BooleanField(label="已取得互联网新闻信息服务资质", required=False)
    url = forms.URLField(label="访问链接", max_length=500, required=False, assume_scheme="https")
    operation_started_on = forms.DateField(label="正式运营时间", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    followers = forms.IntegerField(label="关注量/粉丝量", min_value=0, required=False)
    supervisor = forms.ModelChoiceField(label="主管单位", queryset=None, required=False)
    supervisor_leader = forms.CharField(label="分管领导", max_length=60, required=False)
    supervisor_leader_title = forms.CharField(label="职务", max_length=100, required=False)
    supervisor_contact = forms.CharField(label="联系电话及方式", max_length=100, required=False)
    owner = forms.ModelChoiceField(label="主办单位", queryset=None, required=False)
    owner_leader = forms.CharField(label="分管领导", max_length=60, required=False)
    owner_leader_title = forms.CharField(label="职务", max_length=100, required=False)
    owner_contact = forms.CharField(label="联系电话及方式", max_length=100, required=False)
    operator = forms.ModelChoiceField(label="承办单位", queryset=None, required=False, help_text="不填则由主办单位自行承办")
    operator_leader = forms.CharField(label="分管领导", max_length=60, required=False)
    operator_leader_title = forms.CharField(label="职务", max_length=100, required=False)
    operator_contact = forms.CharField(label="联系电话及方式", max_length=100, required=False)
    functions = forms.CharField(label="平台功能", max_length=500, required=False, help_text="如 信息发布、政务服务、互动交流")
    introduction = forms.CharField(label="基本情况介绍", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    qr_code = forms.ImageField(label="新媒体二维码", required=False, help_text="PNG/JPEG 图片，不超过 2 MB")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_units(user).order_by("path")
        units = selectable_units(user).order_by("path")
        self.fields["supervisor"].queryset = units
        self.fields["operator"].queryset = units
        self.menu_rows: list[dict] = []
        self.team_rows: list[dict] = []
        self.menu_errors: list[str] = []
        self.team_errors: list[str] = []

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def read_rows(self, post):
        """The menu and team rows as posted; blank rows are dropped."""
        levels, names, notes = post.getlist("menu-level"), post.getlist("menu-name"), post.getlist("menu-note")
        self.menu_rows = []
        for level, name, note in zip(levels, names, notes):
            if not (name.strip() or note.strip()):
                continue
            self.menu_rows.append({"level": int(level) if level in ("1", "2", "3") else None, "name": name, "note": note})
        keys = ("name", "unit_title", "office_phone", "mobile")
        columns = [post.getlist(f"team-{key}") for key in keys]
        self.team_rows = [dict(zip(keys, values)) for values in zip(*columns) if any(v.strip() for v in values)]

    def typed(self) -> dict:
        data = form_rules.empty_form()
        for name in data:
            if name in self.cleaned_data and name != "qr_code":
                data[name] = self.cleaned_data[name]
        tree, problems = form_rules.menus_from_rows(self.menu_rows)
        self.menu_errors = problems
        data["menus"] = tree
        data["team"] = self.team_rows
        return data

    def apply_errors(self, errors: dict):
        for field, messages in errors.items():
            if field == "menus":
                self.menu_errors += messages
            elif field == "team":
                self.team_errors += messages
            elif field in self.fields:
                self.add_error(field, messages)
            else:
                self.add_error(None, messages)

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        return {k: v for k, v in data.items() if k not in ("menus", "team")}


class FilingFieldsForm(forms.Form):
    event_date = forms.DateField(label="事项发生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="开设、变更、关停或注销的日期：须在其后7个工作日内备案")
    reason = forms.CharField(label="开办（变更、关停）理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def apply_errors(self, errors: dict) -> dict:
        rest = {}
        for field, messages in errors.items():
            if field in self.fields:
                self.add_error(field, messages)
            else:
                rest[field] = messages
        return rest


class UpdateRecordForm(forms.Form):
    published_at = forms.DateTimeField(label="发布时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    title = forms.CharField(label="标题", max_length=500)
    url = forms.URLField(label="链接", max_length=1000, required=False, assume_scheme="https")
    original = forms.BooleanField(label="原创", required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label="平台导出的 csv 文件", help_text="列：发布时间、标题、链接、是否原创")


class FactsForm(forms.Form):
    password_changed_on = forms.DateField(label="平台密码最近修改日期", required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}), help_text="只登记日期，切勿填写密码")
    followers = forms.IntegerField(label="关注量/粉丝量", min_value=0, required=False)
    feed_url = forms.URLField(label="RSS/Atom 地址", required=False, assume_scheme="https")
    has_interaction = forms.BooleanField(label="提供互动功能", required=False)


class ExemptionForm(forms.Form):
    reason = forms.CharField(label="同平台多账号豁免理由", max_length=500, required=False,
                             help_text="留空即撤销豁免")


class DecisionForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferencesForm(forms.Form):
    city_reference = forms.CharField(label="市级审批文号", max_length=100, required=False)
    province_reference = forms.CharField(label="省级审批/备案编号", max_length=100, required=False)
    national_reference = forms.CharField(label="全国政务新媒体信息报送系统编号", max_length=100, required=False)
