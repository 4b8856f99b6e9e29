from django import forms

from .events import CHOICES
from .models import SECRET_MAX_LENGTH, SECRET_MIN_LENGTH, validate_webhook_url


class WebhookForm(forms.Form):
    organisation = forms.ModelChoiceField(label="所属单位", queryset=None, help_text="推送本单位及下级单位的事件。")
    url = forms.CharField(label="推送地址", max_length=500, validators=[validate_webhook_url],
                          help_text="接收方的 http(s) 地址，可为内网地址。")
    events = forms.MultipleChoiceField(label="订阅事件", choices=CHOICES, widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "请至少选择一个订阅事件。"})
    secret = forms.CharField(
        label="签名密钥", required=False, min_length=SECRET_MIN_LENGTH, max_length=SECRET_MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=f"至少 {SECRET_MIN_LENGTH} 个字符。留空：新建时自动生成（仅显示一次），修改时保持不变。",
    )
    description = forms.CharField(label="说明", max_length=200, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
