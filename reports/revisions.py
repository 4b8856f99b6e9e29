"""Monthly reports issued and kept (issue 10, item 5): the report of a month is generated on the 1st and stored
as revision 1; regenerating it after late data makes the next revision, listing what changed, and only when
something did. The month's page shows the issued revisions, so a late update never silently rewrites it."""
from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from govmedia.core import audit
from organisations.models import Organisation

from rules import definitions

from .columns import SUMMARY_ROWS, VERDICT
from .figures import build_report
from .models import ReportRevision
from .periods import Period

# What a change lists per subject: its verdict and score, the rules that vetoed it, and each figure.
SUBJECT_KINDS = (("sites", "网站"), ("accounts", "账号"))


def _plain(report: dict) -> dict:
    return json.loads(json.dumps(report, cls=DjangoJSONEncoder))


def report_changes(old: dict, new: dict) -> list[dict]:
    """What differs between two issues of a report: per subject (added, removed, verdict, score, vetoes,
    figures) and in the region's totals. Comparing the previous month's column is the previous report's job."""
    changes: list[dict] = []
    for kind, label in SUBJECT_KINDS:
        before = {s["id"]: s for s in old.get(kind, [])}
        after = {s["id"]: s for s in new.get(kind, [])}
        for pk in sorted(before.keys() | after.keys()):
            a, b = before.get(pk), after.get(pk)
            name = (b or a)["name"]
            if a is None or b is None:
                changes.append({"subject": kind, "id": pk, "name": name, "field": "subject",
                                "old": None if a is None else label, "new": None if b is None else label})
                continue
            for field in ("verdict", "score"):
                if a.get(field) != b.get(field):
                    changes.append({"subject": kind, "id": pk, "name": name, "field": field, "old": a.get(field), "new": b.get(field)})
            vetoes_a = sorted(v["rule"] for v in a.get("vetoes", []))
            vetoes_b = sorted(v["rule"] for v in b.get("vetoes", []))
            if vetoes_a != vetoes_b:
                changes.append({"subject": kind, "id": pk, "name": name, "field": "vetoes", "old": vetoes_a, "new": vetoes_b})
            figures_a, figures_b = a.get("figures", {}), b.get("figures", {})
            for key in sorted(figures_a.keys() | figures_b.keys()):
                if figures_a.get(key) != figures_b.get(key):
                    changes.append({"subject": kind, "id": pk, "name": name, "field": f"figures.{key}",
                                    "old": figures_a.get(key), "new": figures_b.get(key)})
    totals_a, totals_b = old.get("totals", {}), new.get("totals", {})
    for key in sorted(totals_a.keys() | totals_b.keys()):
        if totals_a.get(key) != totals_b.get(key):
            changes.append({"subject": "totals", "id": None, "name": "合计", "field": key,
                            "old": totals_a.get(key), "new": totals_b.get(key)})
    return changes


FIELD_LABELS = {
    "subject": "对象", "verdict": "结论", "score": "得分", "vetoes": "否决项",
    "figures.updates": "更新条数", "figures.update_days": "更新天数", "figures.originals": "原创条数",
    "figures.longest_gap_days": "最长未更新（天）", "figures.longest_original_gap_days": "最长无原创（天）",
    "figures.weeks_without_update": "无更新的自然周", "figures.has_interaction": "互动功能",
    "figures.messages_received": "收到留言", "figures.messages_on_time": "按时答复", "figures.messages_late": "逾期答复",
    "figures.messages_overdue": "逾期未答复", "figures.messages_pending": "未到期留言", "figures.columns": "栏目数",
    "figures.stale_columns": "不更新栏目", "figures.stale_key_columns": "不更新的重点栏目", "figures.blank_columns": "空白栏目",
    "figures.probes": "监测次数", "figures.probes_failed": "监测失败次数", "figures.availability": "可用率",
    "figures.availability_percent": "可用率（%）", "figures.broken_links_found": "新错链", "figures.broken_links_open": "未修复错链",
    "figures.has_consultation_channel": "咨询渠道", "figures.messages_unanswered_over_limit": "超期未答复留言",
    "figures.error_reports_received": "收到找错", "figures.error_reports_on_time": "找错按时答复",
    "figures.error_reports_late": "找错逾期答复", "figures.error_reports_overdue": "找错逾期未答复",
    "figures.error_reports_pending": "找错未到期",
    **dict(SUMMARY_ROWS),
}


def _shown(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "verdict":
        return VERDICT.get(value, "—")
    if field == "vetoes":
        return "、".join(definitions.label(code) for code in value) or "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "无"
    return str(value)


def describe(change: dict) -> dict:
    """One change as the page lists it: the field's Chinese name and the values as read (no codes)."""
    field = change["field"]
    return {"name": change["name"], "label": FIELD_LABELS.get(field, "其他数字"),
            "old": _shown(field, change["old"]), "new": _shown(field, change["new"])}


def revisions_of(organisation: Organisation, period: Period):
    return ReportRevision.objects.filter(organisation=organisation, period=period.key).order_by("-revision")


def issue_revision(organisation: Organisation, period: Period, *, user=None, reason: str = "",
                   report: dict | None = None) -> tuple[ReportRevision, bool]:
    """Issue the month's report: the first time, revision 1; later, a new revision only when the report now
    differs from the latest one. Returns (the latest revision, whether it was created now)."""
    data = _plain(report if report is not None else build_report(organisation, period))
    latest = revisions_of(organisation, period).first()
    changes = report_changes(latest.data, data) if latest else []
    if latest is not None and not changes:
        return latest, False
    try:
        with transaction.atomic():
            revision = ReportRevision.objects.create(
                organisation=organisation, period=period.key, revision=(latest.revision + 1) if latest else 1,
                data=data, changes=changes, reason=reason[:200], generated_by=user,
            )
    except IntegrityError:  # a concurrent regeneration issued this number first: its revision stands
        return revisions_of(organisation, period).first(), False
    if user is not None:
        audit.record_action(revision, "report_revision", actor=user, comment=reason[:200],
                            changes={"period": period.key, "revision": revision.revision, "changed": len(changes)})
    return revision, True
