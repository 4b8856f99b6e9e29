from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "机构与人员"

    def ready(self):
        from auditlog.registry import auditlog

        from organisations import models

        auditlog.register(models.Organisation)
        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.Membership)
