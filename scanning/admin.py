from django.contrib import admin

from .models import Dismissal, Scan, ScanLimits


# A site's own limits, set here by the system administrator (a site without a row gets the field defaults).
@admin.register(ScanLimits)
class ScanLimitsAdmin(admin.ModelAdmin):
    list_display = ["site", "enabled", "max_depth", "max_pages", "delay", "timeout", "check_outbound"]
    list_filter = ["enabled", "check_outbound"]
    raw_id_fields = ["site"]


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ["id", "site", "account", "status", "full", "pages", "checked", "opened", "closed", "finished_at"]
    list_filter = ["status", "full"]
    raw_id_fields = ["site", "account", "created_by"]
    readonly_fields = ["counts", "error"]


@admin.register(Dismissal)
class DismissalAdmin(admin.ModelAdmin):
    list_display = ["rule", "url", "match", "reason", "dismissed_by", "dismissed_at"]
    raw_id_fields = ["finding", "organisation", "dismissed_by"]
