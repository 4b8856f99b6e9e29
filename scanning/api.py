"""REST endpoints of site scanning (API.md "Site scanning"): start a scan, list scans, dismiss a false positive."""
import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govmedia.core.api import AuditedViewMixin
from inspections.selectors import visible_findings
from sites.models import Site

from . import services
from .models import Dismissal, Scan, ScanStatus


class ScanSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scan
        fields = ["id", "site", "account", "status", "status_display", "full", "started_at", "finished_at", "pages",
                  "checked", "discovered", "counts", "opened", "closed", "progress", "hit_limit", "error", "created_at"]
        read_only_fields = fields


class ScanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ScanStatus.choices)

    class Meta:
        model = Scan
        fields = ["site", "account", "status", "full"]


class ScanViewSet(AuditedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Scans of the sites and accounts in the caller's scope, newest first."""

    serializer_class = ScanSerializer
    filterset_class = ScanFilter
    ordering_fields = ["created_at", "id", "finished_at"]

    def get_queryset(self):
        return Scan.objects.for_user(self.request.user).order_by("-created_at", "-id")


class StartScanSerializer(serializers.Serializer):
    full = serializers.BooleanField(required=False, default=False, help_text="全量扫描（不使用条件请求与内容哈希）")


class SiteScanView(AuditedViewMixin, APIView):
    """`POST sites/{id}/scan/`: queue a scan of the site (the site's supervisors and its owner's supervisors)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=StartScanSerializer,
                   responses={202: inline_serializer("ScanQueued", {"id": serializers.IntegerField(),
                                                                    "status": serializers.CharField()})})
    def post(self, request, pk: int):
        site = get_object_or_404(Site.objects.for_user(request.user), pk=pk)
        serializer = StartScanSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        scan = services.scan_create(site=site, user=request.user, full=serializer.validated_data["full"])
        return Response({"id": scan.pk, "status": scan.status}, status=status.HTTP_202_ACCEPTED)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, error_messages={
        "required": "请填写忽略理由。", "blank": "请填写忽略理由。", "max_length": "忽略理由不能超过 2000 字。",
    })


class DismissalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dismissal
        fields = ["id", "finding", "rule", "subject_type", "subject_id", "url", "match", "excerpt", "reason",
                  "dismissed_by", "dismissed_at"]
        read_only_fields = fields


class FindingDismissView(AuditedViewMixin, APIView):
    """`POST findings/{id}/dismiss/ {"reason"}`: a scan finding judged a false positive (supervisors); the same
    rule, page and text is not raised again."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=DismissSerializer, responses={201: DismissalSerializer})
    def post(self, request, pk: int):
        finding = get_object_or_404(visible_findings(request.user), pk=pk)
        serializer = DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dismissal = services.finding_dismiss(finding=finding, user=request.user,
                                             reason=serializer.validated_data["reason"])
        return Response(DismissalSerializer(dismissal).data, status=status.HTTP_201_CREATED)
