from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govmedia.core"
    label = "core"
    verbose_name = "基础设置"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import DateTimeField as ModelDateTimeField
        from rest_framework.serializers import ModelSerializer

        from . import api, models, schema  # noqa: F401  (schema: drf-spectacular extensions register on import)

        # RFC 3339 date-times in every answer (see api.DateTimeField).
        ModelSerializer.serializer_field_mapping[ModelDateTimeField] = api.DateTimeField

        auditlog.register(models.CalendarDay)
        auditlog.register(models.CalendarYear)
