"""The API's shared parts: pagination, the error shape of API.md, scoped viewsets."""
import copy
import datetime as dt
import functools
import inspect

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import ProtectedError
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.utils.serializer_helpers import BindingDict
from rest_framework.views import exception_handler as drf_exception_handler

from . import audit, statements
from .exceptions import DomainConflict
from .paging import COUNT_LIMIT, ApiPaginator
from .parsers import JSONParser  # noqa: F401  (the API base's parser, here with the rest)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects in the caller's scope: others do not exist for them.
    `scope_fn(user)` returns the queryset the key is looked up in."""

    def __init__(self, scope_fn, **kwargs):
        self.scope_fn = scope_fn
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope_fn(self.context["request"].user)


class CalledField(serializers.CharField):
    """Read-only text from a method of the row (`source="get_status_display"`, `"author.__str__"`), called
    directly. DRF's own lookup runs inspect.signature on every bound method of every row to see whether it may
    call it: a third of the accounts list's Python time (issue 14)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        for attr in self.source_attrs:
            if instance is None:  # a missing relation ("decided_by.__str__" with nobody): null, as DRF answers
                return None
            instance = getattr(instance, attr)
        return instance() if callable(instance) else instance


class LeanListSerializer(serializers.ListSerializer):
    """A page of rows exactly as DRF writes them, with less work per row (issue 14: 50 rows × 48 fields of the
    account list spent most of their time in DRF's per-field machinery). How each field reads a row is settled
    once per page: a plain model column or annotation is one getattr and the field's own `to_representation`, a
    foreign key its id column (as DRF's pk-only shortcut gives), a `SerializerMethodField` its method; anything
    else — and any row a shortcut does not fit — goes DRF's own way. Set as `Meta.list_serializer_class`."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        _fields_from_recipe(self.child)
        readers = [(field.field_name, _reader(field)) for field in self.child._readable_fields]
        return [_row(row, readers) for row in rows]


# Per serializer class: how ModelSerializer.get_fields built its fields — each declared field's name, or the class
# and arguments it gave a field from the model — or None where the class cannot be so rebuilt.
_recipes: dict[type, list | None] = {}
# ModelSerializer's own field-building methods: a class that overrides any of them builds its fields its own way.
_BUILDERS = ("get_fields", "get_field_names", "get_default_field_names", "get_extra_kwargs", "include_extra_kwargs",
             "get_uniqueness_extra_kwargs", "build_field", "build_standard_field", "build_relational_field",
             "build_nested_field", "build_property_field", "build_url_field", "build_unknown_field")


def _fields_from_recipe(serializer) -> None:
    """Give a read-only ModelSerializer its fields without ModelSerializer.get_fields' introspection of the model
    (a millisecond per page of the account list's 48 fields): the same classes with the same arguments DRF gave
    them the first time, declared fields deep-copied as DRF copies them. Only where every field built from the
    model is read-only (no queryset, no validators) and the class builds fields DRF's way; otherwise DRF's own."""
    cls = type(serializer)
    if "fields" in serializer.__dict__ or not isinstance(serializer, serializers.ModelSerializer):
        return
    if cls not in _recipes:
        plain = all(getattr(cls, name) is getattr(serializers.ModelSerializer, name) for name in _BUILDERS)
        recipe = None
        if plain:
            declared = serializer._declared_fields
            recipe = []
            for name, field in serializer.fields.items():
                if name in declared:
                    recipe.append((name, None))
                elif field.read_only and type(field).__deepcopy__ is serializers.Field.__deepcopy__:
                    recipe.append((name, (type(field), field._args, field._kwargs)))
                else:
                    recipe = None
                    break
        _recipes[cls] = recipe
        return  # this serializer has DRF's own fields now
    recipe = _recipes[cls]
    if recipe is None:
        return
    declared = copy.deepcopy(serializer._declared_fields)
    fields = BindingDict(serializer)
    for name, built in recipe:
        fields[name] = declared[name] if built is None else built[0](*built[1], **built[2])
    serializer.__dict__["fields"] = fields


def _row(row, readers) -> dict:
    out = {}
    for name, read in readers:
        try:
            out[name] = read(row)
        except serializers.SkipField:  # DRF leaves out a read-only field the row lacks
            pass
    return out


def _drf_reader(field):
    get, represent = field.get_attribute, field.to_representation

    def read(row):
        attribute = get(row)
        present = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if present is None else represent(attribute)

    return read


# Field classes whose `to_representation` gives a value of this exact type back unchanged (str(s), int(i),
# bool(b)): a row's value of that type is written as it is, without the call.
_UNCHANGED = ((serializers.CharField, str), (serializers.IntegerField, int), (serializers.BooleanField, bool))


def _unchanged_type(field):
    for cls, kind in _UNCHANGED:
        if isinstance(field, cls) and type(field).to_representation is cls.to_representation:
            return kind
    return None


def _display_reader(field, model, drf):
    """A `CalledField` of `get_<name>_display` read from the choices directly: what Django's method answers
    (the label of the value, else the value itself), without its per-call flattening and hashing of the choices."""
    name = field.source_attrs[0].removeprefix("get_").removesuffix("_display")
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    method = inspect.getattr_static(model, field.source_attrs[0], None)
    if (not model_field.flatchoices or not isinstance(method, functools.partialmethod)
            or method.func is not models.Model._get_FIELD_display):
        return None  # no choices, or a model spelling its own get_…_display
    labels = {value: str(label) for value, label in model_field.flatchoices}
    column, represent = model_field.attname, field.to_representation

    def read(row):
        try:
            value = getattr(row, column)
        except AttributeError:  # not a row of the model: DRF's way
            return drf(row)
        label = labels.get(value) if value.__hash__ is not None else None
        if label is not None:
            return label
        return None if value is None else represent(value)

    return read


def _reader(field):
    """How `field` reads a row: a shortcut that answers what DRF's Serializer.to_representation would, or DRF's way."""
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(field.parent, field.method_name)
    drf = _drf_reader(field)
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if (isinstance(field, CalledField) and type(field).get_attribute is CalledField.get_attribute
            and model is not None and len(field.source_attrs) == 1
            and field.source_attrs[0].startswith("get_") and field.source_attrs[0].endswith("_display")
            and type(field).to_representation is serializers.CharField.to_representation):
        return _display_reader(field, model, drf) or drf
    if len(field.source_attrs) != 1 or isinstance(field, (serializers.BaseSerializer, serializers.ManyRelatedField)):
        return drf
    attr = field.source_attrs[0]
    model_field = None
    if model is not None:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            model_field = None
    if isinstance(field, serializers.RelatedField):
        if (type(field).to_representation is serializers.PrimaryKeyRelatedField.to_representation
                and field.pk_field is None and model_field is not None and model_field.many_to_one):
            column = model_field.attname

            def read_id(row):
                try:
                    return getattr(row, column)
                except AttributeError:  # not a row of the model (a dict): DRF's way
                    return drf(row)

            return read_id
        return drf
    if type(field).get_attribute is not serializers.Field.get_attribute or (model_field and model_field.is_relation):
        return drf
    represent, unchanged = field.to_representation, _unchanged_type(field)

    def read(row):
        try:
            value = getattr(row, attr)
        except (AttributeError, ObjectDoesNotExist):  # not on this row: DRF's default, null or leaving it out
            return drf(row)
        if type(value) is unchanged:
            return value
        if callable(value):
            return drf(row)
        return None if value is None else represent(value)

    return read


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (REST_FRAMEWORK's first filter backend), without its work where it would change
    nothing: a request naming none of the list's filters gets the queryset as it is, rather than a bound form
    built by deep-copying every filter's field, validated and applied with only empty values (each filter,
    `method` ones too, passes an empty value over) — a millisecond of every unfiltered list page (issue 14). A
    filter's form fields are its name or its name with a suffix (`x_min`, `x_after`): any parameter so named
    goes django-filter's whole way, errors included. The FilterSet a view's `filterset_fields` make is built once
    per view and model instead of on every request."""

    _auto: dict = {}

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, tuple(getattr(view, "filterset_fields", None) or ()))
        if key not in self._auto:
            self._auto[key] = super().get_filterset_class(view, queryset)
        return self._auto[key]

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        prefixes = _prefixes(filterset_class)
        if not any(param.split("_")[0] in prefixes for param in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _prefixes(filterset_class) -> frozenset:
    """Every leading word of a filter's name (`found` of `found_from`): a parameter whose first word is one may be
    a filter's suffixed form field, and is left to django-filter."""
    prefixes = filterset_class.__dict__.get("_govmedia_prefixes")
    if prefixes is None:
        prefixes = frozenset(name.split("_")[0] for name in filterset_class.base_filters)
        filterset_class._govmedia_prefixes = prefixes
    return prefixes


class IdField(forms.IntegerField):
    """A whole number an id column can hold (a bigger one is a 400, never a database error)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A filter on a related object's id (`?owner=12`), matched as a number without looking the object up: an id
    that does not exist and one outside the caller's scope both give the same empty list, so a filter cannot tell
    anyone which ids exist (issue 12: django-filter's default answered 400 for a missing id but an empty 200 for
    an out-of-scope one). Every filter on a foreign key, one-to-one or many-to-many field is one of these
    (`use_id_filters`, from CoreConfig.ready); what the list shows stays scoped by its queryset."""

    field_class = IdField


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, compared in UTC: the offset a caller writes may be any (-20:07 parses), but
    PostgreSQL refuses one beyond ±15:59 (found by the fuzzer: `probes/?checked_before=…-20:07` was a 500)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) and value.tzinfo else value


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The filter on a date-time column (`filterset_fields` and declared ones alike): ISO 8601, compared in UTC."""

    field_class = UTCDateTimeField


def use_id_filters() -> None:
    """Make IdFilter django-filter's filter for every relation, and DateTimeFilter for every date-time column
    (declared FilterSets and `filterset_fields`)."""
    from django_filters import filterset
    from django_filters.rest_framework import filterset as rest_filterset

    # Both tables: django-filter's own and the copy its DRF FilterSet (`filterset_fields`) reads.
    for defaults in (filterset.FILTER_FOR_DBFIELD_DEFAULTS, rest_filterset.FILTER_FOR_DBFIELD_DEFAULTS):
        for field in (models.ForeignKey, models.OneToOneField, models.OneToOneRel):
            defaults[field] = {"filter_class": IdFilter}
        for field in (models.ManyToManyField, models.ManyToOneRel, models.ManyToManyRel):
            # Many rows may match one id: each object once.
            defaults[field] = {"filter_class": IdFilter, "extra": lambda f: {"distinct": True}}
        defaults[models.DateTimeField] = {"filter_class": DateTimeFilter}


class DateTimeField(serializers.DateTimeField):
    """Date-times in RFC 3339, which generated clients parse: local time (+08:00) as before, but UTC ("Z") for an
    instant before 1901, when Asia/Shanghai's offset was local mean time, +08:05:43 — an offset no client reads.
    Every model date-time uses it (CoreConfig.ready sets ModelSerializer's mapping)."""

    def enforce_timezone(self, value):
        value = super().enforce_timezone(value)
        offset = value.utcoffset() if isinstance(value, dt.datetime) else None
        if offset is not None and offset % dt.timedelta(minutes=1):
            return value.astimezone(dt.UTC)
        return value


class Router(DefaultRouter):
    """The one router of /api/v1/. An id in the path is a whole number unless the viewset says otherwise
    (`lookup_value_regex`, as the calendar's dates do): `abc` or `0.5` is no route at all, a 404, rather than a
    lookup that fails deep in a view (issue 12: `POST columns/abc/updates/` was a 500)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if hasattr(viewset, "lookup_value_regex"):
            return super().get_lookup_regex(viewset, lookup_prefix)
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[0-9]+)"


class Pagination(PageNumberPagination):
    """API.md's page-number pagination (`{"count", "next", "previous", "results"}`, `?page=`, `?page_size=`),
    with the count bounded (issue 14, docs/performance.md): a page that is not full knows its count from its
    rows and asks nothing more; otherwise the rows are counted up to COUNT_LIMIT. Beyond it `count` is the
    limit and `count_capped` is true — pages and `next` links go on to the end, so a client that walks `next`
    still reads every row."""

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = ApiPaginator
    template = None  # the browsable API's page links would count every page (num_pages)

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_capped": self.page.paginator.capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"总条数；超过 {COUNT_LIMIT} 条时为 {COUNT_LIMIT}，并且 count_capped 为 true"
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_capped": {"type": "boolean", "description": f"总条数超过 {COUNT_LIMIT}，count 只计到此为止"},
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        return response


def exception_handler(exc, context):
    """DRF's shape for every error we know of, so that views and services just raise: bad input is a 400, a
    refusal a 403, an unknown or out-of-scope object a 404, a state clash a 409."""
    if isinstance(exc, DomainConflict):
        return Response({"detail": exc.message, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
            if "__all__" in data:
                data["non_field_errors"] = data.pop("__all__")
        else:
            data = {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "该对象仍被其他数据引用，不能删除。", "referenced_by": sorted({str(o) for o in exc.protected_objects})[:20]},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoPermissionDenied):
        # The service's reason, in Chinese, is the answer (DRF's generic text only when it gave none).
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        # Django's message names the model in English ("No Account matches the given query."): answer in
        # Chinese, and the same for an unknown id as for one outside the caller's scope.
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.Throttled):
        # DRF's text stays English ("Expected available in …"); Retry-After comes from exc.wait as before.
        response = drf_exception_handler(exc, context)
        wait = f"{exc.wait}秒后" if exc.wait is not None else "稍后"
        response.data = {"detail": f"请求过于频繁，请{wait}再试。"}
        return response
    return drf_exception_handler(exc, context)


class CompiledListMixin:
    """A list whose page statement is compiled once per process for the same inputs (`govmedia.core.statements`:
    the caller, their roles, the query string, the day, the checklist's fingerprint) and run on a cursor, as the
    load test's floor runs it; the page, its count and the answer are the same as DRF's own list gives."""

    def list(self, request, *args, **kwargs):
        key = statements.key_for(self, request)
        if key is None or self.paginator is None:
            return super().list(request, *args, **kwargs)
        rows = statements.CompiledRows(key, lambda: self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AuditedViewMixin:
    """Names the authenticated caller as the actor of every audit entry the request writes."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit.set_actor(request.user)


class ReadOnlyOrManager(permissions.IsAuthenticated):
    """Anyone signed in may read what is in their scope; changing it needs `view.can_manage(user, obj)`."""

    message = "您没有管理该对象的权限。"

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_manage(request.user, obj)
