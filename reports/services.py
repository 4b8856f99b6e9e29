"""Writing report documents: on demand (the API), in the background with progress (exports), and by beat on
the first of each month for every top supervised region (stored under MEDIA_ROOT/reports/)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.reverse import reverse as absolute_reverse

from govmedia.core import audit, queue
from govmedia.core.documents import PDF_TYPE, XLSX_TYPE
from govmedia.core.exceptions import DomainConflict
from govmedia.core.files import Stored, secret_name_candidates
from accounts.models import LIVE_STATUSES, Account
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Organisation, Role, User
from sites.models import Site, SiteStatus
from reports import documents
from reports.figures import build_report, scope_organisations
from reports.models import Bulletin, Export, ExportStatus, SelfInspection
from reports.periods import Period, parse_month, parse_quarter
from reports.revisions import issue_revision, revisions_of
from reports.selfcheck import INDICATOR_CODES
from webhooks.services import emit

logger = logging.getLogger(__name__)

FORMATS = {"xlsx": XLSX_TYPE, "pdf": PDF_TYPE, "json": "application/json"}
EXPORT_SALT = "reporting.export"
# An export link stays valid for a working week; the file itself is overwritten by a new export, never reused.
EXPORT_MAX_AGE = 7 * 24 * 3600
# The export task by its registered name: reports.tasks imports this module, so naming it keeps one direction.
EXPORT_TASK = "reports.tasks.export_report"


# Stored documents live in the default storage (disk or S3, govmedia.core.files) under this folder, never served
# from it directly: the report views check scope first.
REPORTS_DIR = "reports"


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


def _write(path: Stored, content: bytes) -> None:
    # Atomic on disk (write then rename) and on S3: a reader never sees half a file; a rerun replaces it.
    path.write_bytes(content)


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


def export_path(task_id: str, fmt: str) -> Stored:
    # The task id is a random UUID: the name cannot be guessed, and only the signed token of its owner finds it.
    return Stored(f"{REPORTS_DIR}/exports/{uuid.UUID(task_id).hex}.{fmt}")


def download_name(kind: str, organisation: Organisation, period: Period, fmt: str) -> str:
    """A report document's Chinese download name (sent as RFC 5987 by govmedia.core.files)."""
    return documents.filename_of({"kind": kind, "organisation": {"name": organisation.name},
                                  "period": {"label": period.label}}, fmt)


def export_start(*, user, organisation: Organisation, kind: str, period: Period, fmt: str) -> dict:
    """Write the export's row and send its task after the commit (a broker that is down leaves the row `queued`
    for the sweeper); return its token. The task writes the file and reports progress on the row."""
    if fmt not in FORMATS:
        raise ValidationError({"format": "导出格式只能是 xlsx、pdf 或 json。"})
    export_id = uuid.uuid4()
    filename = download_name(kind, organisation, period, fmt)
    Export.objects.create(id=export_id, user=user, organisation=organisation, kind=kind, period=period.key, fmt=fmt,
                          filename=filename, queued_at=timezone.now())
    queue.send_on_commit(EXPORT_TASK, kwargs={"export_id": str(export_id)}, task_id=str(export_id))
    return {"id": export_token(task_id=str(export_id), user_id=user.pk, filename=filename, fmt=fmt), "filename": filename}


# Above this many sites and accounts the API answers with a background export instead of the report (the
# page never builds one); a county's report is built in well under a second from the database.
SYNC_SUBJECT_LIMIT = getattr(settings, "REPORTING_SYNC_SUBJECT_LIMIT", 400)


def subject_count(organisation: Organisation, user) -> int:
    orgs = scope_organisations(organisation, user).values("pk")
    return (Account.objects.filter(owner__in=orgs, status__in=LIVE_STATUSES).count()
            + Site.objects.filter(owner__in=orgs, status=SiteStatus.RUNNING).count())


def stored_report(*, user, organisation: Organisation, kind: str, period: Period) -> dict | None:
    """The report already kept for a period: a published bulletin's snapshot, or an issued month's newest
    revision (to those who may read the whole region)."""
    if kind == "quarterly":
        return Bulletin.objects.filter(organisation=organisation, quarter=period.key).values_list("data", flat=True).first()
    if not access.covers_region(user, organisation):
        return None
    return revisions_of(organisation, period).values_list("data", flat=True).first()


def page_report(*, user, organisation: Organisation, kind: str, period: Period, restart: bool = False):
    """The report a page shows, never built in the request: the caller's newest finished page report of this
    region and period (a JSON export), else the one under way, else one queued now. Returns (report or None,
    the export row); a failed one is shown as failed until the reader asks again (`restart`), so a report
    that cannot be built is not queued again on every visit."""
    export = (Export.objects.filter(user=user, organisation=organisation, kind=kind, period=period.key, fmt="json")
              .order_by("-created_at").first())
    if export is None or restart:
        started = export_start(user=user, organisation=organisation, kind=kind, period=period, fmt="json")
        export = Export.objects.get(pk=read_export_token(started["id"], user)["t"])
    if export.status == ExportStatus.FINISHED:
        path = export_path(str(export.pk), "json")
        if path.is_file():
            with path.open("rb") as handle:
                return json.load(handle), export
        return None, export
    return None, export


def page_export_token(export: Export) -> str:
    return export_token(task_id=str(export.pk), user_id=export.user_id, filename=export.filename, fmt=export.fmt)


# The row's status as the export's `state` (the names the API has always answered, Celery's).
EXPORT_STATES = {ExportStatus.QUEUED: "PENDING", ExportStatus.RUNNING: "PROGRESS", ExportStatus.FINISHED: "SUCCESS",
                 ExportStatus.FAILED: "FAILURE"}


def export_status(request, token: str) -> dict:
    """Where a background export stands, for its page and the API: its row, or the file itself once written."""
    data = read_export_token(token, request.user)
    if data is None:
        raise Http404("导出任务不存在。")
    export = Export.objects.filter(pk=data["t"], user=request.user).first()
    path = export_path(data["t"], data["x"])
    body = {"id": token, "state": "PENDING", "status": ExportStatus.QUEUED.value, "filename": data["f"],
            "progress": None, "download_url": None, "error": None}
    if export is None and not path.is_file():
        raise Http404("导出任务不存在。")
    if export is not None:
        body["state"], body["status"] = EXPORT_STATES[export.status], export.status
        if export.status == ExportStatus.RUNNING and export.progress:
            body["progress"] = export.progress
        elif export.status == ExportStatus.FAILED:
            body["error"] = "生成失败，请稍后重试或联系管理员。"
        elif export.status == ExportStatus.FINISHED and not path.is_file():
            body["state"], body["status"], body["error"] = "FAILURE", ExportStatus.FAILED.value, "文件已不存在，请重新生成。"
    if path.is_file() and (export is None or export.status == ExportStatus.FINISHED):
        body["state"], body["status"] = "SUCCESS", ExportStatus.FINISHED.value
        body["progress"] = {"step": 1, "total": 1, "text": "完成"}
        body["download_url"] = absolute_reverse("api-report-export-download", args=[token], request=request)
    return body


def run_export(*, task_id: str, user_id: int, organisation_id: int, kind: str, period: str, fmt: str, progress=None) -> dict:
    """Build the report and write its file (idempotent: the same file is written again)."""
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    # A past issued month is the issued report (its newest revision), as on the page; anything else is built.
    the_period = parse_period(kind, period)
    issued = (revisions_of(organisation, the_period).values_list("data", flat=True).first()
              if kind == "monthly" and access.covers_region(user, organisation) else None)
    report = issued or build_report(organisation, the_period, user=user, progress=progress)
    if progress:
        progress(5, 6, "生成文件")
    _write(export_path(task_id, fmt), render(report, fmt))
    return {"format": fmt, "sites": report["totals"]["sites"], "accounts": report["totals"]["accounts"]}


def export_run(*, export_id: str) -> str:
    """The export task: claim the queued row (a second delivery of the task does nothing), build with progress
    written to the row (the heartbeat the sweeper reads), then mark it finished or failed."""
    started = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=started, heartbeat_at=started, attempts=F("attempts") + 1,
        progress={"step": 0, "total": 1, "text": "开始生成"},
    )
    if not claimed:
        return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or "missing"
    export = Export.objects.get(pk=export_id)
    # Written only while the claim is this worker's: the sweeper may have taken back a run past its lease.
    mine = Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING, started_at=started)

    def progress(step, total, text):
        # A progress note is advisory: one that cannot be written this moment (SQLite's shared-cache table lock
        # while a page reads the row) waits for the next step rather than failing the export.
        try:
            mine.update(progress={"step": step, "total": total + 1, "text": text}, heartbeat_at=timezone.now())
        except OperationalError:
            logger.warning("export %s: progress note skipped (table busy)", export_id)

    try:
        run_export(task_id=str(export.pk), user_id=export.user_id, organisation_id=export.organisation_id,
                   kind=export.kind, period=export.period, fmt=export.fmt, progress=progress)
    except Exception as exc:  # noqa: BLE001 - recorded on the row; the page offers a new export
        logger.exception("export %s failed", export_id)
        mine.update(status=ExportStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        return ExportStatus.FAILED
    mine.update(status=ExportStatus.FINISHED, finished_at=timezone.now(), progress={"step": 1, "total": 1, "text": "完成"})
    return ExportStatus.FINISHED


def sweep_exports(*, now=None) -> dict:
    """Exports a broker outage or a dead worker left behind (periodic; idempotent): `queued` for longer than
    GOVMEDIA_REQUEUE_MINUTES → sent again; `running` without progress for EXPORT_LEASE_MINUTES → taken back and
    queued again, or failed after QUEUE_MAX_ATTEMPTS."""
    now = now or timezone.now()
    lease = dt.timedelta(minutes=settings.EXPORT_LEASE_MINUTES)
    stale = Export.objects.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=now - lease)
    failed = stale.filter(attempts__gte=settings.QUEUE_MAX_ATTEMPTS).update(
        status=ExportStatus.FAILED, finished_at=now, error=f"生成中断（工作进程停止），已尝试 {settings.QUEUE_MAX_ATTEMPTS} 次。",
    )
    reclaimed = stale.filter(attempts__lt=settings.QUEUE_MAX_ATTEMPTS).update(
        status=ExportStatus.QUEUED, started_at=None, heartbeat_at=None, queued_at=None, progress={},
    )
    due = list(Export.objects.filter(status=ExportStatus.QUEUED).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - queue.requeue_after())
    ).values_list("pk", flat=True))
    sent = 0
    for pk in due:
        Export.objects.filter(pk=pk, status=ExportStatus.QUEUED).update(queued_at=now)
        sent += queue.send(EXPORT_TASK, kwargs={"export_id": str(pk)}, task_id=str(pk))
    return {"requeued": len(due), "sent": sent, "reclaimed": reclaimed, "failed": failed}


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


def stored_path(kind: str, organisation_id: int, period_key: str, fmt: str) -> Stored:
    """Where beat keeps a region's document of a period: a keyed hash of (kind, region, period), so that nobody
    can name another region's file from its id; found again under an older SECRET_KEY after a rotation."""
    folder = f"{REPORTS_DIR}/{kind}/{period_key}"
    primary, *older = [Stored(f"{folder}/{name}.{fmt}") for name in secret_name_candidates(kind, organisation_id, period_key)]
    if older and not primary.is_file():
        return next((c for c in older if c.is_file()), primary)
    return primary


def stored_documents(kind: str, organisation: Organisation) -> list[dict]:
    """The documents beat stored for `organisation`, newest period first."""
    try:
        periods, _ = default_storage.listdir(f"{REPORTS_DIR}/{kind}")
    except (FileNotFoundError, NotADirectoryError):
        periods = []
    found = []
    for period_key in sorted(periods, reverse=True):
        present = [fmt for fmt in ("xlsx", "pdf") if stored_path(kind, organisation.pk, period_key, fmt).is_file()]
        if present:
            found.append({"period": period_key, "formats": present})
    return found


def store_monthly_documents(period: Period, organisations: list[Organisation] | None = None) -> list[str]:
    """Render and store the month's report (xlsx, PDF, JSON) of each region; a region that fails is skipped
    and logged, never stopping the others. Returns the stored period/organisation keys."""
    done = []
    for org in organisations if organisations is not None else top_supervised_regions():
        try:
            report = build_report(org, period)
            # Issued and kept: revision 1 on the 1st; a later run that finds late data adds a revision.
            issue_revision(org, period, reason="每月1日自动生成", report=report)
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


REGENERATE_TASK = "reports.tasks.regenerate_monthly_report"


def regenerate_start(*, user, organisation: Organisation, period: Period) -> None:
    """Queue the regeneration of an issued month (built by the worker, never in the request)."""
    queue.send_on_commit(REGENERATE_TASK, kwargs={"organisation_id": organisation.pk, "period": period.key,
                                                  "user_id": user.pk})


def regenerate_run(*, organisation_id: int, period: str, user_id: int | None = None):
    """Issue the month again from today's data: a new revision when something changed (reports.revisions)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    organisation = Organisation.objects.get(pk=organisation_id)
    return issue_revision(organisation, parse_month(period), user=user, reason="主管人员重新生成")


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


# --- downloads of report documents: a security event (API.md "Security"; 等保 audit of data leaving) -------------

def record_download(request, *, target, filename: str, **detail) -> None:
    """Audit one download of a report document (stored, exported, a bulletin or one rendered on demand)."""
    audit.record_security_event("file_download", actor=request.user, target=target, request=request,
                                detail={"comment": f"下载 {filename}", "file": filename, **detail})
