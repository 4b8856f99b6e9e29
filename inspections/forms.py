from django import forms

from govmedia.core.forms import DateInput, DateTimeInput
from govmedia.core.listing import ListFilterForm
from organisations.models import Organisation
from rules.definitions import LABELS

from .models import FindingStatus, RectificationState, Severity


class RunForm(forms.Form):
    as_of = forms.DateField(label="检查基准日", widget=DateInput())
    organisation = forms.ModelChoiceField(label="检查范围", queryset=Organisation.objects.none(), required=False,
                                          empty_label="我主管的全部单位")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class FindingFilterForm(ListFilterForm):
    rule = forms.ChoiceField(label="规则", required=False, choices=[("", "全部")] + sorted(LABELS.items(), key=lambda i: i[1]))
    severity = forms.ChoiceField(label="严重程度", required=False, choices=[("", "全部")] + Severity.choices)
    organisation = forms.ModelChoiceField(label="单位（含下级）", required=False, queryset=Organisation.objects.none(), empty_label="全部")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + FindingStatus.choices)
    overdue = forms.ChoiceField(label="逾期", required=False, choices=[("", "不限"), ("1", "仅逾期"), ("0", "未逾期")])
    found_from = forms.DateField(label="发现日期自", required=False, widget=DateInput())
    found_to = forms.DateField(label="发现日期至", required=False, widget=DateInput())
    rectification_state = forms.ChoiceField(label="整改反馈", required=False,
                                            choices=[("", "不限")] + RectificationState.choices[1:])

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class RectifyForm(forms.Form):
    comment = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    evidence_url = forms.URLField(label="佐证链接", required=False, max_length=1000, assume_scheme="https")
    evidence_file = forms.FileField(label="佐证材料", required=False)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ErrorReportForm(forms.Form):
    site = forms.ModelChoiceField(label="网站", queryset=None)
    received_at = forms.DateTimeField(label="收到时间", widget=DateTimeInput())
    content = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label="问题页面", required=False, assume_scheme="https")
    reporter = forms.CharField(label="反映人", required=False, max_length=100)
    external_id = forms.CharField(label="平台编号", required=False, max_length=100)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class MessageForm(forms.Form):
    site = forms.ModelChoiceField(label="网站", queryset=None, required=False)
    account = forms.ModelChoiceField(label="账号", queryset=None, required=False)
    received_at = forms.DateTimeField(label="收到时间", widget=DateTimeInput())
    author = forms.CharField(label="留言人", required=False, max_length=100)
    title = forms.CharField(label="标题", required=False, max_length=300)
    content = forms.CharField(label="留言内容", widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label="公开", required=False, initial=True)

    def __init__(self, *args, sites=None, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["account"].queryset = accounts

    def clean(self):
        data = super().clean()
        if bool(data.get("site")) == bool(data.get("account")):
            raise forms.ValidationError("请指定留言所在的网站或账号（二者选一）。")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件", help_text="csv（UTF-8 或 GBK/GB18030 编码）或 Excel xlsx 文件")


class PolicyForm(forms.Form):
    organisation = forms.ModelChoiceField(label="单位", queryset=None)
    reply_workdays = forms.IntegerField(label="留言答复时限（工作日）", min_value=1, max_value=60, initial=5)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
