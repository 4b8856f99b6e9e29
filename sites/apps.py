from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "网站与栏目"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Site)
        # Update records and monitoring rows are data, not edits someone made: they stay out of the audit log.
        auditlog.register(models.Column, exclude_fields=["last_updated_on", "feed_error", "crawl_error"])
