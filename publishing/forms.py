from django import forms
from django.forms import formset_factory
from django.urls import reverse

from govmedia.core.forms import DateInput, DateTimeInput
from organisations.models import Organisation

from .models import Post, PostKind, WordListKind


class PostForm(forms.ModelForm):
    attachment = forms.FileField(label="添加附件", required=False, help_text="PDF、Office、WPS、OFD、图片、压缩包；大小有限制。")

    class Meta:
        model = Post
        fields = [
            "organisation", "title", "kind", "interprets", "body", "origin", "source_name", "source_url",
            "sensitivity", "columns", "accounts", "disclosure_required", "made_on", "publish_at",
        ]
        widgets = {
            # The rich-text editor (static/js/editor.js, Quill) takes this textarea over; without script it stays
            # a plain HTML box, and either way the server sanitises what comes back (publishing.text.sanitise).
            "body": forms.Textarea(attrs={"rows": 14, "class": "rich", "data-editor": "rich"}),
            "columns": forms.CheckboxSelectMultiple,
            "accounts": forms.CheckboxSelectMultiple,
            "made_on": DateInput(),
            "publish_at": DateTimeInput(),
        }
        help_texts = {
            "body": "可使用段落、标题、加粗、列表、表格、链接和图片；从 Word 粘贴时自动清除其字体和样式。"
                    "图片须上传为本稿件的附件（先保存稿件再插入），外网图片只能来自允许的网站。",
            "publish_at": "留空则三校通过后立即发布。",
            "sensitivity": "重大敏感稿件必须经主要负责人签发。",
        }

    def __init__(self, *args, organisations, channels, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            self.fields["organisation"].disabled = True
        columns, accounts = channels
        self.fields["columns"].queryset = columns
        self.fields["accounts"].queryset = accounts
        self.fields["interprets"].queryset = policies
        self.fields["interprets"].required = False
        if self.instance.pk:
            # Where the editor's image button uploads (an attachment of this post); a new post has none yet.
            self.fields["body"].widget.attrs["data-image-url"] = reverse("post-image-upload", args=[self.instance.pk])


class CoProducerForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="共同形成单位", required=False)
    consent_on = forms.DateField(label="书面同意日期", required=False, widget=DateInput())
    consent_reference = forms.CharField(label="同意文书", required=False, max_length=200)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.all()


CoProducerFormSet = formset_factory(CoProducerForm, extra=2, max_num=20)


class WordListForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="单位")
    kind = forms.ChoiceField(choices=WordListKind.choices, label="词表")
    entries = forms.CharField(
        label="词条", required=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每行一条；纠错表写作“错误说法,建议说法”；白名单写域名（如 gov.cn）。",
    )
    file = forms.FileField(label="或从文件导入（txt / csv）", required=False)
    append = forms.BooleanField(label="导入时追加到现有词条（不勾选则替换）", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


KIND_CHOICES = PostKind.choices
