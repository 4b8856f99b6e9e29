"""Reads over sites and columns: the column tree, and each site's availability (checklist veto 站点无法访问)."""
import datetime as dt
import json
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404
from django.utils import timezone

from rules import availability as availability_rule
from rules.countdown import columns_with_countdown, items_by_unit, thresholds_in
from rules.dates import end_of_day, start_of_day

from .models import Column, Site

WINDOW_DAYS = 7


def get_site_for(user, pk) -> Site:
    """One site in the caller's scope; out of scope is not found."""
    return get_object_or_404(Site.objects.for_user(user).select_related("owner", "operator", "supervisor"), pk=pk)


def get_column_for(user, pk) -> Column:
    """One column in the caller's scope; out of scope is not found."""
    return get_object_or_404(Column.objects.for_user(user).select_related("site", "parent", "responsible"), pk=pk)


def column_tree(site: Site) -> list[Column]:
    """Every column of `site` in tree order (parents before their children), each with `.depth`; one query."""
    # Each column carries its countdown (`deadline`, `days_left`) so the page shows it before inspections do.
    columns = list(columns_with_countdown(site.columns.select_related("responsible"), today=timezone.localdate()).order_by("id"))
    children: dict[int | None, list[Column]] = {}
    ids = {c.pk for c in columns}
    for column in columns:
        parent = column.parent_id if column.parent_id in ids else None
        children.setdefault(parent, []).append(column)
    ordered: list[Column] = []

    def walk(parent_id, depth):
        for column in children.get(parent_id, []):
            column.depth = depth
            column.has_children = column.pk in children
            ordered.append(column)
            walk(column.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass(frozen=True)
class Availability:
    """A site's probes over the window of rules.availability, judged by the thresholds in force for its owner."""

    site_id: int
    start: dt.datetime
    end: dt.datetime
    total: int
    failed: int
    min_per_day: int
    thresholds: dict = field(default_factory=dict)

    @property
    def failed_share(self) -> float | None:
        return self.failed / self.total if self.total else None

    @property
    def availability(self) -> float | None:
        return 1 - self.failed_share if self.total else None

    @property
    def percent(self) -> str:
        """Availability for people: "98.96" (per cent, two decimals)."""
        return f"{self.availability * 100:.2f}" if self.total else ""

    @property
    def required_per_day(self) -> int:
        return int(self.thresholds["min_probes_per_day"])

    @property
    def limit_percent(self) -> str:
        return f"{float(self.thresholds['max_failure_share']) * 100:g}"

    @property
    def window_days(self) -> int:
        return int(self.thresholds["window_days"])

    @property
    def enough_probes(self) -> bool:
        return availability_rule.enough_probes(self.min_per_day, self.thresholds)

    @property
    def unreachable(self) -> bool:
        """Veto `site_unreachable`, rules.availability's one definition."""
        return availability_rule.is_unreachable(self.total, self.failed, self.min_per_day, self.thresholds)


def site_availability(sites, *, as_of: dt.date | None = None) -> dict[int, Availability]:
    """Each site's probes over the window ending with `as_of` (default today), by the thresholds in force for its
    owner: one aggregate query per distinct set of thresholds (national plus the few local ones)."""
    as_of = as_of or timezone.localdate()
    items_at = items_by_unit(as_of)
    by_thresholds: dict[str, tuple[dict, list[int]]] = {}
    for pk, path in sites.order_by().values_list("pk", "owner__path"):
        th = thresholds_in(items_at(path), "site_unreachable")
        by_thresholds.setdefault(json.dumps(th, sort_keys=True), (th, []))[1].append(pk)
    result = {}
    for th, ids in by_thresholds.values():
        first, last = availability_rule.window(as_of, th)
        days = [f"probe_day{i}" for i in range(int(th["window_days"]))]
        rows = availability_rule.with_probe_counts(Site.objects.filter(pk__in=ids), as_of, th).values(
            "pk", "probe_total", "probe_failed", *days
        )
        for row in rows:
            result[row["pk"]] = Availability(
                site_id=row["pk"], start=start_of_day(first), end=end_of_day(last), total=row["probe_total"],
                failed=row["probe_failed"], min_per_day=availability_rule.min_per_day(row, th), thresholds=th,
            )
    return result


def unreachable_sites(sites=None, *, as_of: dt.date | None = None) -> list[Availability]:
    """The sites that meet the `site_unreachable` veto as of `as_of` (for the inspections)."""
    sites = Site.objects.all() if sites is None else sites
    return [a for a in site_availability(sites, as_of=as_of).values() if a.unreachable]
