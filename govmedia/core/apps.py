from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govmedia.core"
    label = "core"
    verbose_name = "基础设置"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.CalendarDay)
        auditlog.register(models.CalendarYear)
