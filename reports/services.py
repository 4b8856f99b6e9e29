"""The reports' work, none of it a region's report built inside a web request: the worker's jobs on the export's
row with progress (documents, the reader's report of a page or the API, a bulletin publish, a reissued month),
the documents beat stores on the first of each month for every top supervised region, the kept bulletins and
self-inspections."""
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
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Organisation, Role, User
from reports import documents, selfcheck
from reports.figures import build_report, scope_organisations
from reports.models import Bulletin, Export, ExportStatus, SelfInspection
from reports.periods import Period, parse_month, parse_quarter
from reports.revisions import issue_revision, revisions_of
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


def _queue_export(*, user, organisation: Organisation, kind: str, period: Period, fmt: str, filename: str,
                  params: dict | None = None) -> Export:
    """Write a job's row and send its task after the commit: a broker that is down leaves the row `queued` for
    the sweeper (`sweep_exports`), so no job is lost."""
    export = Export.objects.create(id=uuid.uuid4(), user=user, organisation=organisation, kind=kind, period=period.key,
                                   fmt=fmt, filename=filename, params=params or {}, queued_at=timezone.now())
    queue.send_on_commit(EXPORT_TASK, kwargs={"export_id": str(export.pk)}, task_id=str(export.pk))
    return export


def export_start(*, user, organisation: Organisation, kind: str, period: Period, fmt: str) -> dict:
    """Queue a report file (xlsx, PDF or the JSON report) for the worker; return its token and file name."""
    if fmt not in FORMATS:
        raise ValidationError({"format": "导出格式只能是 xlsx、pdf 或 json。"})
    export = _queue_export(user=user, organisation=organisation, kind=kind, period=period, fmt=fmt,
                           filename=download_name(kind, organisation, period, fmt))
    return {"id": job_token(export), "filename": export.filename, "export": export}


def job_token(export: Export) -> str:
    return export_token(task_id=str(export.pk), user_id=export.user_id, filename=export.filename, fmt=export.fmt)


def stored_report(*, user, organisation: Organisation, kind: str, period: Period) -> dict | None:
    """The report already kept for a period: a published bulletin's snapshot, or an issued month's newest
    revision (to those who may read the whole region)."""
    kept = _stored(user=user, organisation=organisation, kind=kind, period=period)
    return kept[0] if kept else None


def stored_report_since(*, user, organisation: Organisation, period: Period):
    """When an issued month's newest revision was made (None when there is none): a document of the month
    rendered before then shows an older revision."""
    kept = _stored(user=user, organisation=organisation, kind="monthly", period=period)
    return kept[1] if kept else None


def _stored(*, user, organisation, kind, period):
    if kind == "quarterly":
        return Bulletin.objects.filter(organisation=organisation, quarter=period.key).values_list(
            "data", "published_at").first()
    if not access.covers_region(user, organisation):
        return None
    return revisions_of(organisation, period).values_list("data", "generated_at").first()


RETRY_FAILED_AFTER = dt.timedelta(minutes=5)


def reader_export(*, user, organisation: Organisation, kind: str, period: Period, fmt: str, since=None,
                  restart: bool = False, retry_failed: bool = False) -> Export:
    """The reader's report of a region and period in `fmt`, never built in the request: their newest one
    (made since `since`, when given), else one queued now. A failed one stays the answer (shown as failed until
    the reader asks again, `restart`) unless `retry_failed`, and then only once it failed `RETRY_FAILED_AFTER`
    ago, so neither a page nor a client polling the report queues a report that cannot be built on every visit."""
    export = None
    if not restart:
        mine = Export.objects.filter(user=user, organisation=organisation, kind=kind, period=period.key, fmt=fmt)
        if since is not None:
            mine = mine.filter(created_at__gte=since)
        export = mine.order_by("-created_at").first()
    if export is not None and retry_failed and (
        (export.status == ExportStatus.FAILED and export.finished_at is not None
         and export.finished_at <= timezone.now() - RETRY_FAILED_AFTER)
        or (export.status == ExportStatus.FINISHED and not export_path(str(export.pk), fmt).is_file())
    ):
        export = None
    if export is None:
        export = export_start(user=user, organisation=organisation, kind=kind, period=period, fmt=fmt)["export"]
    return export


def read_report(export: Export) -> dict | None:
    """The JSON report a finished export wrote (None while it is not there)."""
    if export.status != ExportStatus.FINISHED or export.fmt != "json":
        return None
    path = export_path(str(export.pk), "json")
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return json.load(handle)


def page_report(*, user, organisation: Organisation, kind: str, period: Period, restart: bool = False):
    """The report a page shows: the reader's JSON report (see `reader_export`). Returns (report or None, the
    export row)."""
    export = reader_export(user=user, organisation=organisation, kind=kind, period=period, fmt="json", restart=restart)
    return read_report(export), export


def api_fresh_since(period: Period):
    """An API caller is answered with a report the worker built for them today (within the last hour for a
    period still under way, whose figures change by the hour); an older one is built again (a page shows its
    reader's report with its time and a button to rebuild; an API client has no button)."""
    since = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    if period.end >= timezone.localdate():
        since = max(since, timezone.now() - dt.timedelta(hours=1))
    return since


# The row's status as the export's `state` (the names the API has always answered, Celery's).
EXPORT_STATES = {ExportStatus.QUEUED: "PENDING", ExportStatus.RUNNING: "PROGRESS", ExportStatus.FINISHED: "SUCCESS",
                 ExportStatus.FAILED: "FAILURE"}
FAILED_TEXT = "生成失败，请稍后重试或联系管理员。"


def refusal(export: Export) -> str:
    """What a failed job tells its reader: the reason a publish was refused, else the general failure."""
    return (export.progress or {}).get("refused") or FAILED_TEXT


def export_status(request, token: str) -> dict:
    """Where a background job stands, for its page and the API: its row, or the file itself once written; a
    finished publish names the bulletin it published."""
    data = read_export_token(token, request.user)
    if data is None:
        raise Http404("导出任务不存在。")
    export = Export.objects.filter(pk=data["t"], user=request.user).first()
    body = {"id": token, "state": "PENDING", "status": ExportStatus.QUEUED.value, "filename": data["f"],
            "progress": None, "download_url": None, "error": None}
    if data["x"] in JOBS:
        if export is None:
            raise Http404("导出任务不存在。")
        body["state"], body["status"] = EXPORT_STATES[export.status], export.status
        body["progress"] = export.progress or None
        if export.status == ExportStatus.FAILED:
            body["error"] = refusal(export)
        elif export.status == ExportStatus.FINISHED and data["x"] == PUBLISH:
            bulletin = Bulletin.objects.filter(organisation_id=export.organisation_id, quarter=export.period).first()
            if bulletin is not None:
                body["bulletin"] = bulletin.pk
                body["bulletin_url"] = absolute_reverse("api-bulletin-detail", args=[bulletin.pk], request=request)
                body["page_url"] = reverse("report-bulletin", args=[bulletin.pk])
        return body
    path = export_path(data["t"], data["x"])
    if export is None and not path.is_file():
        raise Http404("导出任务不存在。")
    if export is not None:
        body["state"], body["status"] = EXPORT_STATES[export.status], export.status
        if export.status == ExportStatus.RUNNING and export.progress:
            body["progress"] = export.progress
        elif export.status == ExportStatus.FAILED:
            body["error"] = FAILED_TEXT
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
    # An issued month is its newest revision, as on the page; anything else is built (a published bulletin's
    # documents are kept with it: `bulletin_document`).
    the_period = parse_period(kind, period)
    kept = stored_report(user=user, organisation=organisation, kind=kind, period=the_period) if kind == "monthly" else None
    report = kept or build_report(organisation, the_period, user=user, progress=progress)
    if progress:
        progress(5, 6, "生成文件")
    _write(export_path(task_id, fmt), render(report, fmt))
    return {"format": fmt, "sites": report["totals"]["sites"], "accounts": report["totals"]["accounts"]}


class LostClaim(Exception):
    """The sweeper took the job back (its lease ran out) while this worker still ran it: this run writes nothing."""


DONE = {"step": 1, "total": 1, "text": "完成"}


def export_run(*, export_id: str) -> str:
    """The job's task: claim the queued row (a second delivery of the task does nothing), run it with progress
    written to the row (the heartbeat the sweeper reads), then mark it finished or failed. A file is written
    first and the row marked after; a publish or a revision marks the row in the same transaction as what it
    writes, so a run whose claim was taken back writes nothing and the job is done exactly once."""
    started = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=started, heartbeat_at=started, attempts=F("attempts") + 1,
        progress={"step": 0, "total": 1, "text": "开始"},
    )
    if not claimed:
        return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or "missing"
    export = Export.objects.select_related("user", "organisation").get(pk=export_id)
    # Written only while the claim is this worker's: the sweeper may have taken back a run past its lease.
    mine = Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING, started_at=started)

    def progress(step, total, text):
        # A progress note is advisory: one that cannot be written this moment (SQLite's shared-cache table lock
        # while a page reads the row) waits for the next step rather than failing the export.
        try:
            mine.update(progress={"step": step, "total": total + 1, "text": text}, heartbeat_at=timezone.now())
        except OperationalError:
            logger.warning("export %s: progress note skipped (table busy)", export_id)

    def finish():
        # Inside the job's own transaction: losing the claim rolls back what the run wrote.
        if not mine.update(status=ExportStatus.FINISHED, finished_at=timezone.now(), progress=DONE):
            raise LostClaim()

    try:
        if export.fmt == PUBLISH:
            bulletin_publish(organisation=export.organisation, period=parse_quarter(export.period), user=export.user,
                             summary=export.params.get("summary", ""), progress=progress, claim=finish)
        elif export.fmt == REISSUE:
            reissue(organisation=export.organisation, period=parse_month(export.period), user=export.user,
                    progress=progress, claim=finish)
        else:
            run_export(task_id=str(export.pk), user_id=export.user_id, organisation_id=export.organisation_id,
                       kind=export.kind, period=export.period, fmt=export.fmt, progress=progress)
            finish()
    except LostClaim:
        logger.warning("export %s: the sweeper took the job back; this run wrote nothing", export_id)
        return "lost"
    except (PermissionDenied, ValidationError, DomainConflict) as exc:
        # Refused when it ran (published meanwhile, no longer the region's supervisor): the reason, in Chinese.
        reason = exc.message if isinstance(exc, DomainConflict) else "；".join(getattr(exc, "messages", [str(exc)]))
        mine.update(status=ExportStatus.FAILED, finished_at=timezone.now(), error=reason[:2000],
                    progress={"step": 0, "total": 1, "text": "未完成", "refused": reason})
        return ExportStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - recorded on the row; the page offers a new export
        logger.exception("export %s failed", export_id)
        mine.update(status=ExportStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        return ExportStatus.FAILED
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


# Jobs of the worker that write no file, by the `fmt` of their row.
PUBLISH = "publish"  # publish a region's quarterly bulletin
REISSUE = "revision"  # issue an issued month again from today's data
JOBS = (PUBLISH, REISSUE)


def regenerate_start(*, user, organisation: Organisation, period: Period) -> Export:
    """Queue the regeneration of an issued month (built by the worker, never in the request)."""
    return _queue_export(user=user, organisation=organisation, kind="monthly", period=period, fmt=REISSUE,
                         filename=f"重新生成{download_name('monthly', organisation, period, 'json')[:-5]}")


def reissue_under_way(organisation: Organisation, period: Period) -> Export | None:
    """A regeneration of the month queued or running (its page says so and follows it)."""
    return (Export.objects.filter(organisation=organisation, period=period.key, fmt=REISSUE,
                                  status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
            .order_by("-created_at").first())


def reissue(*, organisation: Organisation, period: Period, user=None, progress=None, claim=None):
    """Issue the month again from today's data: a new revision when something changed (reports.revisions)."""
    if user is not None and not access.can_issue_report(user, organisation):
        # Asked while they were the region's supervisor; the worker decides as of now, as a publish does.
        raise PermissionDenied("只有该单位的主管人员可以重新生成月度报告。")
    report = build_report(organisation, period, user=None, progress=progress)
    with transaction.atomic():
        if claim is not None:
            claim()
        return issue_revision(organisation, period, user=user, reason="主管人员重新生成", report=report)


def regenerate_run(*, organisation_id: int, period: str, user_id: int | None = None):
    """The same, by ids (the task of a regeneration queued before reissues were rows)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return reissue(organisation=Organisation.objects.get(pk=organisation_id), period=parse_month(period), user=user)


# --- the stored bulletin and self-inspection (tables of reports.models) ---------------------------

def _check_publish(*, organisation: Organisation, period: Period, user) -> None:
    if not access.can_publish_bulletin(user, organisation):
        raise PermissionDenied("只有该单位的主管人员可以发布通报。")
    if not period.is_quarter:
        raise ValidationError({"quarter": "请按 YYYY-Qn 格式填写季度。"})
    if not period.is_complete():
        raise ValidationError({"quarter": f"{period.label}尚未结束，不能发布通报。"})
    if Bulletin.objects.filter(organisation=organisation, quarter=period.key).exists():
        raise DomainConflict(f"{organisation.name}{period.label}通报已发布，不能重复发布。")


def publishing(organisation: Organisation, period: Period) -> Export | None:
    """The newest publish of the region's quarter asked for (under way, finished or failed), for its page."""
    return (Export.objects.filter(organisation=organisation, period=period.key, fmt=PUBLISH)
            .select_related("user").order_by("-created_at").first())


def bulletin_publish_start(*, organisation: Organisation, period: Period, user, summary: str = "") -> Export:
    """Ask for the quarter's bulletin to be published: refused at once when it cannot be (403, 400, 409), else
    queued for the worker, which builds the quarter's report and publishes it (`bulletin_publish`). One publish
    of a region's quarter is under way at a time: two supervisors pressing at once, one is told so."""
    _check_publish(organisation=organisation, period=period, user=user)
    title = documents.title_of({"kind": "quarterly", "organisation": {"name": organisation.name},
                                "period": {"label": period.label}})
    try:
        with transaction.atomic():
            return _queue_export(user=user, organisation=organisation, kind="quarterly", period=period, fmt=PUBLISH,
                                 filename=title, params={"summary": (summary or "").strip()})
    except IntegrityError:
        raise DomainConflict(f"{organisation.name}{period.label}通报正在发布，请稍候查看。") from None


def bulletin_publish(*, organisation: Organisation, period: Period, user, summary: str = "", progress=None,
                     claim=None):
    """Publish the quarter's bulletin of `organisation`'s region: a snapshot of the quarter's report, once (the
    worker's half of `bulletin_publish_start`; the demo data calls it directly).

    The report is built before the transaction (it reads a whole region); the write is short and holds the
    audit entry, the `report.issued` event and the notices of the units with failing sites or accounts (their
    principals and editors), so they happen exactly when the bulletin is saved. `claim` runs first inside it
    (the job marks its row finished there, or gives up)."""
    _check_publish(organisation=organisation, period=period, user=user)
    report = build_report(organisation, period, user=user, progress=progress)
    bulletin = Bulletin(
        organisation=organisation, quarter=period.key, title=documents.title_of(report), summary=(summary or "").strip(),
        data=json.loads(json.dumps(report, cls=DjangoJSONEncoder)), published_at=timezone.now(), published_by=user,
    )
    bulletin.full_clean(validate_constraints=False)
    if progress:
        progress(5, 6, "生成通报文件")
    files = {fmt: _bulletin_render(bulletin, fmt) for fmt in BULLETIN_FORMATS}
    try:
        with transaction.atomic():
            if claim is not None:
                claim()
            bulletin.save()
            # Kept with the bulletin, before anyone can read it: its downloads never render in a request.
            for fmt, content in files.items():
                _write(_bulletin_path(bulletin, fmt), content)
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
                   url=reverse("report-bulletin", args=[bulletin.pk]))
    except IntegrityError:  # published by someone else a moment ago
        raise DomainConflict(f"{organisation.name}{period.label}通报已发布，不能重复发布。") from None
    return bulletin


BULLETIN_FORMATS = ("xlsx", "pdf")


def _bulletin_render(bulletin: Bulletin, fmt: str) -> bytes:
    # The PDF prints the text the supervisor published with it (its 通报 wording) under the summary.
    return render({**bulletin.data, "bulletin_summary": bulletin.summary}, fmt)


def _bulletin_path(bulletin: Bulletin, fmt: str) -> Stored:
    # Named by the bulletin itself: one withdrawn and published again is a new bulletin with its own files.
    return stored_path("bulletin", bulletin.organisation_id, f"{bulletin.quarter}-{bulletin.pk}", fmt)


def bulletin_document(bulletin: Bulletin, fmt: str) -> Stored:
    """The published bulletin as the document sent upward (xlsx or PDF of the snapshot), rendered by the worker
    that published it and kept: a bulletin never changes. One published before its documents were kept has them
    rendered on its first download."""
    path = _bulletin_path(bulletin, fmt)
    if not path.is_file():
        _write(path, _bulletin_render(bulletin, fmt))
    return path


def self_inspection_prefill(*, unit: Organisation, period: Period, user) -> tuple[dict | None, Export | None]:
    """The 自查 prefill of one unit's month for a page or the API, never a region's report built in the
    request. Returns (prefill, None), or (None, the worker's job) while the prefill is being prepared.

    - A unit with nothing under it in the reader's scope: its own rules computed now (one unit's accounts and
      sites; a fixed number of queries, milliseconds).
    - A unit with units under it (a region): its issued revision of the month when there is one (the stored
      report), else the reader's report of the unit built by the worker since the month's data was complete (or
      today, for the month under way), queued when there is none; the page shows the form without prefill and
      follows the build."""
    if not scope_organisations(unit, user).exclude(pk=unit.pk).exists():
        return selfcheck.prefill(unit, period, user=user), None
    issued = (revisions_of(unit, period).values_list("data", flat=True).first()
              if access.covers_region(user, unit) else None)
    if issued is not None:
        return selfcheck.prefill_from(unit, period, issued), None
    since = timezone.make_aware(dt.datetime.combine(min(period.end + dt.timedelta(days=1), timezone.localdate()),
                                                    dt.time.min))
    export = reader_export(user=user, organisation=unit, kind="monthly", period=period, fmt="json", since=since,
                           retry_failed=True)
    report = read_report(export)
    if report is not None:
        return selfcheck.prefill_from(unit, period, report), None
    return None, export


@transaction.atomic
def self_inspection_save(*, organisation: Organisation, period: Period, user, answers: dict, signers: dict,
                         prefill: dict | None = None):
    """Keep the unit's self-inspection of the month; saving again replaces the answers (the audit log keeps
    every version)."""
    missing = [code for code in selfcheck.INDICATOR_CODES if code not in answers]
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
