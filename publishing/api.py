"""REST endpoints: posts (with attachments) and word lists (API.md). The router serves `posts/` through
`review.api.PostViewSet`, this viewset with the review's transitions (submit, withdraw, an edit in review)."""
import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from organisations import access
from accounts.models import Account
from govmedia.core.api import (
    AuditedViewMixin, CalledField, IdFilter, LeanListSerializer, ReadOnlyOrManager, ScopedPrimaryKeyField,
)
from govmedia.core.files import ScopedFileField
from sites.models import Column

from . import services
from .models import CoProducer, Post, PostAttachment, Publication, WordList, WordListKind


class CoProducerSerializer(serializers.ModelSerializer):
    # A co-producing unit may be a peer the author cannot otherwise see (another department), but only within
    # the author's own region: another county's units do not exist for them (issue 12, scope matrix).
    organisation = ScopedPrimaryKeyField(access.region_organisations)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    has_consent = serializers.BooleanField(read_only=True)

    class Meta:
        model = CoProducer
        fields = ["organisation", "organisation_name", "consent_on", "consent_reference", "has_consent"]


class AttachmentSerializer(serializers.ModelSerializer):
    file = ScopedFileField()  # the scoped download URL (govmedia.core.files), never the storage's

    class Meta:
        model = PostAttachment
        fields = ["id", "name", "size", "file", "created_at"]
        read_only_fields = ["name", "size", "created_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF、Office、WPS、OFD、图片、文本或压缩包；按文件内容识别类型。")


class PublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publication
        fields = ["id", "column", "account", "published_at", "url"]


class PostSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
    columns = ScopedPrimaryKeyField(lambda user: Column.objects.for_user(user), many=True, required=False)
    accounts = ScopedPrimaryKeyField(lambda user: Account.objects.for_user(user), many=True, required=False)
    interprets = ScopedPrimaryKeyField(lambda user: Post.objects.for_user(user), allow_null=True, required=False)
    co_producers = CoProducerSerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    author_name = CalledField(source="author.__str__", read_only=True)
    status_display = CalledField(source="get_status_display", read_only=True)
    stage_display = CalledField(source="get_stage_display", read_only=True, allow_null=True)

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
        list_serializer_class = LeanListSerializer

    def validate_organisation(self, organisation):
        if self.instance is not None and organisation != self.instance.organisation:
            raise serializers.ValidationError("稿件的主办单位不能更改。")
        return organisation


class PostFilter(django_filters.FilterSet):
    within = IdFilter(method="filter_within", label="某单位及其下级")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = Post
        fields = ["organisation", "status", "stage", "kind", "sensitivity", "origin", "author", "columns", "accounts"]

    def filter_within(self, queryset, name, value):
        root = access.visible_organisations(self.request.user).filter(pk=value).first()
        return queryset.filter(organisation__path__startswith=root.path) if root else queryset.none()


class PostViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    serializer_class = PostSerializer
    filterset_class = PostFilter
    permission_classes = [ReadOnlyOrManager]
    ordering_fields = ["created_at", "updated_at", "published_at", "id"]

    def get_queryset(self):
        return (
            Post.objects.for_user(self.request.user)
            .select_related("organisation", "author")
            .prefetch_related("columns", "accounts", "co_producers__organisation", "attachments", "publications")
        )

    # Saves an edit; review's PostViewSet puts its own in, which also tells a running review.
    update_post = staticmethod(services.post_update)

    def can_manage(self, user, obj):
        return access.can_write(user, obj.organisation)

    def perform_create(self, serializer):
        serializer.instance = services.post_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        serializer.instance = self.update_post(post=serializer.instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        # The same rule as the page's 删除草稿: only the author, only a draft never submitted, audited.
        services.post_delete_draft(post=instance, actor=self.request.user)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
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
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
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


class WordListImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="txt（每行一词）或 csv（词, 建议用词）")
    append = serializers.BooleanField(required=False, default=False, help_text="追加到现有词表；否则替换")


class WordListViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = WordListSerializer
    permission_classes = [ReadOnlyOrManager]
    filterset_fields = ["organisation", "kind"]

    def get_queryset(self):
        return WordList.objects.filter(
            organisation__in=access.visible_organisations(self.request.user).values("pk")
        ).select_related("organisation").prefetch_related("entries")

    def can_manage(self, user, obj):
        return access.can_manage_organisation(user, obj.organisation)

    @extend_schema(request={"multipart/form-data": WordListImportSerializer}, responses=WordListSerializer)
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request, pk=None):
        word_list = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["请选择 txt 或 csv 文件。"]}, status=status.HTTP_400_BAD_REQUEST)
        entries = services.read_word_file(upload, word_list.kind)
        append = str(request.data.get("append", "")).lower() in {"1", "true", "yes", "on"}
        word_list = services.word_list_replace(
            organisation=word_list.organisation, kind=word_list.kind, entries=entries, actor=request.user, append=append
        )
        return Response(self.get_serializer(word_list).data)
