"""The OpenAPI schema says what the API really answers (issue 15: a schema that generates working clients).

drf-spectacular describes a writable URL or choice field that may be blank as "a URL (or a choice), or an empty
string". A read-only field built from a model column with `blank=True` loses that: DRF drops `allow_blank` from
read-only fields, so the schema promised `format: uri` (or an enum without "") where the API answers "" — a
response that generated clients and fuzzers reject. These extensions give the read-only field the same
description as its writable twin. Loaded by CoreConfig.ready()."""
from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerFieldExtension


def model_allows_blank(field) -> bool:
    """Whether a read-only serializer field shows a model column that may hold ""."""
    if getattr(field, "allow_blank", False) or not field.read_only:
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = getattr(field, "source", "") or ""
    if model is None or not source or "." in source or source == "*":
        return False
    try:
        return bool(model._meta.get_field(source).blank)
    except FieldDoesNotExist:
        return False


def _as_blankable(field):
    blankable = copy.copy(field)
    blankable.allow_blank = True
    return blankable


class BlankableURLField(OpenApiSerializerFieldExtension):
    """A URL the API may answer as "" (no link given): `oneOf: [uri, ""]`, as drf-spectacular writes it for input."""

    target_class = "rest_framework.fields.URLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if model_allows_blank(self.target) and "format" in schema:
            outer = {"readOnly", "writeOnly", "nullable", "deprecated", "description", "title"}
            inner = {key: schema.pop(key) for key in list(schema) if key not in outer}
            schema["oneOf"] = [inner, {"type": "string", "maxLength": 0}]
        return schema


class BlankableChoiceField(OpenApiSerializerFieldExtension):
    """A choice the API may answer as "" (not filled in yet): the enum admits ""."""

    target_class = "rest_framework.fields.ChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = _as_blankable(self.target) if model_allows_blank(self.target) else self.target
        return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)


WHOLE_NUMBER_PATTERN = "^[0-9]+$"


def whole_number_path_ids(result, generator, request, public):
    """A postprocessing hook: the router matches ids in paths with `[0-9]+` (api.Router), which drf-spectacular
    describes as a string with that pattern; it is an integer, as it was before the router said so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("pattern") == WHOLE_NUMBER_PATTERN:
                    parameter["schema"] = {"type": "integer"}
    return result
