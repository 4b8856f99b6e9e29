from django.contrib import admin

from .models import ChecklistItem, ChecklistVersion


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "organisation", "base", "active"]
    list_filter = ["year", "active"]
    inlines = [ChecklistItemInline]
