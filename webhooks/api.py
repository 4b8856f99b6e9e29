"""`webhooks/` and `webhooks/{id}/deliveries/` (API.md "Other systems"): supervisors of the webhook's unit only.

The secret is write only: the create answer carries it once (generated when none was given); nothing else
ever shows it. Another unit's webhook, or any webhook for someone who supervises nothing, does not exist (404).
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from govmedia.core.api import AuditedViewMixin, ScopedPrimaryKeyField
from organisations import access

from . import services
from .events import CHOICES
from .models import (
    SECRET_MAX_LENGTH, SECRET_MIN_LENGTH, Delivery, DeliveryAttempt, DeliveryStatus, Webhook, validate_webhook_url,
)


class WebhookSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=CHOICES), allow_empty=False,
        help_text="订阅的事件代码：" + "、".join(code for code, _ in CHOICES),
    )
    url = serializers.CharField(max_length=500, validators=[validate_webhook_url],
                                help_text="接收方的 http(s) 地址，可为内网或本机地址。")
    secret = serializers.CharField(
        write_only=True, required=False, min_length=SECRET_MIN_LENGTH, max_length=SECRET_MAX_LENGTH,
        trim_whitespace=False, help_text="签名密钥（只写）。不填则自动生成，仅在创建时的响应中返回一次。",
    )
    event_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "organisation", "url", "events", "event_labels", "secret", "active", "description",
                  "created_by", "created_at", "updated_at"]
        read_only_fields = ["created_by", "created_at", "updated_at"]



class WebhookCreatedSerializer(WebhookSerializer):
    """The create answer: the webhook, and its secret this one time."""

    secret = serializers.CharField(read_only=True, help_text="签名密钥：只在此响应中出现这一次，请妥善保存。")


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "response_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    event_label = serializers.CharField(read_only=True)
    response_code = serializers.IntegerField(source="last_response_code", read_only=True, allow_null=True)
    error = serializers.CharField(source="last_error", read_only=True)
    attempt_count = serializers.IntegerField(source="attempts", read_only=True)
    attempts = DeliveryAttemptSerializer(source="attempt_log", many=True, read_only=True)
    data = serializers.JSONField(source="payload", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "webhook", "event", "event_label", "event_id", "occurred_at", "organisation", "status",
                  "status_display", "response_code", "error", "attempt_count", "attempts", "first_attempt_at",
                  "next_attempt_at", "delivered_at", "created_at", "data"]
        read_only_fields = fields


class DeliveryPageSerializer(serializers.Serializer):
    """One page of a webhook's deliveries (the API's usual pagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DeliverySerializer(many=True)


class WebhookViewSet(AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Webhooks of the units the caller supervises (and below them)."""

    queryset = Webhook.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = WebhookSerializer
    filterset_fields = ["organisation", "active"]
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Webhook.objects.filter(
            organisation__in=access.webhook_organisations(self.request.user).values("pk")
        ).select_related("organisation").order_by("id")

    @extend_schema(responses={201: WebhookCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(user=request.user, **serializer.validated_data)
        data = WebhookCreatedSerializer(webhook, context=self.get_serializer_context()).data
        data["secret"] = secret
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.webhook_update(webhook=serializer.instance, user=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.webhook_delete(webhook=instance, user=self.request.user)

    @extend_schema(
        responses=DeliveryPageSerializer,
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=DeliveryStatus.values, description="待发送、已送达或失败"),
            OpenApiParameter("event", OpenApiTypes.STR, description="事件代码"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        description="该接口推送的推送记录（最新在前），每条含历次发送尝试的时间、响应码与错误。",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        rows = webhook.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in DeliveryStatus.values:
                raise serializers.ValidationError({"status": f"可选值：{'、'.join(DeliveryStatus.values)}。"})
            rows = rows.filter(status=wanted)
        event = request.query_params.get("event")
        if event:
            rows = rows.filter(event=event)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a `ping` event to this webhook now (signed like any delivery)."""
        delivery = services.webhook_ping(webhook=self.get_object(), user=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

