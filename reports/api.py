"""Reports through the API (API.md "Reports"): JSON, or the documents with `&format=xlsx` / `&format=pdf`, and
background exports that report their progress."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse as django_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from govmedia.core.api import AuditedViewMixin
from govmedia.core.files import file_response
from govmedia.core.documents import PDF_TYPE, XLSX_TYPE

from reports import documents, services
from reports.models import Bulletin, Export, ExportStatus, SelfInspection
from reports.periods import parse_month, parse_quarter
from reports.selectors import resolve_organisation, self_inspection_units
from reports.selfcheck import INDICATOR_CODES, RESULT_CHOICES


class XlsxRenderer(BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return documents.render_xlsx(data)


class PdfRenderer(BaseRenderer):
    media_type = PDF_TYPE
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return documents.render_pdf(data)


def status_url(request, token: str) -> str:
    """Where a job is followed; without the request's query (DRF's reverse would carry `?format=xlsx` over, and
    the status answers JSON only)."""
    return request.build_absolute_uri(django_reverse("api-report-export", args=[token]))


class ReportView(AuditedViewMixin, APIView):
    """Shared by the monthly report and the quarterly bulletin: period, organisation, scope and formats."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, XlsxRenderer, PdfRenderer]
    period_param = "month"

    def parse(self, raw):
        """The period named by the query parameter; each report says how it reads one."""
        raise TypeError(f"{type(self).__name__} must say how it reads its period")

    def get(self, request):
        period = self.parse(request.query_params.get(self.period_param))
        organisation = resolve_organisation(request.user, request.query_params.get("organisation"))
        fmt = getattr(request.accepted_renderer, "format", "json")
        fmt = fmt if fmt in services.FORMATS else "json"
        since = services.api_fresh_since(period)
        if fmt == "json":
            report = services.stored_report(user=request.user, organisation=organisation, kind=self.kind, period=period)
            if report is not None:
                return Response(report)
        elif self.kind == "quarterly":
            bulletin = Bulletin.objects.filter(organisation=organisation, quarter=period.key).first()
            if bulletin is not None:  # its documents were kept when it was published
                return self.document(request, file_response(services.bulletin_document(bulletin, fmt), filename=(
                    services.download_name(self.kind, organisation, period, fmt)), inline=False), organisation, period, fmt)
        else:
            # An issued month's document is rendered by the worker too (a province's xlsx takes minutes), from the
            # issued revision; one rendered before the newest revision is stale.
            kept_at = services.stored_report_since(user=request.user, organisation=organisation, period=period)
            since = max(since, kept_at) if kept_at else since
        # Never built here: the caller's report of today from the worker, else the export to follow (202).
        export = services.reader_export(user=request.user, organisation=organisation, kind=self.kind, period=period,
                                        fmt=fmt, since=since, retry_failed=True)
        if export.status != ExportStatus.FINISHED:
            return self.background(request, export)
        if fmt == "json":
            return Response(services.read_report(export))
        return self.document(request, file_response(services.export_path(str(export.pk), fmt), filename=export.filename,
                                                    inline=False), organisation, period, fmt)

    def document(self, request, response, organisation, period, fmt):
        """A document's download (named by file_response) and the audit of data leaving."""
        services.record_download(request, target=organisation, filename=services.download_name(
            self.kind, organisation, period, fmt), kind=self.kind, period=period.key, format=fmt)
        return response

    def background(self, request, export):
        token = services.job_token(export)
        body = {"id": token, "filename": export.filename, "state": services.EXPORT_STATES[export.status],
                "status": export.status, "detail": "报告由后台生成，请按 status_url 查询进度并下载。",
                "status_url": status_url(request, token)}
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return Response(body, status=status.HTTP_202_ACCEPTED)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever document was asked for: a spreadsheet cannot carry "month: bad format".
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) and \
                getattr(request.accepted_renderer, "format", "") in ("xlsx", "pdf"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


PERIOD_DOC = "所属单位编号；缺省为调用者可见范围最大的单位。"


@extend_schema(
    summary="月度监测报告",
    parameters=[
        OpenApiParameter("month", str, required=True, description="YYYY-MM"),
        OpenApiParameter("organisation", int, description=PERIOD_DOC),
        OpenApiParameter("format", str, enum=["json", "xlsx", "pdf"]),
    ],
    responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
)
class MonthlyReportView(ReportView):
    period_param = "month"
    kind = "monthly"

    def parse(self, raw):
        return parse_month(raw)


@extend_schema(
    summary="季度通报",
    parameters=[
        OpenApiParameter("quarter", str, required=True, description="YYYY-Qn"),
        OpenApiParameter("organisation", int, description=PERIOD_DOC),
        OpenApiParameter("format", str, enum=["json", "xlsx", "pdf"]),
    ],
    responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
)
class QuarterlyReportView(ReportView):
    period_param = "quarter"
    kind = "quarterly"

    def parse(self, raw):
        return parse_quarter(raw)


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("monthly", "月度报告"), ("quarterly", "季度通报")])
    period = serializers.CharField(help_text="YYYY-MM 或 YYYY-Qn")
    organisation = serializers.IntegerField(required=False)
    format = serializers.ChoiceField(choices=[("xlsx", "xlsx"), ("pdf", "pdf"), ("json", "json")])


class ExportView(AuditedViewMixin, APIView):
    @extend_schema(summary="后台生成报告文件", request=ExportRequestSerializer, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = services.parse_period(data["kind"], data["period"])
        organisation = resolve_organisation(request.user, data.get("organisation"))
        started = services.export_start(user=request.user, organisation=organisation, kind=data["kind"], period=period,
                                        fmt=data["format"])
        body = {"id": started["id"], "filename": started["filename"], "state": "PENDING", "status": "queued",
                "status_url": status_url(request, started["id"])}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportStatusView(AuditedViewMixin, APIView):
    @extend_schema(summary="报告文件生成进度", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, token):
        return Response(services.export_status(request, token))


class ExportDownloadView(AuditedViewMixin, APIView):
    @extend_schema(summary="下载生成的报告文件", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, token):
        data = services.read_export_token(token, request.user)
        if data is None:
            raise Http404("导出任务不存在。")
        path = services.export_path(data["t"], data["x"])
        if not path.is_file():
            raise Http404("文件尚未生成。")
        export = Export.objects.filter(pk=data["t"]).select_related("organisation").first()
        services.record_download(request, target=export.organisation if export else request.user, filename=data["f"],
                                 export=data["t"], format=data["x"])
        return file_response(path, filename=data["f"], inline=False)


# --- stored bulletins and self-inspections ------------------------------------------------------------------------

class BulletinSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id")
    quarter = serializers.CharField()
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    published_at = serializers.DateTimeField(read_only=True)
    published_by = serializers.IntegerField(source="published_by_id", read_only=True)
    data = serializers.JSONField(read_only=True)


class SelfInspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id")
    month = serializers.CharField()
    answers = serializers.JSONField()
    signers = serializers.JSONField(required=False)
    prefill = serializers.JSONField(read_only=True)
    submitted_by = serializers.IntegerField(source="submitted_by_id", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)

    def validate_answers(self, answers):
        if not isinstance(answers, dict):
            raise serializers.ValidationError("应为对象：{指标代码: {result, note}}。")
        allowed = {value for value, _label in RESULT_CHOICES}
        problems = []
        for code in INDICATOR_CODES:
            answer = answers.get(code)
            if not isinstance(answer, dict) or answer.get("result") not in allowed:
                problems.append(f"{code}：result 应为 yes、no 或 na")
            elif answer["result"] == "no" and not str(answer.get("note", "")).strip():
                problems.append(f"{code}：不符合时须说明")
        unknown = set(answers) - set(INDICATOR_CODES)
        if unknown:
            problems.append("未知指标：" + "、".join(sorted(unknown)))
        if problems:
            raise serializers.ValidationError(problems)
        return {code: {"result": answers[code]["result"], "note": str(answers[code].get("note", ""))[:500]}
                for code in INDICATOR_CODES}


def _filter(queryset, request, **fields):
    for param, lookup in fields.items():
        value = request.query_params.get(param)
        if value:
            if param == "organisation" and not value.isdigit():
                raise serializers.ValidationError({"organisation": "单位编号必须是整数。"})
            queryset = queryset.filter(**{lookup: value})
    return queryset


class BulletinViewSet(AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Published quarterly bulletins; `POST {quarter, organisation, summary}` asks for one to be published
    (supervisors): refused at once (403, 400, 409) or queued, 202 with the `status_url` to follow."""

    serializer_class = BulletinSerializer

    def get_queryset(self):
        qs = Bulletin.objects.for_user(self.request.user).select_related("organisation").order_by("-quarter", "pk")
        return _filter(qs, self.request, organisation="organisation_id", quarter="quarter")

    @extend_schema(summary="发布季度通报（后台生成）", responses={202: OpenApiTypes.OBJECT})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = parse_quarter(serializer.validated_data["quarter"])
        organisation = resolve_organisation(request.user, serializer.validated_data["organisation_id"])
        export = services.bulletin_publish_start(organisation=organisation, period=period, user=request.user,
                                                 summary=serializer.validated_data.get("summary", ""))
        # Published by the worker (it builds the quarter's report): the job to follow, as the exports answer.
        token = services.job_token(export)
        # `id` is a bulletin's number elsewhere in this resource: the job is `job`, the bulletin comes when done.
        body = {"job": token, "title": export.filename, "state": "PENDING", "status": export.status,
                "detail": "通报由后台生成并发布，请按 status_url 查询进度；完成后 bulletin 为通报编号。",
                "status_url": status_url(request, token)}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class SelfInspectionViewSet(AuditedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Units' monthly self-inspections; `POST` keeps (or replaces) the unit's record for the month."""

    serializer_class = SelfInspectionSerializer

    def get_queryset(self):
        qs = SelfInspection.objects.for_user(self.request.user).order_by("-month", "pk")
        return _filter(qs, self.request, organisation="organisation_id", month="month")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = parse_month(data["month"])
        organisation = resolve_organisation(request.user, data["organisation_id"])
        if not self_inspection_units(request.user).filter(pk=organisation.pk).exists():
            raise PermissionDenied("只有本单位人员或主管人员可以填报自查。")
        record = services.self_inspection_save(
            organisation=organisation, period=period, user=request.user, answers=data["answers"],
            signers=data.get("signers") or {},
            # What the application had prefilled, when it is there (a region's is prepared by the worker).
            prefill=services.self_inspection_prefill(unit=organisation, period=period, user=request.user)[0],
        )
        return Response(SelfInspectionSerializer(record).data, status=status.HTTP_201_CREATED)
