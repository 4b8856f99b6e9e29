"""Writes of the inspections area: runs, findings, rectification, error reports and messages."""
from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from govmedia.core import audit, parallel, queue
from govmedia.core.exceptions import DomainConflict
from govmedia.core import workdays
from govmedia.core.workdays import add_workdays
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Organisation, Role
from rules import thresholds as checklist
from rules.dates import rectification_due, start_of_day
from rules.definitions import RULES, label
from webhooks.services import emit, emit_many, subscribed

from . import input_changes, rectification
from .checks import CHECKS, Context
from .models import (
    UNRESOLVED, ErrorReport, Finding, FindingStatus, Inspection, InspectionStatus, Message, MessagePolicy,
    Rectification, RectificationOutcome, RectificationState,
)

log = logging.getLogger(__name__)
BATCH = 5000
# Queued by name: the task module imports this one, not the other way round.
RUN_TASK = "inspections.tasks.run_inspection"


def local_today() -> dt.date:
    return timezone.localdate()


def _check_as_of(as_of) -> dt.date:
    if not isinstance(as_of, dt.date):
        raise ValidationError({"as_of": "请填写检查基准日（YYYY-MM-DD）。"})
    if as_of > local_today():
        raise ValidationError({"as_of": f"检查基准日不能晚于今天（{local_today():%Y-%m-%d}）。"})
    return as_of


def default_scope(user):
    """The widest organisation a supervisor supervises (None for the superuser: everything)."""
    if user.is_superuser:
        return None
    membership = (
        Membership.objects.filter(user=user, role=Role.SUPERVISOR).select_related("organisation")
        .order_by("organisation__path").first()
    )
    return membership.organisation if membership else None


ACTIVE = (InspectionStatus.QUEUED, InspectionStatus.RUNNING)


def _active_run(organisation, as_of):
    return Inspection.objects.filter(organisation=organisation, as_of=as_of, status__in=ACTIVE).first()


def _busy(run: Inspection) -> DomainConflict:
    scope = run.organisation.name if run.organisation_id else "全部单位"
    return DomainConflict(
        f"{scope}基准日 {run.as_of:%Y-%m-%d} 的检查（编号 {run.pk}）{run.get_status_display()}，请待其完成后再发起。",
        inspection=run.pk,
    )


def inspection_create(*, as_of: dt.date, user, organisation=None) -> Inspection:
    """Queue a run of every rule as of `as_of` over `organisation` and everything below it.

    The row is committed first and is the queue's truth: the task is sent after the commit, and a broker that is
    down leaves the row `queued` for the sweeper (the caller still gets 202). One run per region and date at a
    time: while one is queued or running, a second request is a 409 naming it (a constraint decides a race)."""
    _check_as_of(as_of)
    if organisation is None and not user.is_superuser:
        organisation = default_scope(user)
        if organisation is None:
            raise PermissionDenied("只有主管单位工作人员可以发起检查。")
    if not access.can_run_inspection(user, organisation):
        raise PermissionDenied("只有主管单位工作人员可以对该单位发起检查。")
    existing = _active_run(organisation, as_of)
    if existing is not None:
        raise _busy(existing)
    run = Inspection(as_of=as_of, organisation=organisation, created_by=user, queued_at=timezone.now())
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
            queue.send_on_commit(RUN_TASK, args=(run.pk,))
    except IntegrityError:  # the other request of a race committed first
        existing = _active_run(organisation, as_of)
        if existing is None:
            raise
        raise _busy(existing) from None
    return run


def inspect(*, as_of: dt.date, organisation=None, user=None) -> Inspection:
    """Create and run an inspection in this process (the `inspect` command, the demo, the daily task). A run of
    the same scope and date already queued is run here instead of a second one; one already running is left
    to its worker and returned."""
    _check_as_of(as_of)
    try:
        with transaction.atomic():
            run = Inspection.objects.create(as_of=as_of, organisation=organisation, created_by=user)
    except IntegrityError:
        run = _active_run(organisation, as_of)
        if run is None:
            raise
    return inspection_run(inspection_id=run.pk)


def inspection_run(*, inspection_id: int) -> Inspection:
    """Run a queued inspection. The task may arrive twice (the sweeper sends stale rows again): the conditional
    claim lets one worker proceed, and the outcome is written only while the claim is still this worker's (the
    sweeper may have taken back a run past its lease and given it to another)."""
    started = timezone.now()
    claimed = Inspection.objects.filter(pk=inspection_id, status=InspectionStatus.QUEUED).update(
        status=InspectionStatus.RUNNING, started_at=started, attempts=F("attempts") + 1,
    )
    run = Inspection.objects.select_related("organisation").get(pk=inspection_id)
    if not claimed:
        return run
    mine = Inspection.objects.filter(pk=run.pk, status=InspectionStatus.RUNNING, started_at=started)
    try:
        with transaction.atomic():
            counts = _execute(run)
            _emit_findings(run)
    except Exception as exc:  # the run is recorded as failed with its reason; the next day's run starts afresh
        log.exception("inspection %s failed", inspection_id)
        mine.update(status=InspectionStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        _emit_finished(inspection_id)
    else:
        mine.update(status=InspectionStatus.FINISHED, finished_at=timezone.now(), counts=counts)
        _emit_finished(inspection_id)
        try:
            _notify_new_findings(run)
        except Exception:  # telling people is secondary: a mail or notification fault never undoes a finished run
            log.exception("inspection %s: notifying units failed", inspection_id)
    run.refresh_from_db()
    return run


def sweep_inspections(*, now: dt.datetime | None = None) -> dict:
    """Work a broker outage or a dead worker left behind (periodic; idempotent):
    a run `queued` for longer than GOVMEDIA_REQUEUE_MINUTES is sent again; a run `running` for longer than
    INSPECTION_LEASE_MINUTES (a run is one transaction: its worker died or was killed) is taken back and queued
    again, or closed as failed after QUEUE_MAX_ATTEMPTS."""
    now = now or timezone.now()
    lease = dt.timedelta(minutes=settings.INSPECTION_LEASE_MINUTES)
    stale_running = Inspection.objects.filter(status=InspectionStatus.RUNNING, started_at__lt=now - lease)
    failed = stale_running.filter(attempts__gte=settings.QUEUE_MAX_ATTEMPTS).update(
        status=InspectionStatus.FAILED, finished_at=now,
        error=f"检查执行中断（工作进程停止），已尝试 {settings.QUEUE_MAX_ATTEMPTS} 次。",
    )
    reclaimed = stale_running.filter(attempts__lt=settings.QUEUE_MAX_ATTEMPTS).update(
        status=InspectionStatus.QUEUED, started_at=None, queued_at=None,
    )
    due = list(Inspection.objects.filter(status=InspectionStatus.QUEUED).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - queue.requeue_after())
    ).values_list("pk", flat=True))
    sent = 0
    for pk in due:
        # Marked first: a send that fails is tried again by a later sweep, not by every one in a burst.
        Inspection.objects.filter(pk=pk, status=InspectionStatus.QUEUED).update(queued_at=now)
        sent += queue.send(RUN_TASK, args=(pk,))
    return {"requeued": len(due), "sent": sent, "reclaimed": reclaimed, "failed": failed}


FINDING_EVENT_FIELDS = ("id", "inspection_id", "rule", "severity", "subject_type", "subject_id", "subject_name",
                        "organisation_id", "found_on", "due_on", "status", "rectified_on")


def _finding_events(event: str, findings) -> None:
    """One webhook event per finding, set-based (one query for the rows, one insert for the deliveries); nothing
    is read when no webhook subscribes to the event."""
    if not subscribed(event):
        return
    rows = findings.order_by("pk").values(*FINDING_EVENT_FIELDS)
    emit_many(event, ((row["organisation_id"], {
        "finding": row["id"], "inspection": row["inspection_id"], "rule": row["rule"], "severity": row["severity"],
        "subject_type": row["subject_type"], "subject_id": row["subject_id"], "subject_name": row["subject_name"],
        "found_on": row["found_on"], "due_on": row["due_on"], "status": row["status"], "rectified_on": row["rectified_on"],
    }) for row in rows))


def _emit_findings(run: Inspection) -> None:
    """The run's new findings (finding.opened) and those it confirmed rectified (finding.closed), in the run's
    transaction: the deliveries exist exactly when the findings do, and go out after the commit. A fault here is
    logged and never fails the run (a savepoint keeps the run's transaction usable)."""
    try:
        with transaction.atomic():
            _finding_events("finding.opened", Finding.objects.filter(inspection=run, status__in=UNRESOLVED))
            _finding_events("finding.closed", Finding.objects.filter(rectified_by=run, status=FindingStatus.RECTIFIED)
                            .exclude(inspection=run))
    except Exception:
        log.exception("inspection %s: queueing webhook deliveries of findings failed", run.pk)


def _emit_finished(inspection_id: int) -> None:
    """inspection.finished (status finished or failed). Counts only for a run over one region: a run over the
    whole deployment counts every region, which a region's subscriber must not read."""
    try:
        run = Inspection.objects.get(pk=inspection_id)
        data = {"inspection": run.pk, "as_of": run.as_of, "status": run.status, "scope": run.organisation_id,
                "started_at": run.started_at, "finished_at": run.finished_at}
        if run.organisation_id and run.status == InspectionStatus.FINISHED:
            data["counts"] = {key: run.counts.get(key) for key in ("new", "rectified", "open", "overdue")}
        emit("inspection.finished", organisation=run.organisation_id, occurred_at=run.finished_at, data=data)
    except Exception:  # telling other systems is secondary: it never undoes a finished run
        log.exception("inspection %s: queueing webhook deliveries failed", inspection_id)


def _scope_q(run: Inspection, lookup: str = "organisation") -> Q:
    return Q(**{f"{lookup}__path__startswith": run.organisation.path}) if run.organisation_id else Q()


RUN_LOCK = 0x696E7370  # "insp": one advisory lock id for inspection runs


def _execute(run: Inspection) -> dict:
    # Runs take turns (PostgreSQL; SQLite serialises writers anyway): two runs at once could each miss the
    # other's uncommitted findings and open a second one for the same subject.
    snapshot = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])
            # The rules' correlated subqueries look expensive to the planner, which then spends more time
            # compiling them (JIT) than running them: measured 0.4 s of 0.54 s on 200,000 columns.
            cursor.execute("SET LOCAL jit = off")
            # The judging filters are opaque to the planner, which then expects one blank column where there are
            # 800 and rescans them, materialised, once per site (320,000 comparisons, 20 ms of 29 at a fifth of
            # a province, 594 ms instead of 53 at full size). Every other statement of the run was timed both ways and
            # takes the same: none of its plans needs such a rescan.
            cursor.execute("SET LOCAL enable_material = off")
            # Taken before the first judging query: what this run judges is at least what this snapshot sees.
            snapshot = input_changes.current(cursor)
            input_changes.judging(cursor, True)
    previous = _unchanged_run(run)
    if previous is not None:
        counts = _repeat(run, previous)
    else:
        # A run makes tens of thousands of short-lived rows and dicts (no cycles: reference counting frees them);
        # the cyclic collector would walk every live object again and again meanwhile (measured: 0.3 s of a 2.5 s
        # run at a fifth of a province). It runs again once the run is judged.
        collecting = gc.isenabled()
        gc.disable()
        try:
            counts = _judge(run)
        finally:
            if collecting:
                gc.enable()
    # (A run that fails is rolled back to its savepoint, and the setting with it.)
    if snapshot:
        with connection.cursor() as cursor:
            input_changes.judging(cursor, False)
            Inspection.objects.filter(pk=run.pk).update(data_snapshot=input_changes.stamp(cursor, snapshot))
            if previous is None:
                input_changes.prune(cursor, snapshot)
    return counts


def _unchanged_run(run: Inspection) -> Inspection | None:
    """The latest finished run of the same scope and date whose inputs no transaction has written since it
    took its snapshot (PostgreSQL; inspections.input_changes): a rerun then has nothing to judge. None when
    that cannot be proven, when a rule of that run failed (it is tried again), or when any run started after it
    (a run of another scope or date may have opened, closed or marked findings that this one reads)."""
    if not input_changes.available():
        return None
    previous = (
        Inspection.objects.filter(organisation=run.organisation_id, as_of=run.as_of, status=InspectionStatus.FINISHED)
        .exclude(data_snapshot="").exclude(pk=run.pk).order_by("-started_at", "-id").first()
    )
    if previous is None or previous.counts.get("failed_rules"):
        return None
    if Inspection.objects.filter(started_at__gte=previous.started_at).exclude(pk__in=[previous.pk, run.pk]).exists():
        return None
    with connection.cursor() as cursor:
        return previous if input_changes.unchanged_since(cursor, previous.data_snapshot) else None


def _repeat(run: Inspection, previous: Inspection) -> dict:
    """A rerun proven unchanged: the previous run's findings stand, nothing is new, closed or overdue."""
    run.checklist_version_id, run.versions = previous.checklist_version_id, previous.versions
    Inspection.objects.filter(pk=run.pk).update(checklist_version=previous.checklist_version_id, versions=previous.versions)
    return {**previous.counts, "new": 0, "rectified": 0, "new_by_rule": {}, "rectified_by_rule": {},
            "seconds_by_rule": {}, "unchanged_since": previous.pk}


def _judge(run: Inspection) -> dict:
    as_of = run.as_of
    groups = checklist.groups_for(run.organisation, as_of)
    run.checklist_version = groups[0].version
    run.versions = [{"id": v.pk, "name": v.name, "year": v.year, "organisation": v.organisation_id}
                    for v in {v.pk: v for g in groups for v in g.versions}.values()]
    Inspection.objects.filter(pk=run.pk).update(checklist_version=run.checklist_version, versions=run.versions)

    new_by_rule: Counter = Counter()
    rectified_by_rule: Counter = Counter()
    failed: dict[str, str] = {}
    firing_subjects = 0
    # Seconds per rule (checking, recording): the run history shows which rule is slow at scale.
    timings: dict[str, list[float]] = {}
    cache: dict = {}
    dues = _Dues(run)
    pending_answers = set(
        Rectification.objects.filter(outcome=RectificationOutcome.PENDING).values_list("finding_id", flat=True)
    )
    overdue = 0
    # Each rule with the groups it is enabled for, in the order a run takes them, each with its context.
    steps = [(check, [
        (item, Context(as_of=as_of, include=group.include, exclude=group.exclude, items=group.items,
                       cache=cache.setdefault(id(group), {})))
        for group in groups if (item := group.items.get(check.code)) is not None and item.enabled
    ]) for check in CHECKS]
    # The statements of the rules recorded in the database: the first built here, the others on a thread while
    # PostgreSQL runs the first (about 4 ms of Python each, measured at a fifth of a province).
    database = connections[DEFAULT_DB_ALIAS]
    in_database = [(check, item, ctx) for check, items in steps if _in_database(check) for item, ctx in items]
    if in_database:
        # Compiling asks the server's version (JSON functions differ by version), which Django reads once per
        # connection object, lazily: asked here, so that the building thread, which has no connection, never is.
        database.pg_version  # noqa: B018
    ahead = parallel.Ahead([partial(_judging_sql, check, item, ctx, database) for check, item, ctx in in_database])
    statements = {id(ctx): partial(ahead.result, index) for index, (_check, _item, ctx) in enumerate(in_database)}
    for check, items in steps:
        if check.code == "rectification_overdue":
            overdue = _mark_overdue(run)
        for item, ctx in items:
            started = time.perf_counter()
            try:
                # A savepoint, so that a rule that fails leaves the run usable for the others.
                with transaction.atomic():
                    rectify_days = int(ctx.thresholds("rectification_overdue")["days"])
                    if id(ctx) in statements:
                        firing, closed, checked = _record_in_database(
                            run, check, item, ctx, statements[id(ctx)], pending_answers,
                            rectify_days=rectify_days, dues=dues, while_waiting=ahead.start)
                    else:
                        hits = check.run(ctx, item.thresholds)
                        checked = time.perf_counter()
                        firing = len(hits)
                        closed = _record(run, check, item, hits, check.subjects(ctx), pending_answers,
                                         rectify_days=rectify_days, dues=dues)
            except Exception as exc:  # one rule's fault (bad data it cannot read) never stops the others
                log.exception("inspection %s: rule %s failed", run.pk, check.code)
                failed[check.code] = f"{type(exc).__name__}: {exc}"[:500]
                continue
            timings[check.code] = [round(timings.get(check.code, [0, 0])[0] + checked - started, 3),
                                   round(timings.get(check.code, [0, 0])[1] + time.perf_counter() - checked, 3)]
            firing_subjects += firing
            rectified_by_rule[check.code] += closed
    # What this run added, per rule, in one query (rows skipped as conflicts are not counted).
    new_by_rule.update(dict(
        Finding.objects.filter(inspection=run).order_by().values("rule").annotate(n=Count("id")).values_list("rule", "n")
    ))
    _audit_bulk_writes(run, new_by_rule, rectified_by_rule, overdue)
    unresolved = Finding.objects.filter(_scope_q(run), status__in=UNRESOLVED).aggregate(
        open=Count("pk", filter=Q(status=FindingStatus.OPEN)), overdue=Count("pk", filter=Q(status=FindingStatus.OVERDUE)),
    )
    return {
        "new": sum(new_by_rule.values()),
        "rectified": sum(rectified_by_rule.values()),
        "firing": firing_subjects,
        "open": unresolved["open"],
        "overdue": unresolved["overdue"],
        "new_by_rule": dict(sorted(new_by_rule.items())),
        "rectified_by_rule": dict(sorted(r for r in rectified_by_rule.items() if r[1])),
        "failed_rules": failed,
        "groups": len(groups),
        "seconds_by_rule": timings,
    }


def _audit_bulk_writes(run: Inspection, opened: Counter, rectified: Counter, overdue: int) -> None:
    """One audit entry per kind of bulk write a run made (findings opened, confirmed rectified, marked overdue),
    with its counts and the run: the rows themselves are written set-based, past the per-row change log."""
    scope = run.organisation.name if run.organisation_id else "全部单位"
    prefix = f"检查（{scope}，基准日 {run.as_of:%Y-%m-%d}，编号 {run.pk}）"
    for action, by_rule, words in (
        ("findings_open", dict(opened), "新增问题"),
        ("findings_rectify", dict(rectified), "确认已整改问题"),
        ("findings_overdue", {}, "标记逾期未整改问题"),
    ):
        count = overdue if action == "findings_overdue" else sum(by_rule.values())
        if not count:
            continue
        detail = "，".join(f"{label(code)} {n} 个" for code, n in sorted(by_rule.items()) if n)
        audit.record_action(
            run, action, actor=run.created_by, comment=f"{prefix}{words} {count} 个" + (f"：{detail}" if detail else "") + "。",
            data={"inspection": run.pk, "count": count, "by_rule": {k: v for k, v in by_rule.items() if v}},
        )


class _Dues:
    """organisation id -> due date of a finding recorded now (issue 10, dates of findings): the period runs from
    the day the unit could know — the day the run is made, never a past `as_of` — and ends on a working day of
    the unit's calendar. One national answer; units of a region with days of its own get theirs. Worked out once
    per run and period length (a calendar read each), not once per rule."""

    def __init__(self, run: Inspection):
        self.start = max(run.as_of, local_today())
        self.national: dict[int, dt.date] = {}
        self.regional: dict[int, list[str]] = {}
        self.by_region: dict[tuple[str, int], dt.date] = {}
        self.paths: dict[int, str] = {}

    def _prepare(self, days: int) -> None:
        if days not in self.national:
            self.national[days] = rectification_due(self.start, days)
            self.regional[days] = workdays.region_paths(self.start, self.start + dt.timedelta(days=days + 30))

    def function(self, hits, days: int):
        self._prepare(days)
        national, regional = self.national[days], self.regional[days]
        if not regional:
            return lambda organisation_id: national
        unknown = {h.organisation_id for h in hits} - self.paths.keys()
        self.paths.update(Organisation.objects.filter(pk__in=unknown).values_list("pk", "path"))

        def due_for(organisation_id):
            path = self.paths.get(organisation_id, "")
            region = max((p for p in regional if path.startswith(p)), key=len, default=None)
            return national if region is None else self.function_for_region(region, days)

        return due_for

    def table(self, days: int) -> tuple[dt.date, list[str], list[dt.date]]:
        """The national due date, and each region with days of its own and its due date: what `function`
        answers, for the database to choose from by a unit's path (the deepest region whose path starts it)."""
        self._prepare(days)
        regions = sorted(self.regional[days])
        return self.national[days], regions, [self.function_for_region(region, days) for region in regions]

    def function_for_region(self, region: str, days: int) -> dt.date:
        if (region, days) not in self.by_region:
            self.by_region[region, days] = rectification_due(self.start, days, region)
        return self.by_region[region, days]


def _record(run: Inspection, check, item, hits, subjects, pending_answers: set[int], *, rectify_days: int,
            dues: _Dues) -> int:
    """Insert what is new, close what no longer fires; returns the number closed. A new finding cites the article
    its item enforces for the unit and the version the item came from; it is due `rectify_days` (the group's
    rectification_overdue item) after it was found.

    `pending_answers` holds the findings with an answer awaiting verification (read once per run: few).
    """
    as_of = run.as_of
    due_for = dues.function(hits, rectify_days)
    recorded_on = local_today().isoformat()
    existing = list(
        Finding.objects.filter(rule=check.code, subject_type=check.subject_type, status__in=UNRESOLVED, found_on__lte=as_of,
                               subject_id__in=subjects.values("pk"))
        .values_list("id", "subject_id", "period_key")
    )
    firing = {h.subject_id for h in hits if not h.past}
    open_subjects = {subject for _id, subject, _key in existing}
    open_keys = {(subject, key) for _id, subject, key in existing}
    now = timezone.now()
    rows = []
    for h in hits:
        if not h.past and (h.subject_id in open_subjects if check.dedupe == "subject" else (h.subject_id, h.period_key) in open_keys):
            continue
        rows.append(dict(
            inspection_id=run.pk, rule=check.code, severity=item.kind, subject_type=check.subject_type, subject_id=h.subject_id,
            subject_name=(h.name or "")[:300], organisation_id=h.organisation_id,
            detail={**h.detail, "checklist_version": item.version_id, "rectify_days": rectify_days,
                    "recorded_on": recorded_on}, found_on=as_of,
            source=item.source[:200], checklist_version_id=item.version_id,
            due_on=due_for(h.organisation_id), period_key=h.period_key[:40],
            status=FindingStatus.RECTIFIED if h.past else FindingStatus.OPEN,
            rectified_on=as_of if h.past else None, rectified_by_id=run.pk if h.past else None, created_at=now,
        ))
    if rows:
        _insert_findings(rows)
    to_close = [pk for pk, subject, _key in existing if subject not in firing]
    for start in range(0, len(to_close), BATCH):
        Finding.objects.filter(pk__in=to_close[start:start + BATCH], status__in=UNRESOLVED).update(
            status=FindingStatus.RECTIFIED, rectified_on=as_of, rectified_by=run
        )
    _check_answers(as_of, accepted=[pk for pk in to_close if pk in pending_answers],
                   still=[pk for pk, subject, _key in existing if subject in firing and pk in pending_answers])
    return len(to_close)


def _check_answers(as_of: dt.date, *, accepted: list[int], still: list[int]) -> None:
    """Answers awaiting verification of the findings a rule closed (accepted) and of those it still finds: an
    answer given before this run's day that the rule still contradicts stays on record, marked so."""
    now = timezone.now()
    if accepted:
        Rectification.objects.filter(finding_id__in=accepted, outcome=RectificationOutcome.PENDING).update(
            outcome=RectificationOutcome.ACCEPTED, checked_at=now
        )
    if still:
        Rectification.objects.filter(
            finding_id__in=still, outcome=RectificationOutcome.PENDING, submitted_at__lt=start_of_day(as_of),
        ).update(outcome=RectificationOutcome.STILL_FAILING, checked_at=now)


# The rules a run on PostgreSQL records in the database (the four that make ~99 % of the findings at scale):
# each finding is built and inserted by one INSERT … SELECT over the check's own query, its evidence included.
IN_DATABASE = ("column_stale", "column_blank", "account_stale", "credential_rotation")


def _in_database(check) -> bool:
    return (check.rows is not None and check.code in IN_DATABASE and check.dedupe == "subject"
            and connection.vendor == "postgresql")


def _judging_sql(check, item, ctx: Context, database) -> tuple[str, list, str, list]:
    """The two queries a rule recorded in the database reads, as SQL and parameters: its hit rows (`check.rows`,
    the query its Python side reads) and the unresolved findings among its subjects. Built without a query
    (on `database`, the run's connection, which it only compiles for)."""
    hits_sql, hits_params = check.rows(ctx, check.thresholds(item.thresholds)).query.get_compiler(
        connection=database).as_sql()
    existing_sql, existing_params = (
        Finding.objects.filter(rule=check.code, subject_type=check.subject_type, status__in=UNRESOLVED,
                               found_on__lte=ctx.as_of, subject_id__in=check.subjects(ctx).values("pk"))
        .order_by().values("id", "subject_id").query.get_compiler(connection=database).as_sql()
    )
    return hits_sql, list(hits_params), existing_sql, list(existing_params)


def _record_in_database(run: Inspection, check, item, ctx: Context, statements: Callable[[], tuple[str, list, str, list]],
                        pending_answers: set[int], *, rectify_days: int, dues: _Dues,
                        while_waiting: Callable[[], None] = lambda: None) -> tuple[int, int, float]:
    """What `_record` does with a check's hits, done by the database in one statement over the two queries of
    `_judging_sql` (asked of `statements` once all else is ready): new findings inserted (a key already recorded
    skipped), those no longer firing closed. The row of a new finding is `_record`'s: the same columns and
    values, the evidence with the same additions. `while_waiting` starts as the statement is sent. Returns
    (hits, closed, the moment the statement finished)."""
    as_of = run.as_of
    national, regions, region_dues = dues.table(rectify_days)
    extra = {"checklist_version": item.version_id, "rectify_days": rectify_days, "recorded_on": local_today().isoformat()}
    # Each column of a finding: what a run sets (as `_record` does), else the model's default.
    given = {
        "inspection_id": ("%s", [run.pk]), "rule": ("%s", [check.code]), "severity": ("%s", [item.kind]),
        "subject_type": ("%s", [check.subject_type]), "subject_id": ("h.hit_subject", []),
        "subject_name": ("left(coalesce(h.hit_name, ''), 300)", []), "organisation_id": ("h.hit_unit", []),
        "detail": ("h.hit_detail || %s::jsonb", [json.dumps(extra, ensure_ascii=False)]),
        "found_on": ("%s::date", [as_of]), "source": ("%s", [item.source[:200]]),
        "checklist_version_id": ("%s", [item.version_id]),
        # The deepest region with days of its own whose path starts the unit's, else the national date.
        "due_on": ("coalesce((SELECT r.due FROM organisations_organisation o, unnest(%s::text[], %s::date[]) r(path, due)"
                   " WHERE o.id = h.hit_unit AND starts_with(o.path, r.path) ORDER BY length(r.path) DESC LIMIT 1),"
                   " %s::date)" if regions else "%s::date",
                   [regions, region_dues, national] if regions else [national]),
        "period_key": ("left(h.hit_period, 40)", []), "status": ("%s", [str(FindingStatus.OPEN)]),
        "rectified_on": ("NULL", []), "rectified_by_id": ("NULL", []), "created_at": ("%s", [timezone.now()]),
    }
    columns, values, value_params = [], [], []
    for name, default in _finding_columns():
        sql, params = given.get(name, ("%s", [default]))
        columns.append(name)
        values.append(sql)
        value_params += params
    pending = sorted(pending_answers)
    hits_sql, hits_params, existing_sql, existing_params = statements()
    statement = f"""
        WITH hits AS MATERIALIZED ({hits_sql}),
        existing AS MATERIALIZED ({existing_sql}),
        added AS (
            INSERT INTO inspections_finding ({", ".join(columns)})
            SELECT {", ".join(values)} FROM hits h
            WHERE NOT EXISTS (SELECT FROM existing e WHERE e.subject_id = h.hit_subject)
            ON CONFLICT DO NOTHING
        ),
        closing AS (SELECT e.id FROM existing e WHERE NOT EXISTS (SELECT FROM hits h WHERE h.hit_subject = e.subject_id)),
        closed AS (
            UPDATE inspections_finding f SET status = %s, rectified_on = %s, rectified_by_id = %s
            FROM closing c WHERE f.id = c.id AND f.status = ANY(%s::text[])
        )
        SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM closing),
               ARRAY(SELECT id FROM closing WHERE id = ANY(%s::bigint[])),
               ARRAY(SELECT e.id FROM existing e WHERE e.id = ANY(%s::bigint[])
                     AND EXISTS (SELECT FROM hits h WHERE h.hit_subject = e.subject_id))
    """
    with connection.cursor() as cursor:
        while_waiting()
        cursor.execute(statement, [*hits_params, *existing_params, *value_params, str(FindingStatus.RECTIFIED), as_of,
                                   run.pk, [str(status) for status in UNRESOLVED], pending, pending])
        firing, closed, accepted, still = cursor.fetchone()
    finished = time.perf_counter()
    _check_answers(as_of, accepted=accepted, still=still)
    return firing, closed, finished


def _finding_columns() -> list[tuple[str, object]]:
    """Every stored column of a finding but the id, with the model's default for what a run does not set (a
    field added later is filled as the model would fill it)."""
    return [(f.column, f.get_default()) for f in Finding._meta.concrete_fields if not f.primary_key]


def _insert_findings(rows: list[dict]) -> None:
    """Insert findings, skipping any whose rule, subject and period are already recorded.

    PostgreSQL: COPY straight into the table (tens of thousands of rows in well under a second, where
    bulk_create spent ~100 µs a row building and sending parameters). A key already recorded (a past fact found
    again, a finding dismissed or rectified within the same period) makes that fail as a whole: the rows then go
    through a temporary table and one INSERT … ON CONFLICT DO NOTHING. Rules recording past facts (late replies,
    found again by every run) take that path at once. Elsewhere: bulk_create(ignore_conflicts=True).
    """
    if connection.vendor != "postgresql":
        Finding.objects.bulk_create([Finding(**row) for row in rows], batch_size=BATCH, ignore_conflicts=True)
        return
    fields = _finding_columns()
    columns = ", ".join(name for name, _default in fields)

    detail = [name for name, _default in fields].index("detail")

    def copy_into(cursor, table):
        # psycopg's own row writer (C): formatting the text here was twice as slow.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [row.get(name, default) for name, default in fields]
                values[detail] = json.dumps(values[detail], ensure_ascii=False)
                copy.write_row(values)

    if not any(row["rectified_on"] for row in rows):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                copy_into(cursor, "inspections_finding")
            return
        except connection.Database.IntegrityError:
            pass  # rolled back to the savepoint; the staging path below skips what is recorded
    with connection.cursor() as cursor:
        # One staging table per run's transaction (dropped at its commit), emptied after each rule.
        cursor.execute("SELECT to_regclass('pg_temp.inspections_finding_incoming') IS NULL")
        if cursor.fetchone()[0]:
            cursor.execute(
                "CREATE TEMP TABLE inspections_finding_incoming "
                "(LIKE inspections_finding INCLUDING DEFAULTS EXCLUDING IDENTITY) ON COMMIT DROP"
            )
            cursor.execute("ALTER TABLE inspections_finding_incoming ALTER COLUMN id DROP NOT NULL")
        copy_into(cursor, "inspections_finding_incoming")
        cursor.execute(
            f"INSERT INTO inspections_finding ({columns}) SELECT {columns} FROM inspections_finding_incoming "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("TRUNCATE inspections_finding_incoming")


def _mark_overdue(run: Inspection) -> int:
    """An unanswered finding past its due date becomes overdue (one UPDATE). An answer awaiting review keeps it
    from being overdue; one returned by the supervisors does not (inspections/rectification.py)."""
    return (
        Finding.objects.filter(_scope_q(run), status=FindingStatus.OPEN, due_on__lt=run.as_of)
        .exclude(rule="rectification_overdue").exclude(rectification_state=RectificationState.SUBMITTED)
        .update(status=FindingStatus.OVERDUE)
    )


def _notify_new_findings(run: Inspection) -> None:
    """Tell each unit's staff once per run how many new problems it has (not one message per finding)."""
    per_org = dict(
        Finding.objects.filter(inspection=run, status=FindingStatus.OPEN).order_by().values("organisation_id")
        .annotate(n=Count("id")).values_list("organisation_id", "n")
    )
    if not per_org:
        return
    recipients: dict[int, list] = {}
    for membership in Membership.objects.filter(organisation_id__in=list(per_org), role__in=access.UNIT_STAFF_ROLES).select_related("user"):
        recipients.setdefault(membership.organisation_id, [])
        if membership.user not in recipients[membership.organisation_id]:
            recipients[membership.organisation_id].append(membership.user)
    url = reverse("inspections-my-findings")
    for org_id, users in recipients.items():
        notify(users=users, kind="finding", text=f"检查（基准日 {run.as_of}）发现本单位 {per_org[org_id]} 个新问题，请在整改期限内整改。", url=url)


# ------------------------------------------------------------------------------------------ rectification


# The unit's answer and the supervisors' decision on it: inspections/rectification.py (the loop in one place).
finding_rectify = rectification.finding_rectify


# ------------------------------------------------------------------------------------ replies: intake


def reply_limit_for(organisation) -> int:
    """The nearest configured message reply limit for `organisation`, else the checklist's default."""
    policy = (
        MessagePolicy.objects.filter(organisation_id__in=organisation.ancestor_ids())
        .select_related("organisation").order_by("-organisation__path").first()
    )
    if policy:
        return policy.reply_workdays
    item = checklist.items_for(organisation, local_today()).get("message_late")
    default = RULES["message_late"].threshold("default_workdays")
    return int(item.thresholds.get("default_workdays", default)) if item else default


def _received_on(received_at: dt.datetime) -> dt.date:
    return timezone.localtime(received_at).date() if timezone.is_aware(received_at) else received_at.date()


def _check_received(received_at):
    if received_at is None:
        raise ValidationError({"received_at": "请填写收到时间。"})
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": "收到时间不能晚于现在。"})
    return received_at


@transaction.atomic
def error_report_create(*, site, received_at, content, url="", reporter="", external_id="") -> ErrorReport:
    """Record a 找错 report; due by the end of the first working day after the day received (jinan §16)."""
    received_at = _check_received(received_at)
    if external_id and ErrorReport.objects.filter(site=site, external_id=external_id).exists():
        raise ValidationError({"external_id": "该平台编号的找错已登记。"})
    item = checklist.items_for(site.owner, _received_on(received_at)).get("error_report_late")
    workdays = int(item.thresholds.get("workdays", RULES["error_report_late"].threshold("workdays")))
    report = ErrorReport(
        site=site, received_at=received_at, content=content, url=url, reporter=reporter, external_id=external_id,
        due_on=add_workdays(_received_on(received_at), workdays),
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def message_create(*, received_at, content, site=None, account=None, author="", title="", public=True, valid=True,
                   external_id="") -> Message:
    """Record a message on a site or account; due within the owner's configured limit in working days."""
    if (site is None) == (account is None):
        raise ValidationError({"site": "请指定留言所在的网站或账号（二者选一）。"})
    received_at = _check_received(received_at)
    owner = site.owner if site else account.owner
    if external_id and Message.objects.filter(site=site, account=account, external_id=external_id).exists():
        raise ValidationError({"external_id": "该平台编号的留言已登记。"})
    limit = reply_limit_for(owner)
    message = Message(
        site=site, account=account, received_at=received_at, content=content, author=author, title=title,
        public=public, valid=valid, external_id=external_id, reply_workdays=limit,
        due_on=add_workdays(_received_on(received_at), limit),
    )
    message.full_clean()
    message.save()
    return message


def _reply(model, obj, *, user, reply: str, replied_at=None):
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if obj.replied_at is not None:
        raise DomainConflict("已答复，不能重复答复。")
    if not (reply or "").strip():
        raise ValidationError({"reply": "请填写答复内容。"})
    replied_at = replied_at or timezone.now()
    if timezone.is_naive(replied_at):
        replied_at = timezone.make_aware(replied_at)
    if replied_at < obj.received_at:
        raise ValidationError({"replied_at": "答复时间不能早于收到时间。"})
    if replied_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"replied_at": "答复时间不能晚于现在。"})
    obj.reply, obj.replied_at, obj.replied_by, obj.reply_entered_at = reply.strip(), replied_at, user, timezone.now()
    obj.save(update_fields=["reply", "replied_at", "replied_by", "reply_entered_at"])
    audit.record_action(obj, "reply", actor=user, comment=reply.strip()[:200])
    return obj


@transaction.atomic
def error_report_reply(*, report: ErrorReport, user, reply: str, replied_at=None) -> ErrorReport:
    return _reply(ErrorReport, report, user=user, reply=reply, replied_at=replied_at)


@transaction.atomic
def message_reply(*, message: Message, user, reply: str, replied_at=None) -> Message:
    return _reply(Message, message, user=user, reply=reply, replied_at=replied_at)


@transaction.atomic
def message_policy_set(*, organisation, reply_workdays: int, user) -> MessagePolicy:
    if not access.can_direct_unit(user, organisation):
        raise PermissionDenied("只有本单位主要负责人或主管单位可以设置留言答复时限。")
    policy, _ = MessagePolicy.objects.get_or_create(organisation=organisation, defaults={"reply_workdays": reply_workdays})
    policy.reply_workdays = reply_workdays
    policy.full_clean()
    policy.save()
    return policy


def is_late(obj, today: dt.date | None = None) -> bool:
    """Whether a report or message was (or still is) unanswered past its due date."""
    if obj.replied_at is not None:
        return _received_on(obj.replied_at) > obj.due_on
    return (today or local_today()) > obj.due_on
