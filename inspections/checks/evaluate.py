"""The checks' verdicts as of a day without recording findings: what the monthly report asks, so a report's
verdict on a subject is the inspection's of the period's last day (the same checks, the same thresholds in
force per unit)."""
from __future__ import annotations

import datetime as dt

from rules.definitions import default_thresholds
from rules.thresholds import groups_for

from . import CHECKS
from .base import Context, Hit


def _in_force(scope, as_of: dt.date, codes):
    """(check, context, thresholds) for each check of `codes` in force in each group of `scope` on `as_of`."""
    wanted = [check for check in CHECKS if check.code in set(codes)]
    for group in groups_for(scope, as_of):
        ctx = Context(as_of=as_of, include=group.include, exclude=group.exclude, items=group.items)
        for check in wanted:
            item = group.items.get(check.code)
            if item is None or not item.enabled:
                continue
            yield check, ctx, item.thresholds


def hits_as_of(scope, as_of: dt.date, codes) -> dict[str, dict[int, Hit]]:
    """{code: {subject id: hit}} for the checks of `codes` over `scope` (an Organisation or None) as of `as_of`,
    each group by its own items; a rule not in force for a group finds nothing there."""
    result: dict[str, dict[int, Hit]] = {code: {} for code in codes}
    for check, ctx, thresholds in _in_force(scope, as_of, codes):
        for hit in check.run(ctx, thresholds):
            if not hit.past:
                result[check.code][hit.subject_id] = hit
    return result


def column_sites_as_of(scope, as_of: dt.date, codes) -> dict[str, dict[int, int]]:
    """{code: {column id: its site's id}} for the column checks of `codes`, as `hits_as_of` finds them, without
    the evidence of each hit: a report counts a rule's columns per site, and a province has tens of thousands
    of them (reading and decoding each one's evidence cost more than finding them). A check whose hits the
    database builds (`rows`) is asked for the two ids alone; any other is run and its hits read."""
    result: dict[str, dict[int, int]] = {code: {} for code in codes}
    for check, ctx, thresholds in _in_force(scope, as_of, codes):
        rows = getattr(check, "rows", None)
        if rows is not None:
            found = rows(ctx, {**default_thresholds(check.code), **(thresholds or {})})
            result[check.code].update(found.values_list("pk", "site_id"))
        else:
            result[check.code].update(
                (hit.subject_id, hit.detail["site"]) for hit in check.run(ctx, thresholds) if not hit.past
            )
    return result
