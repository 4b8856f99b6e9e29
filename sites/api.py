"""REST endpoints for sites, columns, column updates and site monitoring (API.md)."""
import django_filters
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from govmedia.core.api import (
    AuditedViewMixin, CalledField, CompiledListMixin, DateTimeFilter, LeanListSerializer, ReadOnlyOrManager,
    ScopedPrimaryKeyField,
)
from govmedia.core.bulk import BulkRecordsView, bulk_schema
from organisations import access
from rules.countdown import columns_with_countdown

from . import services
from .importing import ImportRefused, import_columns
from .models import BrokenLink, Column, ColumnCategory, ColumnUpdate, LinkKind, Probe, Site, SiteStatus, UpdateSource
from .selectors import get_column_for, site_availability


class SiteSerializer(serializers.ModelSerializer):
    owner = ScopedPrimaryKeyField(access.visible_organisations)
    operator = ScopedPrimaryKeyField(access.visible_organisations, allow_null=True, required=False)
    supervisor = ScopedPrimaryKeyField(access.supervising_organisations, allow_null=True, required=False)
    status = serializers.ChoiceField(choices=SiteStatus.choices, required=False)
    status_display = CalledField(source="get_status_display", read_only=True)
    column_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Site
        fields = [
            "id", "name", "url", "owner", "operator", "supervisor", "icp_number", "police_number", "site_code",
            "status", "status_display", "launched_on", "has_consultation_channel", "homepage_is_navigation",
            "homepage_updated_on", "column_count",
        ]
        read_only_fields = ["homepage_updated_on"]
        list_serializer_class = LeanListSerializer

    def validate_owner(self, owner):
        if not access.can_direct_unit(self.context["request"].user, owner):
            raise PermissionDenied("只有主办单位的主要负责人或其主管单位可以登记和修改该单位的网站。")
        return owner

    def create(self, validated_data):
        return services.site_create(**validated_data)

    def update(self, instance, validated_data):
        return services.site_update(site=instance, **validated_data)


class SiteFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Site
        fields = ["owner", "operator", "supervisor", "status", "name"]


class SiteViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    permission_classes = [ReadOnlyOrManager]
    ordering_fields = ["name", "id", "launched_on"]

    def get_queryset(self):
        from django.db.models import Count

        return Site.objects.for_user(self.request.user).annotate(column_count=Count("columns")).order_by("name", "id")

    def can_manage(self, user, obj):
        return access.can_manage_site(user, obj)

    def perform_destroy(self, instance):
        services.site_delete(site=instance)

    @extend_schema(responses={200: inline_serializer("SiteAvailability", {
        "site": serializers.IntegerField(), "window_start": serializers.DateTimeField(),
        "window_end": serializers.DateTimeField(), "probes": serializers.IntegerField(),
        "failed": serializers.IntegerField(), "failed_share": serializers.FloatField(allow_null=True),
        "min_probes_per_day": serializers.IntegerField(), "enough_probes": serializers.BooleanField(),
        "unreachable": serializers.BooleanField(),
    })})
    @action(detail=True, methods=["get"])
    def availability(self, request, pk=None):
        """The 7-day availability of the homepage and the `site_unreachable` verdict."""
        site = self.get_object()
        result = site_availability(Site.objects.filter(pk=site.pk))[site.pk]
        return Response({
            "site": site.pk, "window_start": result.start, "window_end": result.end, "probes": result.total,
            "failed": result.failed, "failed_share": result.failed_share, "min_probes_per_day": result.min_per_day,
            "enough_probes": result.enough_probes, "unreachable": result.unreachable,
        })

    @extend_schema(request=None, responses={202: inline_serializer("Queued", {"detail": serializers.CharField()})})
    @action(detail=True, methods=["post"], url_path="check-links")
    def check_links(self, request, pk=None):
        """Queue a link check of this site now (managers of the site)."""
        site = self.get_object()
        if not access.can_manage_site(request.user, site):
            raise PermissionDenied("您没有管理该网站的权限。")
        from .tasks import check_site_links

        transaction.on_commit(lambda: check_site_links.delay(site.pk), robust=True)  # the nightly check covers a lost send
        return Response({"detail": "已加入错链检测队列。"}, status=status.HTTP_202_ACCEPTED)


class ColumnSerializer(serializers.ModelSerializer):
    site = ScopedPrimaryKeyField(Site.objects.for_user)
    parent = ScopedPrimaryKeyField(Column.objects.for_user, allow_null=True, required=False)
    responsible = ScopedPrimaryKeyField(access.visible_organisations, allow_null=True, required=False)
    category = serializers.ChoiceField(choices=ColumnCategory.choices, required=False)
    category_display = CalledField(source="get_category_display", read_only=True)
    # Countdown (issue: act before the inspection finds it): the last day the column is still fine, and the days left.
    deadline = serializers.DateField(read_only=True, default=None)
    days_left = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Column
        fields = [
            "id", "site", "parent", "name", "category", "category_display", "responsible", "url", "feed_url",
            "opened_on", "last_updated_on", "feed_error", "crawl_error", "deadline", "days_left",
        ]
        list_serializer_class = LeanListSerializer
        read_only_fields = ["last_updated_on", "feed_error", "crawl_error"]
        validators = []  # the service names the clashing column in its message

    def validate(self, attrs):
        site = attrs.get("site") or (self.instance.site if self.instance else None)
        if self.instance is not None and "site" in attrs and attrs["site"] != self.instance.site:
            raise serializers.ValidationError({"site": "栏目不能移到其他网站。"})
        if site is not None and not access.can_manage_site(self.context["request"].user, site):
            raise PermissionDenied("只有网站主办单位的主要负责人或其主管单位可以维护栏目。")
        return attrs

    def create(self, validated_data):
        return services.column_create(**validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("site", None)
        return services.column_update(column=instance, **validated_data)


class ColumnFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    top = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="仅一级栏目")
    updated_before = django_filters.DateFilter(field_name="last_updated_on", lookup_expr="lt")
    blank = django_filters.BooleanFilter(field_name="last_updated_on", lookup_expr="isnull", label="从未更新")

    class Meta:
        model = Column
        fields = ["site", "category", "responsible", "parent", "name"]


class ColumnUpdateSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=UpdateSource.choices, read_only=True)
    external_id = serializers.CharField(max_length=500, required=False, allow_blank=True)

    class Meta:
        model = ColumnUpdate
        fields = ["id", "column", "published_at", "title", "url", "original", "source", "external_id", "created_at"]
        read_only_fields = ["column", "original", "created_at"]


@extend_schema_field(OpenApiTypes.INT)
class SiteKeyField(ScopedPrimaryKeyField):
    """A site id in the caller's scope (typed for the schema, where the serializer has no model)."""


class ColumnImportSerializer(serializers.Serializer):
    site = SiteKeyField(Site.objects.for_user)
    file = serializers.FileField()


class ColumnViewSet(CompiledListMixin, AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = ColumnSerializer
    filterset_class = ColumnFilter
    permission_classes = [ReadOnlyOrManager]
    ordering_fields = ["id", "name", "last_updated_on", "category"]

    def get_queryset(self):
        queryset = Column.objects.for_user(self.request.user).order_by("site_id", "id")
        # The schema generator calls this without a database to read thresholds from.
        if self.action in ("list", "retrieve") and not getattr(self, "swagger_fake_view", False):
            queryset = columns_with_countdown(queryset, today=timezone.localdate())
        return queryset

    def can_manage(self, user, obj):
        return access.can_manage_site(user, obj.site)

    # A created or edited column answers as GET shows it, countdown included (the bare row had none).
    def perform_create(self, serializer):
        serializer.save()
        serializer.instance = self._as_listed(serializer.instance)

    def perform_update(self, serializer):
        serializer.save()
        serializer.instance = self._as_listed(serializer.instance)

    def _as_listed(self, column):
        return columns_with_countdown(Column.objects.filter(pk=column.pk), today=timezone.localdate()).get()

    def perform_destroy(self, instance):
        services.column_delete(column=instance)

    def get_serializer_class(self):
        if self.action == "updates":
            return ColumnUpdateSerializer
        if self.action == "import_file":
            return ColumnImportSerializer
        return ColumnSerializer

    @extend_schema(methods=["GET"], responses=ColumnUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request=ColumnUpdateSerializer,
                   responses={201: ColumnUpdateSerializer, 200: ColumnUpdateSerializer})  # 200: already recorded
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        """GET the column's update records (newest first); POST records one (`published_at`, `title`, `url`)."""
        column = self.get_object() if request.method == "GET" else get_column_for(request.user, pk)
        if request.method == "GET":
            page = self.paginate_queryset(column.updates.order_by("-published_at", "-id"))
            return self.get_paginated_response(ColumnUpdateSerializer(page, many=True).data)
        if not access.can_record_update(request.user, column):
            raise PermissionDenied("只有网站主办、承办单位或栏目内容保障单位的工作人员可以登记更新。")
        serializer = ColumnUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        update, created = services.column_record_update(
            column=column, published_at=data["published_at"], title=data["title"], url=data.get("url", ""),
            source=UpdateSource.API, external_id=data.get("external_id", ""),
        )
        return Response(ColumnUpdateSerializer(update).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request={"multipart/form-data": ColumnImportSerializer}, responses={201: inline_serializer(
        "ColumnImportResult",
        {"created": serializers.IntegerField(), "columns": serializers.ListField(child=serializers.IntegerField())},
    )})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        """Import a site's columns from xlsx/csv: all rows or none; refused rows listed under `rows` (400)."""
        serializer = ColumnImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        site = serializer.validated_data["site"]
        if not access.can_manage_site(request.user, site):
            raise PermissionDenied("只有网站主办单位的主要负责人或其主管单位可以导入栏目。")
        try:
            created = import_columns(site=site, user=request.user, upload=serializer.validated_data["file"])
        except ImportRefused as exc:
            return Response({**exc.errors, "created": 0}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": len(created), "columns": [c.pk for c in created]}, status=status.HTTP_201_CREATED)


class ProbeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Probe
        fields = ["id", "site", "checked_at", "ok", "response_ms", "status_code", "error"]


class ProbeFilter(django_filters.FilterSet):
    checked_after = DateTimeFilter(field_name="checked_at", lookup_expr="gte")
    checked_before = DateTimeFilter(field_name="checked_at", lookup_expr="lt")

    class Meta:
        model = Probe
        fields = ["site", "ok"]


class ProbeViewSet(AuditedViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProbeSerializer
    filterset_class = ProbeFilter

    def get_queryset(self):
        return Probe.objects.filter(site__in=Site.objects.for_user(self.request.user).values("pk")).order_by("-checked_at", "-id")


class BrokenLinkSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=LinkKind.choices, read_only=True)

    class Meta:
        model = BrokenLink
        fields = ["id", "site", "page_url", "link_url", "kind", "status_code", "error", "first_seen_at",
                  "last_seen_at", "fixed_at"]


class BrokenLinkFilter(django_filters.FilterSet):
    fixed = django_filters.BooleanFilter(field_name="fixed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = BrokenLink
        fields = ["site", "kind", "fixed"]


class BrokenLinkViewSet(AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BrokenLinkSerializer
    filterset_class = BrokenLinkFilter

    def get_queryset(self):
        return BrokenLink.objects.filter(site__in=Site.objects.for_user(self.request.user).values("pk")).order_by(
            "-last_seen_at", "-id"
        )


# --- Bulk update records (API.md "Other systems": POST column-updates/) -----------------------------------------

class ColumnUpdateRecordSerializer(serializers.ModelSerializer):
    """One record of a bulk push: the column's id, `published_at` (ISO 8601), `title`, `url`."""

    column = serializers.IntegerField(help_text="栏目 id")

    class Meta:
        model = ColumnUpdate
        fields = ["column", "published_at", "title", "url"]

    def validate_published_at(self, value):
        if services.published_in_future(value):
            raise serializers.ValidationError(services.FUTURE_MESSAGE)
        return value


@bulk_schema(ColumnUpdateRecordSerializer, "批量登记栏目更新记录：每次最多 1000 条；有任何错误则全部不写入（400）；"
             "同一栏目已有相同链接的记录，或本次列表中重复的，计入 ignored。")
class ColumnUpdateBulkView(BulkRecordsView):
    item_serializer_class = ColumnUpdateRecordSerializer
    subject_field = "column"
    refused_message = "只有网站主办、承办单位或栏目内容保障单位的工作人员可以登记更新。"

    def permitted_subjects(self, ids):
        user = self.request.user
        may = ExpressionWrapper(access.recording_condition(user), output_field=BooleanField())
        return dict(Column.objects.for_user(user).filter(pk__in=ids).annotate(may=may).values_list("pk", "may"))

    def write(self, items):
        return services.column_add_updates(items=items)
