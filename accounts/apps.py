from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "政务新媒体"

    def ready(self):
        from auditlog.registry import auditlog

        from accounts import models

        # The register: every change of an account's registered data, team and filings is kept.
        auditlog.register(models.Account, exclude_fields=["last_updated_on", "last_original_on"])
        auditlog.register(models.AccountTeamMember)
        auditlog.register(models.Filing, exclude_fields=["form", "updated_at"])
