"""The audit log: its page and its read-only `audit-log/` endpoint, for the audit administrator (everything) and
supervisors and auditors (their scope), and the sign-in signals that write its security events. The entries live
in core (audit); who may read them is an organisations question (access.can_read_audit, audit_entries_for)."""
import django_filters
from auditlog.registry import auditlog
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from govmedia.core import audit
from govmedia.core.api import AuditedViewMixin, DateTimeFilter, IdFilter
from govmedia.core.models import AuditEntry
from organisations.access import audit_entries_for, can_read_audit
from organisations.models import Organisation, User

# --- Sign-in, failure and sign-out (API.md "Security": security events) ----------------------------------------
# Django sends these for every way in: the login page, the admin's, `authenticate()` in auth/token/, and
# force_login. Lockouts, password changes and resets, role and token changes are recorded where they happen.

def _signed_in(sender, request, user, **kwargs):
    audit.record_security_event("login", actor=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get(User.USERNAME_FIELD) or (credentials or {}).get("username") or "")[:150]
    target = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    audit.record_security_event("login_failed", target=target, request=request, detail={"username": username})


def _signed_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        audit.record_security_event("logout", actor=user, request=request)


def connect_auth_signals() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="audit-login")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-login-failed")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-logout")


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


MODEL_CHANGES = {"create": 0, "update": 1, "delete": 2}
# `action`: a kind of model change, all workflow actions, all security events, or one workflow action or
# security event by its code (API.md audit-log filters).
ACTION_CHOICES = (
    [("create", "新增"), ("update", "修改"), ("delete", "删除"), ("workflow", "流程操作"), ("security", "安全事件")]
    + [(code, f"安全事件：{audit.ACTION_LABELS[code]}") for code in audit.SECURITY_EVENTS]
    + [(code, label) for code, label in audit.ACTION_LABELS.items()
       if code not in MODEL_CHANGES and code != "access" and code not in audit.SECURITY_EVENTS]
)


def object_type_choices():
    """The kinds of object the log holds, by their Chinese names (the value is the model name the API takes)."""
    models = {*auditlog.get_models(), User}
    names = {}
    for model in models:
        names.setdefault(model._meta.model_name, audit.model_name(model))
    return sorted(names.items(), key=lambda item: item[1])


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username")
    action = django_filters.ChoiceFilter(method="filter_action", choices=ACTION_CHOICES)
    object_type = django_filters.CharFilter(field_name="content_type__model")
    object_id = django_filters.CharFilter(field_name="object_pk")
    since = DateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = DateTimeFilter(field_name="timestamp", lookup_expr="lte")
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = AuditEntry
        fields = ["workflow_action"]

    def filter_action(self, queryset, name, value):
        if value == "workflow":
            return queryset.exclude(workflow_action="")
        if value == "security":
            return queryset.filter(workflow_action__in=audit.SECURITY_EVENTS)
        if value in MODEL_CHANGES:
            return queryset.filter(action=MODEL_CHANGES[value], workflow_action="")
        return queryset.filter(workflow_action=value)


class CanReadAudit(IsAuthenticated):
    message = "只有审计管理员、主管单位和协同监管人员可以查阅审计日志。"

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
        raise PermissionDenied("只有审计管理员、主管单位和协同监管人员可以查阅审计日志。")
    entries = audit_entries_for(request.user).order_by("-timestamp", "-id")
    filterset = AuditFilter(request.GET, queryset=entries)
    page = Paginator(filterset.qs.select_related("actor", "content_type"), 50).get_page(request.GET.get("page"))
    page.object_list = audit.describe(page.object_list)
    names = dict(Organisation.objects.filter(pk__in={e.organisation_id for e in page.object_list}).values_list("pk", "name"))
    for entry in page.object_list:
        entry.organisation = names.get(entry.organisation_id, "")
    return render(request, "audit.html", {"page": page, "filter": filterset, "object_types": object_type_choices(),
                                          "security_events": audit.SECURITY_EVENTS})
