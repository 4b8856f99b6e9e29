"""The checks' verdicts as of a day without recording findings: what the monthly report asks, so a report's
verdict on a subject is the inspection's of the period's last day (the same checks, the same thresholds in
force per unit)."""
from __future__ import annotations

import datetime as dt

from rules.thresholds import groups_for

from . import CHECKS
from .base import Context, Hit


def hits_as_of(scope, as_of: dt.date, codes) -> dict[str, dict[int, Hit]]:
    """{code: {subject id: hit}} for the checks of `codes` over `scope` (an Organisation or None) as of `as_of`,
    each group by its own items; a rule not in force for a group finds nothing there."""
    wanted = [check for check in CHECKS if check.code in set(codes)]
    result: dict[str, dict[int, Hit]] = {check.code: {} for check in wanted}
    for group in groups_for(scope, as_of):
        ctx = Context(as_of=as_of, include=group.include, exclude=group.exclude, items=group.items)
        for check in wanted:
            item = group.items.get(check.code)
            if item is None or not item.enabled:
                continue
            for hit in check.run(ctx, item.thresholds):
                if not hit.past:
                    result[check.code][hit.subject_id] = hit
    return result
