"""REST endpoints of the inspections area (API.md): inspections, findings, error reports, messages, countdown,
checklist versions and message reply limits."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.generics import GenericAPIView

from accounts.models import Account
from organisations import access
from govmedia.core.api import (
    AuditedViewMixin, CalledField, CompiledListMixin, IdFilter, JSONParser, LeanListSerializer, Pagination,
    ScopedPrimaryKeyField,
)
from govmedia.core.files import ScopedFileField
from rules import countdown, definitions
from rules.models import SubjectType
from sites.models import Column, Site

from . import imports, selectors, services
from . import rectification as rectification_loop
from .models import (
    ErrorReport, Finding, FindingStatus, Inspection, Message, MessagePolicy, Rectification, RectificationState, Severity,
)


# ------------------------------------------------------------------------------------------- inspections


class InspectionSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(access.visible_organisations, required=False, allow_null=True)
    checklist_version_name = serializers.CharField(source="checklist_version.name", read_only=True, default=None,
                                                   allow_null=True)  # null until the run starts
    counts = serializers.SerializerMethodField()

    def get_counts(self, run) -> dict:
        """A run's totals cover its whole scope: shown only to those who oversee all of it (others read the
        findings of their own units through findings/?inspection=ID)."""
        request = self.context.get("request")
        if request is None:
            return run.counts
        paths = self.context.setdefault("_regional_paths", access.regional_paths(request.user))
        return run.counts if selectors.run_covered(run, paths) else {}

    class Meta:
        model = Inspection
        fields = ["id", "as_of", "organisation", "status", "started_at", "finished_at", "counts", "checklist_version",
                  "checklist_version_name", "versions", "error", "created_at"]
        read_only_fields = ["status", "started_at", "finished_at", "checklist_version", "versions", "error", "created_at"]


class InspectionViewSet(AuditedViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """`POST {"as_of"}` queues a run of every rule (supervisors); the run itself happens in Celery."""

    serializer_class = InspectionSerializer
    filterset_fields = ["status", "as_of", "organisation"]
    ordering_fields = ["as_of", "created_at", "id"]

    def get_queryset(self):
        return selectors.visible_inspections(self.request.user).select_related("checklist_version", "organisation")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.inspection_create(
            as_of=serializer.validated_data["as_of"], organisation=serializer.validated_data.get("organisation"),
            user=request.user,
        )
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


# ---------------------------------------------------------------------------------------------- findings


class RectificationSerializer(serializers.ModelSerializer):
    submitted_by_name = CalledField(source="submitted_by.__str__", read_only=True)
    evidence_file = ScopedFileField()  # the scoped download URL (govmedia.core.files)

    class Meta:
        model = Rectification
        fields = ["id", "comment", "evidence_url", "evidence_file", "submitted_by", "submitted_by_name", "submitted_at",
                  "outcome", "checked_at", "reviewed_by", "review_comment"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    rule_label = serializers.SerializerMethodField()
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "inspection", "rule", "rule_label", "severity", "subject_type", "subject_id", "subject_name",
                  "organisation", "organisation_name", "detail", "found_on", "due_on", "status", "overdue",
                  "period_key", "rectified_on", "source", "checklist_version", "rectification_state"]
        read_only_fields = fields
        list_serializer_class = LeanListSerializer

    def get_rule_label(self, obj) -> str:
        return definitions.label(obj.rule)

    def get_overdue(self, obj) -> bool:
        return obj.status == FindingStatus.OVERDUE


class FindingDetailSerializer(FindingSerializer):
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta(FindingSerializer.Meta):
        fields = FindingSerializer.Meta.fields + ["rectifications"]
        read_only_fields = fields


class FindingFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=sorted(definitions.LABELS.items()))
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices)
    organisation = IdFilter(method="filter_organisation", label="单位（含下级）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="逾期")
    rectification_state = django_filters.ChoiceFilter(choices=RectificationState.choices[1:], label="整改反馈状态",
                                                      method="filter_rectification_state")
    found_from = django_filters.DateFilter(field_name="found_on", lookup_expr="gte")
    found_to = django_filters.DateFilter(field_name="found_on", lookup_expr="lte")

    class Meta:
        model = Finding
        fields = ["inspection", "rule", "severity", "status", "subject_type", "subject_id", "organisation", "overdue",
                  "rectification_state"]

    def filter_organisation(self, queryset, name, value):
        return selectors.filter_findings(queryset, organisation=int(value))

    def filter_rectification_state(self, queryset, name, value):
        return selectors.filter_findings(queryset, rectification_state=value)

    def filter_overdue(self, queryset, name, value):
        return selectors.filter_findings(queryset, overdue=value, as_of=services.local_today())


class RectifySerializer(serializers.Serializer):
    comment = serializers.CharField()
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    evidence_file = serializers.FileField(required=False, allow_null=True)


class RectificationDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text="审核意见；退回（reject）时必填")


class FindingViewSet(CompiledListMixin, AuditedViewMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = FindingFilter
    ordering_fields = ["found_on", "due_on", "id", "rule"]

    def get_queryset(self):
        return selectors.visible_findings(self.request.user).select_related("organisation").order_by("-found_on", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FindingDetailSerializer
        if self.action == "rectify":
            return RectifySerializer
        if self.action in ("accept", "reject"):
            return RectificationDecisionSerializer
        return FindingSerializer

    # An upload: the schema declares multipart only (one body type per operation, which generated clients need);
    # a JSON body without the file is accepted too, as API.md has always shown it.
    @extend_schema(request={"multipart/form-data": RectifySerializer}, responses={201: RectificationSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def rectify(self, request, pk=None):
        """The unit's answer: what it did, with a link (`evidence_url`) or a file (`evidence_file`); the next run
        verifies it. Multipart; a JSON body `{"comment", "evidence_url"?}` is accepted as well."""
        finding = self.get_object()
        serializer = RectifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rectification = rectification_loop.finding_rectify(
            finding=finding, user=request.user, comment=data["comment"], evidence_url=data.get("evidence_url", ""),
            evidence_file=data.get("evidence_file"),
        )
        return Response(RectificationSerializer(rectification, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decide):
        finding = self.get_object()
        serializer = RectificationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = decide(finding=finding, user=request.user, comment=serializer.validated_data.get("comment", ""))
        finding = self.get_queryset().prefetch_related("rectifications").get(pk=finding.pk)
        return Response(FindingDetailSerializer(finding, context={"request": request}).data)

    @extend_schema(request=RectificationDecisionSerializer, responses={200: FindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The supervisors accept the unit's answer awaiting review: the finding is closed today (its 逾期未整改
        follow-ups with it). `403` for anyone but the unit's supervisors and for the person who gave the answer;
        `409` when no answer awaits review."""
        return self._decide(request, rectification_loop.rectification_accept)

    @extend_schema(request=RectificationDecisionSerializer, responses={200: FindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The supervisors return the unit's answer with a `comment` (required, `400` without): the unit answers
        again; a finding past its due date is overdue again."""
        return self._decide(request, rectification_loop.rectification_reject)


# ----------------------------------------------------------------------------- error reports and messages


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(required=False)


class ErrorReportSerializer(serializers.ModelSerializer):
    site = ScopedPrimaryKeyField(lambda u: Site.objects.for_user(u))
    late = serializers.SerializerMethodField()
    reply_backdated = serializers.BooleanField(read_only=True, help_text="答复时间早于录入时间超过1天（补录）")

    class Meta:
        model = ErrorReport
        fields = ["id", "site", "received_at", "content", "url", "reporter", "external_id", "replied_at", "reply", "due_on", "late",
                  "reply_entered_at", "reply_backdated"]
        read_only_fields = ["replied_at", "reply", "due_on", "reply_entered_at", "reply_backdated"]
        validators = []  # the service names a repeated external_id in its own message

    def get_late(self, obj) -> bool:
        return services.is_late(obj)

    def validate_site(self, site):
        if not access.can_act_for_unit(self.context["request"].user, site.owner):
            raise PermissionDenied("只有网站主办单位人员或其主管单位可以登记找错。")
        return site

    def create(self, validated_data):
        return services.error_report_create(**validated_data)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class IntakeMixin:
    """What the error report and message endpoints share: the list in the caller's scope (`?replied=true|false`),
    `reply/` by the owner's people, and `import/` of a csv or xlsx file (all rows or none)."""

    reply_service = None  # (obj, user=, reply=) -> the replied object
    import_service = None  # (user=, file=) -> {"created", "skipped", "errors"}

    def visible(self, user):
        """The rows in `user`'s scope; each endpoint says which."""
        raise TypeError(f"{type(self).__name__} must say which rows a user sees")

    def owner(self, obj):
        """The unit whose people reply."""
        raise TypeError(f"{type(self).__name__} must say whose people reply")

    def get_queryset(self):
        qs = self.visible(self.request.user)
        replied = self.request.query_params.get("replied")
        if replied in ("true", "false"):
            qs = qs.filter(replied_at__isnull=(replied == "false"))
        # ?overdue=true: unanswered past the due date, as the list pages' 逾期未答复 filter.
        if self.request.query_params.get("overdue") in ("true", "1"):
            qs = selectors.filter_replies(qs, overdue=True, as_of=services.local_today())
        return qs

    @extend_schema(request=ReplySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        obj = self.get_object()
        if not access.can_act_for_unit(request.user, self.owner(obj)):
            raise PermissionDenied("只有主办单位人员或其主管单位可以答复。")
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.reply_service(obj, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)

    @extend_schema(request={"multipart/form-data": ImportSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_csv(self, request):
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self.import_service(user=request.user, file=serializer.validated_data["file"])
        return Response(result, status=status.HTTP_200_OK if not result["errors"] else status.HTTP_400_BAD_REQUEST)


@extend_schema_view(import_csv=extend_schema(
    description="A csv (UTF-8 or GBK) or xlsx file with the header `site,received_at,content,url,reporter,external_id`."))
class ErrorReportViewSet(AuditedViewMixin, IntakeMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ErrorReportSerializer
    filterset_fields = ["site", "due_on"]
    ordering_fields = ["received_at", "due_on", "id"]
    import_service = staticmethod(imports.import_error_reports)

    @staticmethod
    def reply_service(obj, **kw):
        return services.error_report_reply(report=obj, **kw)

    def visible(self, user):
        return selectors.visible_error_reports(user).select_related("site")

    def owner(self, obj):
        return obj.site.owner


class MessageSerializer(serializers.ModelSerializer):
    site = ScopedPrimaryKeyField(lambda u: Site.objects.for_user(u), required=False, allow_null=True)
    account = ScopedPrimaryKeyField(lambda u: Account.objects.for_user(u), required=False, allow_null=True)
    late = serializers.SerializerMethodField()
    reply_backdated = serializers.BooleanField(read_only=True, help_text="答复时间早于录入时间超过1天（补录）")

    class Meta:
        model = Message
        fields = ["id", "site", "account", "received_at", "author", "title", "content", "valid", "public", "external_id",
                  "replied_at", "reply", "due_on", "reply_workdays", "late", "reply_entered_at", "reply_backdated"]
        read_only_fields = ["replied_at", "reply", "due_on", "reply_workdays", "reply_entered_at", "reply_backdated"]
        validators = []  # the service names a repeated external_id in its own message

    def get_late(self, obj) -> bool:
        return services.is_late(obj)

    def validate(self, attrs):
        site, account = attrs.get("site"), attrs.get("account")
        if (site is None) == (account is None):
            raise ValidationError({"site": "请指定留言所在的网站或账号（二者选一）。"})
        owner = site.owner if site else account.owner
        if not access.can_act_for_unit(self.context["request"].user, owner):
            raise PermissionDenied("只有主办单位人员或其主管单位可以登记留言。")
        return attrs

    def create(self, validated_data):
        return services.message_create(**validated_data)


@extend_schema_view(import_csv=extend_schema(
    description="A csv (UTF-8 or GBK) or xlsx file with the header "
                "`site,account,received_at,author,title,content,public,external_id`."))
class MessageViewSet(AuditedViewMixin, IntakeMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MessageSerializer
    filterset_fields = ["site", "account", "valid", "public", "due_on"]
    ordering_fields = ["received_at", "due_on", "id"]
    import_service = staticmethod(imports.import_messages)

    @staticmethod
    def reply_service(obj, **kw):
        return services.message_reply(message=obj, **kw)

    def visible(self, user):
        return selectors.visible_messages(user).select_related("site", "account")

    def owner(self, obj):
        return obj.owner


class MessagePolicySerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyField(access.visible_organisations)
    reply_workdays = serializers.IntegerField(min_value=1, max_value=60)

    class Meta:
        model = MessagePolicy
        fields = ["id", "organisation", "reply_workdays", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def create(self, validated_data):
        return services.message_policy_set(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.message_policy_set(
            user=self.context["request"].user, organisation=instance.organisation,
            reply_workdays=validated_data.get("reply_workdays", instance.reply_workdays),
        )


class MessagePolicyViewSet(AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Each owner's reply limit for messages, in working days (default 5)."""

    serializer_class = MessagePolicySerializer
    filterset_fields = ["organisation"]

    def get_queryset(self):
        return MessagePolicy.objects.filter(organisation__in=access.organisation_ids_for(self.request.user)).order_by("pk")


# ------------------------------------------------------------------------------------- checklist, countdown


class CountdownQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("column", "栏目"), ("account", "账号")])
    organisation = serializers.IntegerField(required=False)
    within = serializers.IntegerField(required=False, min_value=-3650, max_value=3650)


class CountdownRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("column", "栏目"), ("account", "账号")])
    id = serializers.IntegerField()
    name = serializers.CharField()
    last_updated_on = serializers.DateField(allow_null=True)
    deadline = serializers.DateField(help_text="仍符合更新规则的最后一天")
    days_left = serializers.IntegerField(help_text="剩余天数；0 为最后一天，负数为已超期的天数")
    organisation = serializers.IntegerField()
    site = serializers.IntegerField(required=False)
    site_name = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    platform = serializers.CharField(required=False)
    organisation_name = serializers.CharField(required=False)
    last_original_on = serializers.DateField(required=False, allow_null=True)


class CountdownView(GenericAPIView):
    """`GET countdown/?kind=column|account&organisation=ID&within=N`: subjects with their deadline and the days
    left before they break their update rule (negative: already broken), nearest first."""

    serializer_class = CountdownRowSerializer
    filter_backends = []

    @extend_schema(parameters=[
        OpenApiParameter("kind", str, enum=["column", "account"], required=True),
        OpenApiParameter("organisation", int), OpenApiParameter("within", int),
    ], responses=CountdownRowSerializer(many=True))
    def get(self, request):
        query = CountdownQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, _paginator = countdown_rows(request, **query.validated_data)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page)


def countdown_queryset(user, *, kind: str, organisation: int | None = None, within: int | None = None, today=None):
    today = today or services.local_today()
    org = None
    if organisation is not None:
        org = access.visible_organisations(user).filter(pk=organisation).first()
        if org is None:
            raise ValidationError({"organisation": "单位不存在或不在您的查看范围内。"})
    if kind == "column":
        qs = Column.objects.for_user(user).filter(site__status="running")
        if org:
            qs = qs.filter(Q(site__owner__path__startswith=org.path) | Q(responsible__path__startswith=org.path))
        qs = countdown.columns_with_countdown(qs, today=today).select_related("site")
    else:
        qs = Account.objects.for_user(user).filter(status__in=["running", "closing"])
        if org:
            qs = qs.filter(owner__path__startswith=org.path)
        qs = countdown.accounts_with_countdown(qs, today=today).select_related("owner")
    if within is not None:
        qs = qs.filter(days_left__lte=within)
    return qs.order_by("days_left", "id")


def countdown_rows(request, *, kind, organisation=None, within=None):
    qs = countdown_queryset(request.user, kind=kind, organisation=organisation, within=within)

    class _Rows:
        """Shapes rows lazily so that the paginator slices the query first."""

        def __init__(self, qs):
            self.qs = self.queryset = qs  # `queryset`: what govmedia.core.paging counts, bounded

        def count(self):
            return self.qs.count()

        def __len__(self):
            return self.count()

        def __getitem__(self, item):
            return [_countdown_row(kind, obj) for obj in self.qs[item]]

    return _Rows(qs), Pagination()


def _countdown_row(kind, obj) -> dict:
    row = {"kind": kind, "id": obj.pk, "name": obj.name, "last_updated_on": obj.last_updated_on,
           "deadline": obj.deadline, "days_left": obj.days_left}
    if kind == "column":
        row.update(site=obj.site_id, site_name=obj.site.name, category=obj.category,
                   organisation=obj.responsible_id or obj.site.owner_id)
    else:
        row.update(platform=obj.platform, organisation=obj.owner_id, organisation_name=obj.owner.name,
                   last_original_on=obj.last_original_on)
    return row
