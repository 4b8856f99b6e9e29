"""API of checklist versions and locality packs (API.md "Checklist versions and locality packs"): the national and
local versions in scope, the locality templates (`?template=true`), local versions written by supervisors, adopting
a template, and the items in force for one unit (`organisations/{id}/checklist/`). The rules of writing them live in
rules/versions.py."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from govmedia.core.api import AuditedViewMixin
from govmedia.core.exceptions import DomainConflict
from organisations import access
from rules import versions
from rules.models import ChecklistItem, ChecklistVersion, ItemKind
from rules.thresholds import NoChecklist, version_for
from rules.words import describe

from . import services


class ChecklistItemSerializer(serializers.ModelSerializer):
    severity = serializers.CharField(source="kind", read_only=True, help_text="veto 单项否决、deduction 扣分、warning 提醒")
    words = serializers.SerializerMethodField(help_text="阈值的文字说明")

    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "name", "kind", "severity", "thresholds", "words", "points", "enabled", "source"]
        read_only_fields = fields

    def get_words(self, obj) -> str:
        return describe(obj.code, obj.thresholds)


class ChecklistVersionSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistVersion
        fields = ["id", "year", "name", "base", "organisation", "active", "source", "template", "region", "adopted_from",
                  "items"]
        read_only_fields = fields


class ItemInput(serializers.Serializer):
    code = serializers.CharField()
    thresholds = serializers.DictField(required=False)
    enabled = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VersionInput(serializers.Serializer):
    """A new local version (`items`…) or the adoption of a template (`template`) for `organisation`."""

    organisation = serializers.IntegerField()
    template = serializers.IntegerField(required=False, help_text="采用的地方模板编号")
    base = serializers.IntegerField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    # Items are checked by rules.versions (names of thresholds, never loosening a national veto).
    items = serializers.ListField(child=serializers.JSONField(), required=False, max_length=200)


class VersionPatch(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    active = serializers.BooleanField(required=False)
    items = serializers.ListField(child=serializers.JSONField(), required=False, max_length=200)


def _visible_versions(user):
    orgs = access.organisation_ids_for(user)
    return ChecklistVersion.objects.filter(Q(organisation__isnull=True) | Q(organisation__in=orgs))


class ChecklistVersionViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                              viewsets.ReadOnlyModelViewSet):
    """National checklist versions, the local versions in the caller's scope and (`?template=true`) the locality
    templates. Supervisors create a local version for a unit, edit it (`PATCH`), or adopt a template for it
    (`POST {"organisation", "template"}`); an item that loosens a national veto is a 400."""

    serializer_class = ChecklistVersionSerializer
    filterset_fields = ["year", "organisation", "active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = _visible_versions(self.request.user).select_related("organisation").prefetch_related("items")
        if self.action == "list":
            wanted = self.request.query_params.get("template", "false").lower() in ("true", "1", "yes")
            queryset = queryset.filter(template=wanted)
        return queryset.order_by("template", "-year", "organisation_id", "id")

    @extend_schema(parameters=[OpenApiParameter("template", bool, description="true：列出地方模板")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _organisation(self, pk):
        organisation = access.visible_organisations(self.request.user).filter(pk=pk).first()
        if organisation is None:
            raise Http404("单位不存在。")
        return organisation

    @extend_schema(request=VersionInput, responses={201: ChecklistVersionSerializer})
    def create(self, request, *args, **kwargs):
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organisation = self._organisation(values["organisation"])
        today = services.local_today()
        try:
            version = self._create(request, values, organisation, today)
        except NoChecklist as exc:
            raise DomainConflict(str(exc)) from None
        version = self.get_queryset().get(pk=version.pk)
        return Response(ChecklistVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    def _create(self, request, values, organisation, today):
        if "template" in values:
            template = ChecklistVersion.objects.filter(pk=values["template"], template=True).first()
            if template is None:
                raise serializers.ValidationError({"template": ["地方模板不存在。"]})
            version = versions.adopt_template(user=request.user, organisation=organisation, template=template, on=today)
        else:
            base = None
            if "base" in values:
                base = _visible_versions(request.user).filter(pk=values["base"]).first()
                if base is None:
                    raise serializers.ValidationError({"base": ["所依据的版本不存在。"]})
            version = versions.create_local_version(
                user=request.user, organisation=organisation, items=values.get("items", []), year=values.get("year"),
                name=values.get("name", ""), source=values.get("source", ""), base=base, on=today,
            )
        return version

    @extend_schema(request=VersionPatch, responses=ChecklistVersionSerializer)
    def partial_update(self, request, *args, **kwargs):
        version = self.get_object()
        if version.organisation_id is None:
            raise PermissionDenied("国家检查指标版本和地方模板不能修改；请为单位建立本地版本或采用模板。")
        data = VersionPatch(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            versions.update_local_version(
                user=request.user, version=version, items=values.get("items"), name=values.get("name"),
                source=values.get("source"), active=values.get("active"), on=services.local_today(),
            )
        except NoChecklist as exc:
            raise DomainConflict(str(exc)) from None
        return Response(ChecklistVersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


CHECKLIST_ROW = inline_serializer("ChecklistRow", {
    "code": serializers.CharField(), "name": serializers.CharField(), "label": serializers.CharField(),
    "severity": serializers.CharField(), "severity_label": serializers.CharField(),
    "thresholds": serializers.DictField(), "words": serializers.CharField(), "points": serializers.FloatField(),
    "source": serializers.CharField(help_text="依据（条款）"), "version": serializers.IntegerField(help_text="该项所在的指标版本"),
    "version_name": serializers.CharField(), "local": serializers.BooleanField(),
    "national_thresholds": serializers.DictField(allow_null=True, help_text="全国值；null 为地方规则"),
    "national_words": serializers.CharField(),
})


class OrganisationChecklistView(GenericAPIView):
    """`GET organisations/{id}/checklist/?on=YYYY-MM-DD`: the items in force for the unit (its own version, else
    the nearest above, else national), each with its source, the version it comes from and the national value."""

    filter_backends = []
    pagination_class = None
    serializer_class = None

    @extend_schema(parameters=[OpenApiParameter("on", dt.date, description="日期（默认今天）")], responses=inline_serializer(
        "OrganisationChecklist", {
            "organisation": serializers.IntegerField(), "on": serializers.DateField(),
            "version": serializers.IntegerField(), "version_name": serializers.CharField(),
            "items": CHECKLIST_ROW.__class__(many=True),
        }))
    def get(self, request, pk):
        organisation = access.visible_organisations(request.user).filter(pk=pk).first()
        if organisation is None:
            raise Http404("单位不存在。")
        on = services.local_today()
        if request.query_params.get("on"):
            try:
                on = dt.date.fromisoformat(request.query_params["on"])
            except ValueError:
                raise serializers.ValidationError({"on": ["日期格式应为 YYYY-MM-DD。"]}) from None
        try:
            version = version_for(organisation, on)
            items = versions.checklist_for(organisation, on)
        except NoChecklist as exc:
            raise DomainConflict(str(exc)) from None
        return Response({
            "organisation": organisation.pk, "on": on.isoformat(), "version": version.pk, "version_name": version.name,
            "items": items,
        })
