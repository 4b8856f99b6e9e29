from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "机构、人员与账号"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Organisation)
        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.Membership)
        # The register: every change of an account's registered data, team and filings is kept.
        auditlog.register(models.Account, exclude_fields=["last_updated_on", "last_original_on"])
        auditlog.register(models.AccountTeamMember)
        auditlog.register(models.Filing, exclude_fields=["form", "updated_at"])
