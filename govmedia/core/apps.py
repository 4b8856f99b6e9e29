from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govmedia.core"
    label = "core"
    verbose_name = "基础设置"

    def ready(self):
        from django.db.models import DateTimeField as ModelDateTimeField
        from rest_framework.serializers import ModelSerializer

        from . import api, memo, models, schema  # noqa: F401  (schema: drf-spectacular extensions register on import;
        # memo: a request's remembered answers begin and end with the request's signals)

        # RFC 3339 date-times in every answer (see api.DateTimeField).
        ModelSerializer.serializer_field_mapping[ModelDateTimeField] = api.DateTimeField
        # Filters on related ids never look the object up (no existence oracle; see api.IdFilter).
        api.use_id_filters()
        # Which models the audit log follows: govmedia/auditing.py (the project names every room's models).
