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
