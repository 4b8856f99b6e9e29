"""REST endpoints: posts (with submit / withdraw / attachments), word lists and the register (API.md)."""
import datetime as dt

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations import scope
from organisations.api import ScopedPrimaryKeyField
from accounts.models import Account
from organisations.models import Organisation
from govmedia.core.api import AuditedViewMixin, ReadOnlyOrManager
from govmedia.core.exceptions import DomainConflict
from sites.models import Column

from . import access, register, services
from .models import CoProducer, Post, PostAttachment, Publication, WordList, WordListKind


class CoProducerSerializer(serializers.ModelSerializer):
    # A co-producing unit may be a peer the author cannot otherwise see (another department).
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    has_consent = serializers.BooleanField(read_only=True)

    class Meta:
        model = CoProducer
        fields = ["organisation", "organisation_name", "consent_on", "consent_reference", "has_consent"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostAttachment
        fields = ["id", "name", "size", "file", "created_at"]
        read_only_fields = ["name", "size", "created_at"]


class PublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publication
        fields = ["id", "column", "account", "published_at", "url"]


class PostSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(scope.visible_organisations)
    columns = ScopedPrimaryKeyField(lambda user: Column.objects.for_user(user), many=True, required=False)
    accounts = ScopedPrimaryKeyField(lambda user: Account.objects.for_user(user), many=True, required=False)
    interprets = ScopedPrimaryKeyField(lambda user: Post.objects.for_user(user), allow_null=True, required=False)
    co_producers = CoProducerSerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id", "title", "body", "organisation", "organisation_name", "kind", "interprets", "columns", "accounts",
            "origin", "source_name", "source_url", "sensitivity", "status", "status_display", "stage",
            "stage_display", "warnings", "disclosure_required", "made_on", "publish_at", "published_at", "author",
            "author_name", "revision", "co_producers", "attachments", "publications", "submitted_at", "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "stage", "warnings", "published_at", "author", "revision", "submitted_at"]

    def validate_organisation(self, organisation):
        if self.instance is not None and organisation != self.instance.organisation:
            raise serializers.ValidationError("稿件的主办单位不能更改。")
        return organisation

    def create(self, validated_data):
        return services.post_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organisation", None)
        return services.post_update(post=instance, actor=self.context["request"].user, **validated_data)


class PostFilter(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label="某单位及其下级")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = Post
        fields = ["organisation", "status", "stage", "kind", "sensitivity", "origin", "author", "columns", "accounts"]

    def filter_within(self, queryset, name, value):
        root = scope.visible_organisations(self.request.user).filter(pk=value).first()
        return queryset.filter(organisation__path__startswith=root.path) if root else queryset.none()


class PostCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PostViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = PostSerializer
    filterset_class = PostFilter
    permission_classes = [ReadOnlyOrManager]
    ordering_fields = ["created_at", "updated_at", "published_at", "id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            Post.objects.for_user(self.request.user)
            .select_related("organisation", "author")
            .prefetch_related("columns", "accounts", "co_producers__organisation", "attachments", "publications")
        )

    def can_manage(self, user, obj):
        return access.can_write(user, obj.organisation)

    def perform_destroy(self, instance):
        if instance.status != "draft" or instance.submitted_at is not None:
            raise DomainConflict("只有从未提交的草稿可以删除；已提交的稿件请撤回。")
        instance.delete()

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        post = self.get_object()
        try:
            post = services.post_submit(post=post, actor=request.user)
        except services.SubmitBlocked as exc:
            return Response(exc.detail, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(post).data)

    @extend_schema(request=PostCommentSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        post = self.get_object()
        data = PostCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_withdraw(post=post, actor=request.user, comment=data.validated_data["comment"])
        return Response(self.get_serializer(post).data)

    @extend_schema(request=AttachmentSerializer, responses=AttachmentSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        post = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["请选择要上传的附件。"]}, status=status.HTTP_400_BAD_REQUEST)
        attachment = services.attachment_add(post=post, actor=request.user, file=upload)
        return Response(AttachmentSerializer(attachment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class WordEntrySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    suggestion = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WordListSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(scope.visible_organisations)
    kind = serializers.ChoiceField(choices=WordListKind.choices)
    entries = WordEntrySerializer(many=True, required=False)

    class Meta:
        model = WordList
        fields = ["id", "organisation", "kind", "version", "updated_at", "entries"]
        read_only_fields = ["version", "updated_at"]
        validators = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["entries"] = [{"text": e.text, "suggestion": e.suggestion} for e in instance.entries.all()]
        return data

    def _save(self, organisation, kind, entries):
        return services.word_list_replace(
            organisation=organisation, kind=kind, actor=self.context["request"].user,
            entries=[(e["text"], e.get("suggestion", "")) for e in entries],
        )

    def create(self, validated_data):
        return self._save(validated_data["organisation"], validated_data["kind"], validated_data.get("entries", []))

    def update(self, instance, validated_data):
        if validated_data.get("organisation", instance.organisation) != instance.organisation or validated_data.get("kind", instance.kind) != instance.kind:
            raise serializers.ValidationError({"kind": "词表的单位和类型不能更改。"})
        entries = validated_data.get("entries")
        if entries is None:
            return instance
        return self._save(instance.organisation, instance.kind, entries)


class WordListViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = WordListSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["organisation", "kind"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return WordList.objects.filter(
            organisation__in=scope.visible_organisations(self.request.user).values("pk")
        ).select_related("organisation").prefetch_related("entries")

    def can_manage(self, user, obj):
        return user.is_superuser or user.supervises(obj.organisation)

    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request, pk=None):
        word_list = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["请选择 txt 或 csv 文件。"]}, status=status.HTTP_400_BAD_REQUEST)
        if upload.size > 10 * 1024 * 1024:
            return Response({"file": ["文件不能超过 10 MB。"]}, status=status.HTTP_400_BAD_REQUEST)
        entries = services.parse_word_file(upload.read(), word_list.kind)
        append = str(request.data.get("append", "")).lower() in {"1", "true", "yes", "on"}
        word_list = services.word_list_replace(
            organisation=word_list.organisation, kind=word_list.kind, entries=entries, actor=request.user, append=append
        )
        return Response(self.get_serializer(word_list).data)


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
            organisation = scope.visible_organisations(request.user).filter(pk=raw_org if raw_org.isdigit() else 0).first()
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
            response["Content-Disposition"] = f'attachment; filename="register-{params["from"]}-{params["to"]}.xlsx"'
            return response
        return Response({"from": params["from"], "to": params["to"], "count": len(rows), "results": rows})
