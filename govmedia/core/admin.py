"""The audit log in /admin: read-only for everybody, the superuser included (the database refuses changes
anyway; this keeps the buttons away)."""
from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from .models import AuditArchive, AuditEntry

if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, LogEntryAdmin):
    # auditlog's admin lets a cascade from another admin delete entries; here nothing deletes them.
    actions = None


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ["first_id", "last_id", "count", "until", "file_name", "created_at"]
    actions = None
