"""The checks' verdicts as of a day without recording findings: what the monthly report asks, so a report's
verdict on a subject is the inspection's of the period's last day (the same checks, the same thresholds in
force per unit)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from rules.thresholds import groups_for

from . import CHECKS
from .base import Context, Hit
from .columns import COUNTED_AS, judged_counts


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


def verdicts_as_of(scope, as_of: dt.date, codes, column_codes) -> tuple[dict[str, dict[int, Hit]], dict[str, Counter]]:
    """{code: {subject id: hit}} for the checks of `codes` over `scope` (an Organisation or None) as of `as_of`,
    each group by its own items (a rule not in force for a group finds nothing there); and for the column checks
    of `column_codes`, how many columns each finds per site ({code: Counter(site id -> columns)}), without the
    evidence of each: a report counts a rule's columns per site, and a province has tens of thousands of them.
    One pass over the groups, each group's context shared, so the columns' judging query runs once per group
    (columns.judged_counts, cached in the context) for the column rules and the site veto alike: as of a past
    day it takes a step down each column's update index, and it was taken three times."""
    hits: dict[str, dict[int, Hit]] = {code: {} for code in codes}
    counts: dict[str, Counter] = {code: Counter() for code in column_codes}
    for check, ctx, thresholds in _in_force(scope, as_of, [*codes, *column_codes]):
        if check.code in counts:
            key_categories = ctx.thresholds("site_columns_veto")["key_categories"]
            counted = COUNTED_AS[check.code]
            counts[check.code].update({c["site_id"]: c[counted] for c in judged_counts(ctx, key_categories) if c[counted]})
        else:
            for hit in check.run(ctx, thresholds):
                if not hit.past:
                    hits[check.code][hit.subject_id] = hit
    return hits, counts
