"""REST endpoints of the account register and filings (API.md `accounts/`, `accounts/{id}/updates/`, `filings/`)."""
from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from govmedia.core.api import (
    AuditedViewMixin, CalledField, CompiledListMixin, IdFilter, LeanListSerializer, ScopedPrimaryKeyField,
)
from govmedia.core.bulk import BulkRecordsView, bulk_schema
from govmedia.core.documents import XLSX_TYPE, name_download
from govmedia.core.files import ScopedFileField
from organisations import access
from organisations.models import Organisation
from rules.countdown import accounts_with_countdown

from accounts import documents, filing_services, imports, services
from accounts import filings as form_rules
from accounts.services import account_add_update
from accounts.models import (
    Account,
    AccountMenu,
    AccountStatus,
    AccountTeamMember,
    AccountUpdate,
    Filing,
    FilingKind,
    FilingStage,
    FilingStatus,
)
from accounts.selectors import accounts_for, not_updated_for, reference_date

# --- The 备案登记表 as input -----------------------------------------------------------------------------------


def inline_choices(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum is written inline in the schema: "status" and "kind" are names every area
    uses, and shared enum components would collide."""
    field_class = extend_schema_field({"type": "string", "enum": [value for value, _ in choices]})(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


class TeamRowSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, allow_blank=True)
    unit_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    office_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class MenusField(serializers.JSONField):
    """A tree: `[{"name", "note"?, "children"?: [...]}]`; depth is checked by the form rules (three levels)."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)

        def walk(items, where):
            if not isinstance(items, list):
                raise serializers.ValidationError(f"{where}应为列表。")
            out = []
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict) or not isinstance(item.get("name", ""), str):
                    raise serializers.ValidationError(f"{where}第{index}项应为含 name 的对象。")
                out.append({
                    "name": item.get("name", "")[:100], "note": str(item.get("note") or "")[:200],
                    "children": walk(item.get("children") or [], f"{where}第{index}项的下级菜单"),
                })
            return out

        return walk(data, "菜单")


def _serializer_field(field: form_rules.FormField) -> serializers.Field:
    """The API's input for one declared field. All optional: a draft may be incomplete."""
    kind = field.kind
    if kind == form_rules.TEXT:
        return serializers.CharField(max_length=field.max_length, required=False, allow_blank=True)
    if kind == form_rules.LONG_TEXT:
        return serializers.CharField(required=False, allow_blank=True)
    if kind == form_rules.URL:
        return serializers.URLField(max_length=field.max_length, required=False, allow_blank=True)
    if kind == form_rules.DATE:
        return serializers.DateField(required=False, allow_null=True)
    if kind == form_rules.BOOL:
        return serializers.BooleanField(required=False)
    if kind == form_rules.COUNT:
        return serializers.IntegerField(min_value=0, required=False, allow_null=True)
    if kind == form_rules.CHOICE:
        return serializers.ChoiceField(choices=field.choices.choices, required=False, allow_blank=True)
    if kind == form_rules.UNIT:
        return ScopedPrimaryKeyField(field.units, required=False, allow_null=True)
    raise ValueError(f"no API input for {kind!r} ({field.name})")


# Every field of the 备案登记表 (qingdao 附件1) but the QR code image, which is uploaded on its own (multipart).
RegistrationFormSerializer = type("RegistrationFormSerializer", (serializers.Serializer,), {
    "__doc__": "Every field of the 备案登记表 (qingdao 附件1). All optional here: a draft may be incomplete.",
    "__module__": __name__,
    **{field.name: _serializer_field(field) for field in form_rules.DATA_FIELDS},
    "menus": MenusField(required=False),
    "team": TeamRowSerializer(many=True, required=False),
})


def typed_form(validated: dict, base: dict | None = None) -> dict:
    data = dict(base) if base is not None else form_rules.empty_form()
    data.update({k: v for k, v in validated.items()})
    return data


# --- Accounts --------------------------------------------------------------------------------------------------


class MenuOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    note = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


_PAGE_TEAM = (
    f"SELECT account_id, name, unit_title, office_phone, mobile FROM {AccountTeamMember._meta.db_table} "
    "WHERE account_id IN ({ids}) AND left_on IS NULL ORDER BY account_id, position, id"
)
_PAGE_MENUS = (
    f"SELECT account_id, id, parent_id, name, note FROM {AccountMenu._meta.db_table} "
    "WHERE account_id IN ({ids}) ORDER BY account_id, position, id"
)


def _page_team_and_menus(accounts: list) -> None:
    """The current team and the menu tree of every account of a page, read as plain rows in two queries and kept on
    each account for `AccountSerializer` (prefetching them as model objects built a queryset and a dozen model
    instances per account: half the account list's time, issue 14)."""
    ids = [account.pk for account in accounts]
    team: dict[int, list[dict]] = {}
    children: dict[tuple[int, int | None], list[tuple]] = {}
    if ids:
        # Two fixed statements written once, as the ORM would compile them on every page.
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_TEAM.format(ids=marks), ids)
            for account_id, name, unit_title, office_phone, mobile in cursor.fetchall():
                team.setdefault(account_id, []).append(
                    {"name": name, "unit_title": unit_title, "office_phone": office_phone, "mobile": mobile}
                )
            # As form_rules.menu_tree orders them: by position, then id, each item under its parent.
            cursor.execute(_PAGE_MENUS.format(ids=marks), ids)
            for account_id, pk, parent_id, name, note in cursor.fetchall():
                children.setdefault((account_id, parent_id), []).append((pk, name, note))

    def tree(account_id, parent_id):
        return [{"name": name, "note": note, "children": tree(account_id, pk)}
                for pk, name, note in children.get((account_id, parent_id), ())]

    for account in accounts:
        account.__dict__["_page_team"] = team.get(account.pk, [])
        account.__dict__["_page_menus"] = tree(account.pk, None)


class AccountListSerializer(LeanListSerializer):
    """A page of accounts, their teams and menus read for the whole page at once (`_page_team_and_menus`)."""

    def to_representation(self, data):
        accounts = list(data)
        _page_team_and_menus(accounts)
        return super().to_representation(accounts)


class AccountSerializer(serializers.ModelSerializer):
    platform_display = CalledField(source="get_platform_display", read_only=True)
    status = inline_choices(AccountStatus.choices, read_only=True)
    status_display = CalledField(source="get_status_display", read_only=True)
    days_since_update = serializers.SerializerMethodField()
    # Countdown: the nearest day the account breaks an update rule (stale, weekly, original), and the days left.
    deadline = serializers.DateField(read_only=True, default=None)
    days_left = serializers.IntegerField(read_only=True, default=None)
    first_deregister_on = serializers.DateField(read_only=True, allow_null=True)  # null: not closing
    menus = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    qr_code = ScopedFileField()  # the scoped download URL (govmedia.core.files)

    class Meta:
        model = Account
        # The registered data (every field of the 备案登记表), then what the register keeps beside it.
        fields = ["id", *(field.name for field in form_rules.FIELDS), "menus", "team"] + [
            "platform_display", "status", "status_display", "opened_on", "last_updated_on", "last_original_on",
            "days_since_update", "deadline", "days_left", "feed_url", "has_interaction", "national_reference",
            "password_changed_on", "credential_change_due_since", "province_notice_count", "exemption_reason",
            "opened_by_individual", "backfill_due_on", "closure_notice_on", "first_deregister_on",
        ]
        read_only_fields = fields
        list_serializer_class = AccountListSerializer

    @cached_property
    def _today(self):
        return timezone.localdate()  # read once per serializer: a page asks for every row

    def get_days_since_update(self, account) -> int:
        return (self._today - reference_date(account)).days

    def get_menus(self, account) -> list[dict]:
        if "_page_menus" in account.__dict__:
            return account.__dict__["_page_menus"]
        return form_rules.menu_tree(account)

    def get_team(self, account) -> list[dict]:
        if "_page_team" in account.__dict__:
            return account.__dict__["_page_team"]
        return [
            {"name": m.name, "unit_title": m.unit_title, "office_phone": m.office_phone, "mobile": m.mobile}
            for m in account.team.all() if m.left_on is None
        ]


class AccountCreateSerializer(RegistrationFormSerializer):
    """Bringing an existing account into the register directly (its backfill filing then falls due)."""

    feed_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    password_changed_on = serializers.DateField(required=False, allow_null=True, default=None)
    has_interaction = serializers.BooleanField(required=False, default=True)
    opened_by_individual = serializers.BooleanField(required=False, default=False)


class AccountFactsSerializer(serializers.Serializer):
    password_changed_on = serializers.DateField(required=False, allow_null=True)
    followers = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    feed_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    has_interaction = serializers.BooleanField(required=False)
    province_notice_count = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    opened_by_individual = serializers.BooleanField(required=False)
    exemption_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AccountFilter(django_filters.FilterSet):
    days_since_update = django_filters.NumberFilter(
        # At most a century: a bigger count is no date (a 500 before).
        method="filter_days", label="距最近更新至少天数（无更新的按开设日期计）", min_value=0, max_value=36500
    )
    within = IdFilter(method="filter_within", label="某单位及其下级主办")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Account
        fields = ["platform", "status", "owner", "supervisor", "operator", "account_type", "name"]

    def filter_days(self, queryset, name, value):
        return not_updated_for(queryset, int(value), timezone.localdate())

    def filter_within(self, queryset, name, value):
        root = Organisation.objects.filter(pk=value).first()
        return queryset.filter(owner__path__startswith=root.path) if root else queryset.none()


class AccountUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountUpdate
        fields = ["id", "published_at", "title", "url", "original", "source"]
        read_only_fields = ["id", "source"]


class RowErrorsSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="行号（表头为第 1 行）")
    errors = serializers.ListField(child=serializers.CharField())


class UpdateImportReportSerializer(serializers.Serializer):
    """What an import of update records did: all rows or none (`imported`), with what was refused and why."""

    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    imported = serializers.BooleanField()
    file = serializers.ListField(child=serializers.CharField(), required=False, help_text="整个文件被拒绝的原因")
    row_errors = RowErrorsSerializer(many=True, required=False)


class AccountViewSet(CompiledListMixin, AuditedViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts in the caller's scope (owner, operator or supervisor in scope). `POST` registers an account
    that already runs; openings go through `filings/` with `kind=open`. Registered data changes only by filings."""

    filterset_class = AccountFilter
    ordering_fields = ["name", "last_updated_on", "opened_on", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = accounts_for(self.request.user).order_by("owner__path", "platform", "name", "pk")
        if self.action != "list":  # a page reads its teams and menus itself (AccountListSerializer)
            queryset = queryset.prefetch_related("team", "menus")
        else:  # a page shows its units' ids only: no owner, supervisor and operator objects (150 per page)
            queryset = queryset.select_related(None)
        if self.action in ("list", "export") and "status" not in self.request.query_params:
            queryset = queryset.exclude(status=AccountStatus.DRAFT)  # unsubmitted openings are not in the register
        # The schema generator calls this without a database to read thresholds from.
        if self.action in ("list", "retrieve") and not getattr(self, "swagger_fake_view", False):
            queryset = accounts_with_countdown(queryset, today=timezone.localdate())
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return AccountCreateSerializer
        if self.action == "partial_update":
            return AccountFactsSerializer
        if self.action == "updates":
            return AccountUpdateSerializer
        return AccountSerializer

    @extend_schema(request=AccountCreateSerializer, responses={201: AccountSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AccountCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        extra = {k: data.pop(k) for k in ("feed_url", "password_changed_on", "has_interaction", "opened_by_individual")}
        account = services.account_register_existing(
            user=request.user, form=typed_form(data), **extra
        )
        return Response(AccountSerializer(self._as_listed(account), context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    def _as_listed(self, account):
        """The account as GET shows it, countdown included (the bare row would answer deadline: null)."""
        return accounts_with_countdown(
            Account.objects.filter(pk=account.pk).prefetch_related("team", "menus"), today=timezone.localdate()
        ).get()

    def update(self, request, *args, **kwargs):
        account = self.get_object()
        known = set(AccountFactsSerializer().fields)
        registered = sorted(k for k in request.data if k not in known)
        if registered:
            return Response({k: ["该项属于备案登记表内容或只读，请通过变更备案（filings/）修改。"] for k in registered},
                            status=status.HTTP_400_BAD_REQUEST)
        serializer = AccountFactsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "exemption_reason" in data:
            account = services.account_record_exemption(account=account, user=request.user, reason=data.pop("exemption_reason"))
        if data:
            account = services.account_update_facts(account=account, user=request.user, **data)
        return Response(AccountSerializer(self._as_listed(account), context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], responses=AccountUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request=AccountUpdateSerializer,
                   responses={201: AccountUpdateSerializer, 200: AccountUpdateSerializer})  # 200: already recorded
    @action(detail=True, methods=["get", "post"], url_path="updates")
    def updates(self, request, pk=None):
        """Update records of the account (API.md); a POST records one (and moves `last_updated_on`)."""
        account = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(account.updates.order_by("-published_at", "-pk"))
            return self.get_paginated_response(AccountUpdateSerializer(page, many=True).data)
        if not access.can_file(request.user, account):
            raise PermissionDenied("您不是该账号主办或承办单位的工作人员，不能登记更新。")
        serializer = AccountUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update, created = account_add_update(account=account, source="api", **serializer.validated_data)
        return Response(AccountUpdateSerializer(update).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("UpdateImport", {"file": serializers.FileField()})},
        responses={200: UpdateImportReportSerializer},  # a refused file answers 400 with the same report
    )
    @action(detail=True, methods=["post"], url_path="updates/import", parser_classes=[MultiPartParser])
    def import_updates(self, request, pk=None):
        """A platform's export as csv (发布时间, 标题, 链接, 是否原创): all rows or none, with a row-by-row report."""
        account = self.get_object()
        if not access.can_file(request.user, account):
            raise PermissionDenied("您不是该账号主办或承办单位的工作人员，不能导入更新记录。")
        upload = request.FILES.get("file")
        if upload is None:
            report = imports.UpdateImportReport()  # the declared shape, as for any refused file
            report.refuse_file("请上传 csv 文件。")
        else:
            report = imports.import_account_updates(account=account, upload=upload)
        return Response(report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="form-pdf")
    def form_pdf(self, request, pk=None):
        """The account's 备案登记表 as a PDF laid out like the official form."""
        account = self.get_object()
        return documents.pdf_response(account)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """The register of the accounts listed (same filters as the list) as xlsx, the list sent upward."""
        queryset = self.filter_queryset(self.get_queryset()).exclude(status=AccountStatus.DRAFT)
        content = documents.register_xlsx(queryset)
        response = HttpResponse(content, content_type=XLSX_TYPE)
        return name_download(response, f"政务新媒体账号台账-{timezone.localdate():%Y%m%d}.xlsx")


# --- Filings ---------------------------------------------------------------------------------------------------


class FilingDecisionSerializer(serializers.Serializer):
    stage = serializers.CharField()
    outcome = serializers.CharField()
    decided_by = CalledField(source="decided_by.__str__")
    decided_at = serializers.DateTimeField()
    comment = serializers.CharField()


class FilingSerializer(serializers.ModelSerializer):
    account = ScopedPrimaryKeyField(lambda user: Account.objects.for_user(user), required=False, allow_null=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    kind = inline_choices(FilingKind.choices)
    status = inline_choices(FilingStatus.choices, read_only=True)
    stage = inline_choices([("", "—")] + FilingStage.choices, read_only=True)
    kind_display = CalledField(source="get_kind_display", read_only=True)
    status_display = CalledField(source="get_status_display", read_only=True)
    stage_display = CalledField(source="get_stage_display", read_only=True)
    form = serializers.JSONField(required=False)
    event_date = serializers.DateField(required=False)
    submitted_late = serializers.BooleanField(read_only=True, allow_null=True)
    first_deregister_on = serializers.DateField(source="account.first_deregister_on", read_only=True, allow_null=True)
    decisions = FilingDecisionSerializer(many=True, read_only=True)
    qr_code = ScopedFileField()  # the scoped download URL (govmedia.core.files)

    class Meta:
        model = Filing
        fields = [
            "id", "account", "account_name", "kind", "kind_display", "event_date", "reason", "form", "status",
            "status_display", "stage", "stage_display", "due_on", "submitted_at", "submitted_late", "decided_at",
            "owner_opinion", "supervisor_opinion", "rejection_comment", "city_reference", "province_reference",
            "national_reference", "qr_code", "first_deregister_on", "created_by", "created_at", "decisions",
            "notice_on",
        ]
        read_only_fields = [
            "status", "stage", "due_on", "submitted_at", "decided_at", "owner_opinion", "supervisor_opinion",
            "rejection_comment", "city_reference", "province_reference", "national_reference", "qr_code",
            "created_by", "created_at",
        ]
        validators = []  # the service names the open filing in a 409 instead

    def validate_form(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("备案登记表应为对象。")
        inner = RegistrationFormSerializer(data=value, context=self.context)
        if not inner.is_valid():
            raise serializers.ValidationError(inner.errors)
        return inner.validated_data


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReferencesSerializer(serializers.Serializer):
    city_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    province_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    national_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class FilingFilter(django_filters.FilterSet):
    actionable = django_filters.BooleanFilter(method="filter_actionable", label="我现在可以审批的")

    class Meta:
        model = Filing
        fields = ["account", "kind", "status", "stage"]

    def filter_actionable(self, queryset, name, value):
        mine = filing_services.actionable_filings(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class FilingViewSet(AuditedViewMixin, viewsets.ModelViewSet):
    """Filings of accounts in scope. Create a draft, `PATCH` it, then `submit/`; approvers `approve/` or
    `reject/` the open stage (owner's principal, then supervisor); `references/` records approvals above."""

    serializer_class = FilingSerializer
    filterset_class = FilingFilter
    ordering_fields = ["created_at", "submitted_at", "due_on", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Filing.objects.for_user(self.request.user)
            .select_related("account", "created_by")
            .prefetch_related("decisions__decided_by")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        kind = data["kind"]
        if kind == FilingKind.OPEN:
            if data.get("account"):
                raise serializers.ValidationError({"account": ["开设备案不指定已有账号：账号随开设备案一起建立。"]})
            serializer.instance = filing_services.filing_open_draft(
                user=user, event_date=data.get("event_date"), reason=data.get("reason", ""),
                form=typed_form(data.get("form") or {}),
            )
            return
        account = data.get("account")
        if account is None:
            raise serializers.ValidationError({"account": ["请指定账号。"]})
        form = data.get("form")
        serializer.instance = filing_services.filing_start(
            user=user, account=account, kind=kind, event_date=data.get("event_date"), reason=data.get("reason", ""),
            form=typed_form(form, form_rules.from_account(account)) if form is not None else None,
            notice_on=data.get("notice_on"),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        filing = serializer.instance
        for locked in ("kind", "account"):
            if locked in data and data[locked] != getattr(filing, locked):
                raise serializers.ValidationError({locked: ["备案类型和账号不能修改，请删除草稿后重新填报。"]})
        form = data.get("form")
        serializer.instance = filing_services.filing_update(
            filing=filing, user=self.request.user, event_date=data.get("event_date"), reason=data.get("reason"),
            form=typed_form(form, form_rules.from_json(filing.form)) if form is not None else None,
        )

    def perform_destroy(self, instance):
        filing_services.filing_delete(filing=instance, user=self.request.user)

    def _respond(self, filing):
        filing = self.get_queryset().get(pk=filing.pk)
        return Response(FilingSerializer(filing, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=FilingSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(filing_services.filing_submit(filing=self.get_object(), user=request.user))

    @extend_schema(request=CommentSerializer, responses=FilingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(filing_services.filing_approve(filing=self.get_object(), user=request.user, **body.validated_data))

    @extend_schema(request=CommentSerializer, responses=FilingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(filing_services.filing_reject(filing=self.get_object(), user=request.user, **body.validated_data))

    @extend_schema(request=ReferencesSerializer, responses=FilingSerializer)
    @action(detail=True, methods=["post"])
    def references(self, request, pk=None):
        body = ReferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(filing_services.filing_record_references(filing=self.get_object(), user=request.user, **body.validated_data))

    @extend_schema(request={"multipart/form-data": inline_serializer("QrUpload", {"qr_code": serializers.ImageField()})},
                   responses=FilingSerializer)
    @action(detail=True, methods=["post"], url_path="qr-code", parser_classes=[MultiPartParser])
    def qr_code(self, request, pk=None):
        """Attach the account's QR code image to a draft (PNG/JPEG/GIF/WEBP, at most 2 MB)."""
        upload = request.FILES.get("qr_code")
        if upload is None:
            return Response({"qr_code": ["请上传二维码图片。"]}, status=status.HTTP_400_BAD_REQUEST)
        return self._respond(filing_services.filing_update(filing=self.get_object(), user=request.user, qr_code=upload))


# --- Bulk update records (API.md "Other systems": POST account-updates/) ----------------------------------------

class AccountUpdateRecordSerializer(serializers.ModelSerializer):
    """One record of a bulk push: the account's id, `published_at` (ISO 8601), `title`, `url`, `original`."""

    account = serializers.IntegerField(help_text="账号 id")

    class Meta:
        model = AccountUpdate
        fields = ["account", "published_at", "title", "url", "original"]


@bulk_schema(AccountUpdateRecordSerializer, "批量登记账号更新记录：每次最多 1000 条；有任何错误则全部不写入（400）；"
             "同一账号已有相同链接的记录，或本次列表中重复的，计入 ignored。")
class AccountUpdateBulkView(BulkRecordsView):
    item_serializer_class = AccountUpdateRecordSerializer
    subject_field = "account"
    refused_message = "您不是该账号主办或承办单位的工作人员，不能登记更新。"

    def permitted_subjects(self, ids):
        user = self.request.user
        may = ExpressionWrapper(access.filing_condition(user), output_field=BooleanField())
        return dict(Account.objects.for_user(user).filter(pk__in=ids).annotate(may=may).values_list("pk", "may"))

    def write(self, items):
        return services.account_add_updates(items=items)
