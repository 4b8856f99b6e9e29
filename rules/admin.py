from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import ChecklistItem, ChecklistVersion
from .thresholds import NoChecklist, national_items
from .versions import loosening_errors


class ChecklistItemForm(forms.ModelForm):
    """The admin edits items too: a local item is held to the same rule as in the pages and the API (never loosen
    a national veto)."""

    class Meta:
        model = ChecklistItem
        fields = "__all__"

    def clean(self):
        data = super().clean()
        version = data.get("version") or getattr(self.instance, "version", None)
        if version is None or version.organisation_id is None or not data.get("code"):
            return data
        try:
            national = national_items(timezone.localdate())
        except NoChecklist:
            return data
        errors = loosening_errors(data["code"], thresholds=data.get("thresholds") or {}, enabled=data.get("enabled", True),
                                  kind=data.get("kind"), national=national.get(data["code"]))
        if errors:
            raise ValidationError(errors)
        return data


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    form = ChecklistItemForm
    extra = 0


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "organisation", "base", "active", "template", "region"]
    list_filter = ["year", "active", "template"]
    inlines = [ChecklistItemInline]
