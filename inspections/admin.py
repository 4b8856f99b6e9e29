from django.contrib import admin

from .models import ErrorReport, Finding, Inspection, Message, MessagePolicy


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["as_of", "organisation", "status", "started_at", "finished_at"]
    readonly_fields = ["counts", "versions", "error"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["rule", "subject_type", "subject_id", "organisation", "found_on", "due_on", "status"]
    list_filter = ["rule", "severity", "status"]
    raw_id_fields = ["inspection", "organisation", "rectified_by"]


admin.site.register(MessagePolicy)
admin.site.register(ErrorReport)
admin.site.register(Message)
