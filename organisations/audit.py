"""The audit log: its page and its read-only `audit-log/` endpoint, for supervisors and auditors over their
scope. The entries live in core (audit); who may read them is an organisations question."""
import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from govmedia.core import audit
from govmedia.core.api import AuditedViewMixin
from govmedia.core.models import AuditEntry
from organisations.access import audit_entries_for, can_read_audit


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    object_type = serializers.CharField(source="content_type.model")
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True, read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "timestamp", "actor", "action", "workflow_action", "object_type", "object_pk",
                  "object_repr", "organisation", "changes", "remote_addr"]

    def get_actor(self, obj) -> str | None:
        return obj.actor.username if obj.actor else None

    def get_action(self, obj) -> str:
        return {0: "create", 1: "update", 2: "delete", 3: "access"}.get(obj.action, str(obj.action))


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username")
    action = django_filters.ChoiceFilter(
        method="filter_action", choices=[("create", "新增"), ("update", "修改"), ("delete", "删除"), ("workflow", "流程操作")]
    )
    object_type = django_filters.CharFilter(field_name="content_type__model")
    object_id = django_filters.CharFilter(field_name="object_pk")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = AuditEntry
        fields = ["workflow_action"]

    def filter_action(self, queryset, name, value):
        if value == "workflow":
            return queryset.exclude(workflow_action="")
        code = {"create": 0, "update": 1, "delete": 2}[value]
        return queryset.filter(action=code, workflow_action="")


class CanReadAudit(IsAuthenticated):
    message = "只有主管单位和协同监管人员可以查阅审计日志。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and can_read_audit(request.user)


class AuditLogViewSet(AuditedViewMixin, viewsets.ReadOnlyModelViewSet):
    """The audit log, read-only, for supervisors and auditors over their scope."""

    queryset = AuditEntry.objects.none()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilter
    permission_classes = [CanReadAudit]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        return audit_entries_for(self.request.user).order_by("-timestamp", "-id")


@login_required
def audit_page(request):
    if not can_read_audit(request.user):
        raise PermissionDenied("只有主管单位和协同监管人员可以查阅审计日志。")
    entries = audit_entries_for(request.user).order_by("-timestamp", "-id")
    filterset = AuditFilter(request.GET, queryset=entries)
    page = Paginator(filterset.qs.select_related("actor", "content_type"), 50).get_page(request.GET.get("page"))
    page.object_list = audit.describe(page.object_list)
    return render(request, "audit.html", {"page": page, "filter": filterset})
