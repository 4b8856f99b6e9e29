"""Findings left unrectified past their due date (逾期未整改): a rule over the run's own results."""
from __future__ import annotations

from rules.definitions import RULES, label

from ..models import Finding, FindingStatus
from .base import Check, Hit, iso


def rectification_overdue(ctx, th):
    rows = (
        Finding.objects.filter(status=FindingStatus.OVERDUE, found_on__lte=ctx.as_of).exclude(rule="rectification_overdue")
        .filter(ctx.scope("organisation"))
        .values("id", "organisation_id", "rule", "subject_name", "due_on", "found_on")
    )
    return [
        Hit(r["id"], r["organisation_id"], f"{label(r['rule'])} · {r['subject_name']}", {
            "finding": r["id"], "rule": r["rule"], "found_on": iso(r["found_on"]), "due_on": iso(r["due_on"]),
            "days_overdue": (ctx.as_of - r["due_on"]).days,
        })
        for r in rows
    ]


def finding_subjects(ctx):
    return Finding.objects.filter(ctx.scope("organisation"))


RECTIFICATION_OVERDUE = Check(RULES["rectification_overdue"], rectification_overdue, finding_subjects)
