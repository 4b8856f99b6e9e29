"""Writing report documents: on demand (the API), in the background with progress (exports), and by beat on
the first of each month for every top supervised region (stored under MEDIA_ROOT/reports/)."""
from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from celery import signature
from celery.result import AsyncResult
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.reverse import reverse as absolute_reverse

from govmedia.core import audit
from govmedia.core.documents import PDF_TYPE, XLSX_TYPE
from govmedia.core.exceptions import DomainConflict
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Organisation, Role, User

from reports import documents
from reports.figures import build_report
from reports.models import Bulletin, SelfInspection
from reports.periods import Period, parse_month, parse_quarter
from reports.selfcheck import INDICATOR_CODES
from webhooks.services import emit

logger = logging.getLogger(__name__)

FORMATS = {"xlsx": XLSX_TYPE, "pdf": PDF_TYPE, "json": "application/json"}
EXPORT_SALT = "reporting.export"
# An export link stays valid for a working week; the file itself is overwritten by a new export, never reused.
EXPORT_MAX_AGE = 7 * 24 * 3600
# The export task by its registered name: reports.tasks imports this module, so naming it keeps one direction.
EXPORT_TASK = "reports.tasks.export_report"


def reports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def render(report: dict, fmt: str) -> bytes:
    if fmt == "xlsx":
        return documents.render_xlsx(report)
    if fmt == "pdf":
        return documents.render_pdf(report)
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def parse_period(kind: str, raw: str, field: str = "period") -> Period:
    if kind == "quarterly":
        return parse_quarter(raw, field=field)
    if kind == "monthly":
        return parse_month(raw, field=field)
    raise ValidationError({"kind": "报告类型只能是 monthly（月度报告）或 quarterly（季度通报）。"})


def _write(path: Path, content: bytes) -> None:
    # Write then rename: a reader never sees half a file, and a rerun simply replaces it.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)


# --- exports with progress --------------------------------------------------------------------------------------

def export_token(*, task_id: str, user_id: int, filename: str, fmt: str) -> str:
    return signing.dumps({"t": task_id, "u": user_id, "f": filename, "x": fmt}, salt=EXPORT_SALT)


def read_export_token(token: str, user) -> dict | None:
    """The export a token names, if it is intact, recent and the caller's own; else None (→ 404)."""
    try:
        data = signing.loads(token, salt=EXPORT_SALT, max_age=EXPORT_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk:
        return None
    return data


def export_path(task_id: str, fmt: str) -> Path:
    return reports_dir() / "exports" / f"{uuid.UUID(task_id).hex}.{fmt}"


def export_start(*, user, organisation: Organisation, kind: str, period: Period, fmt: str) -> dict:
    """Queue the export on commit and return its token; the task writes the file and reports progress."""
    if fmt not in FORMATS:
        raise ValidationError({"format": "导出格式只能是 xlsx、pdf 或 json。"})
    task_id = str(uuid.uuid4())
    filename = documents.filename_of({"kind": kind, "organisation": {"id": organisation.pk}, "period": {"key": period.key}}, fmt)
    kwargs = {"task_id_hint": task_id, "user_id": user.pk, "organisation_id": organisation.pk, "kind": kind,
              "period": period.key, "fmt": fmt}
    transaction.on_commit(lambda: signature(EXPORT_TASK).apply_async(kwargs=kwargs, task_id=task_id))
    return {"id": export_token(task_id=task_id, user_id=user.pk, filename=filename, fmt=fmt), "filename": filename}


def export_status(request, token: str) -> dict:
    """Where a background export stands, for its page and the API: the result backend's state, or the file
    itself once written."""
    data = read_export_token(token, request.user)
    if data is None:
        raise Http404("导出任务不存在。")
    result = AsyncResult(data["t"])
    state = result.state
    body = {"id": token, "state": state, "filename": data["f"], "progress": None, "download_url": None, "error": None}
    path = export_path(data["t"], data["x"])
    if state == "PROGRESS" and isinstance(result.info, dict):
        body["progress"] = result.info
    elif state == "SUCCESS" or (state == "PENDING" and path.is_file()):
        # The file is the truth: a result backend that forgot the task still lets the user download.
        body["state"] = "SUCCESS"
        body["progress"] = {"step": 1, "total": 1, "text": "完成"}
        body["download_url"] = absolute_reverse("api-report-export-download", args=[token], request=request)
    elif state == "FAILURE":
        body["error"] = "生成失败，请稍后重试或联系管理员。"
    return body


def run_export(*, task_id: str, user_id: int, organisation_id: int, kind: str, period: str, fmt: str, progress=None) -> dict:
    """The body of the export task (idempotent: the same file is written again)."""
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    report = build_report(organisation, parse_period(kind, period), user=user, progress=progress)
    if progress:
        progress(5, 6, "生成文件")
    _write(export_path(task_id, fmt), render(report, fmt))
    return {"format": fmt, "sites": report["totals"]["sites"], "accounts": report["totals"]["accounts"]}


# --- the monthly documents written by beat ----------------------------------------------------------------------

def top_supervised_regions() -> list[Organisation]:
    """Organisations with a supervisor that are not below another supervised one (each region once)."""
    orgs = list(
        Organisation.objects.filter(pk__in=Membership.objects.filter(role=Role.SUPERVISOR).values("organisation"))
        .order_by("path")
    )
    tops: list[Organisation] = []
    for org in orgs:
        if not any(org.path.startswith(top.path) for top in tops):
            tops.append(org)
    return tops


def stored_path(kind: str, organisation_id: int, period_key: str, fmt: str) -> Path:
    return reports_dir() / kind / period_key / f"{organisation_id}.{fmt}"


def stored_documents(kind: str, organisation: Organisation) -> list[dict]:
    """The documents beat stored for `organisation`, newest period first."""
    base = reports_dir() / kind
    found = []
    if base.is_dir():
        for folder in sorted(base.iterdir(), reverse=True):
            files = {fmt: folder / f"{organisation.pk}.{fmt}" for fmt in ("xlsx", "pdf")}
            present = [fmt for fmt, path in files.items() if path.is_file()]
            if present:
                found.append({"period": folder.name, "formats": present})
    return found


def store_monthly_documents(period: Period, organisations: list[Organisation] | None = None) -> list[str]:
    """Render and store the month's report (xlsx, PDF, JSON) of each region; a region that fails is skipped
    and logged, never stopping the others. Returns the stored period/organisation keys."""
    done = []
    for org in organisations if organisations is not None else top_supervised_regions():
        try:
            report = build_report(org, period)
            for fmt in ("xlsx", "pdf", "json"):
                _write(stored_path("monthly", org.pk, period.key, fmt), render(report, fmt))
            done.append(f"{period.key}/{org.pk}")
            emit("report.issued", organisation=org, data={
                "kind": "monthly", "period": period.key, "title": documents.title_of(report), "organisation": org.pk,
                "formats": ["xlsx", "pdf", "json"],
            })
        except Exception:  # noqa: BLE001 - one region's failure must not stop the monthly run for the rest
            logger.exception("monthly report of organisation %s for %s failed", org.pk, period.key)
    return done


# --- the stored bulletin and self-inspection (tables of reports.models) ---------------------------

def bulletin_publish(*, organisation: Organisation, period: Period, user, summary: str = ""):
    """Publish the quarter's bulletin of `organisation`'s region: a snapshot of the quarter's report, once.

    The report is built before the transaction (it reads a whole region); the write is short. The units
    with failing sites or accounts are told (their principals and editors)."""
    if not access.can_publish_bulletin(user, organisation):
        raise PermissionDenied("只有该单位的主管人员可以发布通报。")
    if not period.is_quarter:
        raise ValidationError({"quarter": "请按 YYYY-Qn 格式填写季度。"})
    if not period.is_complete():
        raise ValidationError({"quarter": f"{period.label}尚未结束，不能发布通报。"})
    if Bulletin.objects.filter(organisation=organisation, quarter=period.key).exists():
        raise DomainConflict(f"{organisation.name}{period.label}通报已发布，不能重复发布。")
    report = build_report(organisation, period, user=user)
    bulletin = Bulletin(
        organisation=organisation, quarter=period.key, title=documents.title_of(report), summary=(summary or "").strip(),
        data=json.loads(json.dumps(report, cls=DjangoJSONEncoder)), published_at=timezone.now(), published_by=user,
    )
    bulletin.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            bulletin.save()
            audit.record_action(bulletin, "publish", actor=user, comment=bulletin.title)
            emit("report.issued", organisation=organisation, occurred_at=bulletin.published_at, data={
                "kind": "quarterly_bulletin", "period": period.key, "title": bulletin.title, "bulletin": bulletin.pk,
                "organisation": organisation.pk,
            })
            failing_units = [u["organisation"] for u in report["units"] if u["failing"] or u["findings_overdue"]]
            recipients = User.objects.filter(
                memberships__organisation_id__in=failing_units, memberships__role__in=(Role.PRINCIPAL, Role.EDITOR)
            ).distinct()
            notify(users=recipients, kind="bulletin", text=f"{bulletin.title}已发布，请查看本单位问题并按期整改。",
                   url=reverse("report-quarterly") + f"?quarter={period.key}&organisation={organisation.pk}")
    except IntegrityError:  # published by someone else a moment ago
        raise DomainConflict(f"{organisation.name}{period.label}通报已发布，不能重复发布。") from None
    return bulletin


@transaction.atomic
def self_inspection_save(*, organisation: Organisation, period: Period, user, answers: dict, signers: dict,
                         prefill: dict | None = None):
    """Keep the unit's self-inspection of the month; saving again replaces the answers (the audit log keeps
    every version)."""
    missing = [code for code in INDICATOR_CODES if code not in answers]
    if missing:
        raise ValidationError({"answers": f"缺少指标：{'、'.join(missing)}"})
    record = SelfInspection.objects.select_for_update().filter(organisation=organisation, month=period.key).first()
    if record is None:
        record = SelfInspection(organisation=organisation, month=period.key)
    record.answers, record.signers = answers, signers
    record.prefill = json.loads(json.dumps(prefill or {}, cls=DjangoJSONEncoder))
    record.submitted_by, record.submitted_at = user, timezone.now()
    record.full_clean(validate_constraints=False)
    record.save()
    return record
