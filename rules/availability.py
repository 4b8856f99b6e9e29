"""The one definition of "site unreachable" (站点无法访问, 国办秘函〔2019〕19号 单项否决): over the `window_days`
calendar days ending with `as_of` (Asia/Shanghai), the homepage was probed at least `min_probes_per_day` times
on every day, and at least `max_failure_share` of the probes failed or took longer than `timeout_seconds`.

The inspection, the monthly report and the site pages all count with `with_probe_counts` and judge with
`is_unreachable`, so they cannot disagree."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, FilteredRelation, Q

from .dates import end_of_day, start_of_day


def window(as_of: dt.date, th: dict) -> tuple[dt.date, dt.date]:
    """The first and last day judged."""
    return as_of - dt.timedelta(days=int(th["window_days"]) - 1), as_of


def failed_probe(th: dict, prefix: str = "probes__") -> Q:
    """A probe that counts as failed: not ok, or slower than the limit."""
    timeout_ms = int(float(th["timeout_seconds"]) * 1000)
    return Q(**{f"{prefix}ok": False}) | Q(**{f"{prefix}response_ms__gt": timeout_ms})


def with_probe_counts(queryset, as_of: dt.date, th: dict):
    """Sites annotated with `probe_total`, `probe_failed` and `probe_day0`… (probes on each day of the window)."""
    first, last = window(as_of, th)
    # The join itself bounded by the window (LEFT JOIN … ON checked_at in it): a site's probes of other days,
    # months of them, are never read, and a site without probes in the window still counts 0.
    queryset = queryset.alias(window_probes=FilteredRelation("probes", condition=Q(
        probes__checked_at__gte=start_of_day(first), probes__checked_at__lt=end_of_day(last))))
    annotations = {
        "probe_total": Count("window_probes"),
        "probe_failed": Count("window_probes", filter=failed_probe(th, prefix="window_probes__")),
    }
    for i in range(int(th["window_days"])):
        day = first + dt.timedelta(days=i)
        annotations[f"probe_day{i}"] = Count("window_probes", filter=Q(
            window_probes__checked_at__gte=start_of_day(day), window_probes__checked_at__lt=end_of_day(day)))
    return queryset.annotate(**annotations)


def min_per_day(row, th: dict) -> int:
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    return min(get(f"probe_day{i}") for i in range(int(th["window_days"])))


def enough_probes(minimum_per_day: int, th: dict) -> bool:
    return minimum_per_day >= int(th["min_probes_per_day"])


def is_unreachable(total: int, failed: int, minimum_per_day: int, th: dict) -> bool:
    """Enough probes on every day of the window, and the failed share at or above the limit."""
    return bool(total) and enough_probes(minimum_per_day, th) and failed >= float(th["max_failure_share"]) * total
