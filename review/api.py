"""REST endpoints: review tasks (`?actionable=true`, approve/, return/), review policies, the posts endpoint
with its review transitions (submit/, withdraw/, an edit in review) and the register (API.md)."""
import datetime as dt

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from govmedia.core.api import (
    AuditedViewMixin, CalledField, IdFilter, LeanListSerializer, ReadOnlyOrManager, ScopedPrimaryKeyField,
)
from govmedia.core.documents import name_download
from organisations import access
from publishing import api as publishing_api
from publishing.models import Sensitivity
from publishing.services import SubmitBlocked

from . import register, services
from .models import ReviewPolicy, ReviewTask


class ReviewTaskSerializer(serializers.ModelSerializer):
    post_title = serializers.CharField(source="post.title", read_only=True)
    organisation = serializers.IntegerField(source="post.organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="post.organisation.name", read_only=True)
    sensitivity = serializers.CharField(source="post.sensitivity", read_only=True)
    stage_display = CalledField(source="get_stage_display", read_only=True)
    role_display = CalledField(source="get_role_display", read_only=True)
    revision = serializers.IntegerField(source="revision.number", read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ReviewTask
        fields = [
            "id", "post", "post_title", "organisation", "organisation_name", "sensitivity", "run", "position",
            "stage", "stage_display", "role", "role_display", "status", "revision", "opened_at", "due_on",
            "overdue", "decided_by", "decided_by_name", "decided_at", "comment",
        ]
        read_only_fields = fields
        list_serializer_class = LeanListSerializer

    def get_decided_by_name(self, obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(self.context.get("today"))


class ReviewTaskFilter(django_filters.FilterSet):
    actionable = django_filters.BooleanFilter(method="filter_actionable", label="我现在可以办理的")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已超期")
    organisation = IdFilter(field_name="post__organisation")
    sensitivity = django_filters.ChoiceFilter(field_name="post__sensitivity", choices=Sensitivity.choices)
    column = IdFilter(field_name="post__columns", distinct=True)
    account = IdFilter(field_name="post__accounts", distinct=True)

    class Meta:
        model = ReviewTask
        fields = ["post", "stage", "role", "status", "decided_by", "run"]

    def filter_actionable(self, queryset, name, value):
        if value:
            return queryset.actionable_by(self.request.user)
        return queryset

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.exclude(status="open", due_on__lt=today)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    revision = serializers.IntegerField(required=False, min_value=1, help_text="所审的稿件版本号；与当前版本不符时返回 409")


class ReviewTaskViewSet(AuditedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Review steps in the caller's scope, oldest first; `?actionable=true` is the caller's queue."""

    serializer_class = ReviewTaskSerializer
    filterset_class = ReviewTaskFilter
    ordering_fields = ["opened_at", "due_on", "id"]
    ordering = ["opened_at", "id"]

    def get_queryset(self):
        return ReviewTask.objects.for_user(self.request.user).select_related(
            "post", "post__organisation", "decided_by", "revision"
        ).distinct()

    def _decide(self, request, approve: bool):
        task = self.get_object()  # out of scope: 404
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {"task_id": task.pk, "user": request.user, "comment": data.validated_data["comment"],
                  "revision": data.validated_data.get("revision")}
        task = services.task_approve(**kwargs) if approve else services.task_return(**kwargs)
        return Response(self.get_serializer(task).data)

    @extend_schema(request=DecisionSerializer, responses=ReviewTaskSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=ReviewTaskSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._decide(request, approve=False)

    @extend_schema(request=DecisionSerializer, responses=ReviewTaskSerializer,
                   description="审核人将稿件升级为重大敏感稿件：本轮审校终止，按重大敏感稿件流程从一审重新开始。")
    @action(detail=True, methods=["post"], url_path="raise-sensitivity")
    def raise_sensitivity(self, request, pk=None):
        task = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_raise_sensitivity(task_id=task.pk, user=request.user, comment=data.validated_data["comment"])
        return Response(self.get_serializer(task).data)


class ReviewPolicySerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(access.visible_organisations)

    class Meta:
        model = ReviewPolicy
        fields = ["id", "organisation", "sensitivity", "stages", "distinct_people", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def create(self, validated_data):
        return services.policy_save(actor=self.context["request"].user, **{
            "organisation": validated_data["organisation"], "sensitivity": validated_data.get("sensitivity", "routine"),
            "stages": validated_data.get("stages", []), "distinct_people": validated_data.get("distinct_people", False),
        })

    def update(self, instance, validated_data):
        if validated_data.get("organisation", instance.organisation) != instance.organisation or validated_data.get(
            "sensitivity", instance.sensitivity
        ) != instance.sensitivity:
            raise serializers.ValidationError({"sensitivity": "流程的单位和适用稿件不能更改。"})
        return services.policy_save(
            actor=self.context["request"].user, organisation=instance.organisation, sensitivity=instance.sensitivity,
            stages=validated_data.get("stages", instance.stages),
            distinct_people=validated_data.get("distinct_people", instance.distinct_people),
        )


class ReviewPolicyViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                          viewsets.ReadOnlyModelViewSet):
    serializer_class = ReviewPolicySerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["organisation", "sensitivity"]

    def get_queryset(self):
        return ReviewPolicy.objects.filter(
            organisation__in=access.visible_organisations(self.request.user).values("pk")
        ).select_related("organisation")

    def can_manage(self, user, obj):
        return access.can_direct_unit(user, obj.organisation)


class PostCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PostViewSet(publishing_api.PostViewSet):
    # `posts/` as the router serves it: publishing's post endpoint plus the post's review transitions.
    # An edit saves through review, so a post in review is checked again and its run learns of the change.
    update_post = staticmethod(services.post_update)

    @extend_schema(request=None, responses=publishing_api.PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        post = self.get_object()
        try:
            post = services.post_submit(post=post, actor=request.user)
        except SubmitBlocked as exc:
            return Response(exc.detail, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(post).data)

    @extend_schema(request=PostCommentSerializer, responses=publishing_api.PostSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        post = self.get_object()
        data = PostCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_withdraw(post=post, actor=request.user, comment=data.validated_data["comment"])
        return Response(self.get_serializer(post).data)


class RegisterView(APIView):
    """`GET register/?from=D&to=D&organisation=ID[&format=xlsx]`: the 审核发布登记台账 of a period."""

    def perform_content_negotiation(self, request, force=False):
        # `format=xlsx` is this endpoint's own parameter (API.md), not DRF's renderer override.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="发布日期自（含）"),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="发布日期至（含）"),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="单位（含下级）"),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"], description="xlsx 导出 Excel"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        errors, params = {}, {}
        for name in ("from", "to"):
            raw = request.query_params.get(name, "")
            try:
                params[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = ["请以 YYYY-MM-DD 格式填写日期。"]
        organisation = None
        raw_org = request.query_params.get("organisation")
        if raw_org:
            organisation = access.visible_organisations(request.user).filter(pk=raw_org if raw_org.isdigit() else 0).first()
            if organisation is None:
                errors["organisation"] = ["单位不存在。"]
        if not errors and params["from"] > params["to"]:
            errors["to"] = ["结束日期不能早于开始日期。"]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        rows = register.rows(user=request.user, start=params["from"], end=params["to"], organisation=organisation)
        if request.query_params.get("format") == "xlsx":
            content = register.to_xlsx(rows, params["from"], params["to"])
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            return name_download(response, f"审校台账-{params['from']:%Y%m%d}-{params['to']:%Y%m%d}.xlsx")
        return Response({"from": params["from"], "to": params["to"], "count": len(rows), "results": rows})
