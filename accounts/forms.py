"""Page forms of the register: the 备案登记表 in sections, with menu and team rows posted as parallel lists."""
from __future__ import annotations

from django import forms

from accounts import filings as form_rules
from govmedia.core.forms import DateInput, DateTimeInput


def _page_field(field: form_rules.FormField) -> forms.Field:
    """The page's input for one declared field. Nothing is required here: a draft may be incomplete."""
    common = {"label": field.page_label or field.label, "required": False, "help_text": field.help_text}
    kind = field.kind
    if kind == form_rules.TEXT:
        return forms.CharField(max_length=field.max_length, **common)
    if kind == form_rules.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == form_rules.URL:
        return forms.URLField(max_length=field.max_length, assume_scheme="https", **common)
    if kind == form_rules.DATE:
        return forms.DateField(widget=DateInput(), **common)
    if kind == form_rules.BOOL:
        return forms.BooleanField(**common)
    if kind == form_rules.COUNT:
        return forms.IntegerField(min_value=0, **common)
    if kind == form_rules.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + field.choices.choices, **common)
    if kind == form_rules.UNIT:
        # The units offered depend on who fills the form: set in RegistrationForm.__init__.
        return forms.ModelChoiceField(queryset=None, **common)
    if kind == form_rules.IMAGE:
        return forms.ImageField(**common)
    raise ValueError(f"no page input for {kind!r} ({field.name})")


# The declared fields as a form class; RegistrationForm adds the menu and team rows and the per-user units.
RegistrationFields = type("RegistrationFields", (forms.Form,), {f.name: _page_field(f) for f in form_rules.FIELDS})


class RegistrationForm(RegistrationFields):
    """Typing and widgets only: the rules (required on submit, internal owner, depth ...) are in the services."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in form_rules.FIELDS:
            if field.kind == form_rules.UNIT:
                self.fields[field.name].queryset = field.units(user).order_by("path")
        self.menu_rows: list[dict] = []
        self.team_rows: list[dict] = []
        self.menu_errors: list[str] = []
        self.team_errors: list[str] = []

    def sections(self):
        return [(title, [self[field.name] for field in fields]) for title, fields in form_rules.SECTIONS]

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
            if name in self.cleaned_data:
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
    event_date = forms.DateField(label="事项发生日期", required=False, widget=DateInput(),
                                 help_text="开设、变更、关停或注销的日期：备案期限从这一天起算")
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
    published_at = forms.DateTimeField(label="发布时间", widget=DateTimeInput())
    title = forms.CharField(label="标题", max_length=500)
    url = forms.URLField(label="链接", max_length=1000, required=False, assume_scheme="https")
    original = forms.BooleanField(label="原创", required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label="平台导出的 csv 文件", help_text="列：发布时间、标题、链接、是否原创")


class FactsForm(forms.Form):
    password_changed_on = forms.DateField(label="平台密码最近修改日期", required=False,
                                          widget=DateInput(), help_text="只登记日期，切勿填写密码")
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
