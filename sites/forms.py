from django import forms
from django.db import models

from govmedia.core.forms import DateInput, DateTimeInput

from .models import Column, ColumnCategory, Site

DATE = DateInput()


def _formfield(field, **kwargs):
    # Government sites are served over https; an address typed without a scheme gets https.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "url", "owner", "operator", "supervisor", "icp_number", "police_number", "site_code",
                  "status", "launched_on", "has_consultation_channel", "homepage_is_navigation"]
        widgets = {"launched_on": DATE}
        formfield_callback = _formfield

    def __init__(self, *args, owners, operators, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["operator"].queryset = operators
        self.fields["supervisor"].queryset = supervisors
        self.fields["url"].widget.attrs["placeholder"] = "https://www.example.gov.cn/"


class ColumnForm(forms.ModelForm):
    class Meta:
        model = Column
        fields = ["name", "parent", "category", "responsible", "url", "feed_url", "opened_on"]
        widgets = {"opened_on": DATE}
        formfield_callback = _formfield

    def __init__(self, *args, site, units, **kwargs):
        super().__init__(*args, **kwargs)
        parents = site.columns.order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["responsible"].queryset = units
        self.fields["category"].choices = ColumnCategory.choices


class ColumnUpdateForm(forms.Form):
    published_at = forms.DateTimeField(label="发布时间", widget=DateTimeInput())
    title = forms.CharField(label="标题", max_length=500)
    url = forms.URLField(label="链接", max_length=1000, required=False, assume_scheme="https")


class ColumnImportForm(forms.Form):
    file = forms.FileField(label="栏目表（xlsx 或 csv）", help_text="表头：栏目名称、上级栏目、更新类别、内容保障单位、栏目地址、RSS地址、开设日期")
