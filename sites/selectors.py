"""Reads over sites and columns: the column tree, and each site's availability (checklist veto 站点无法访问)."""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rules.countdown import columns_with_countdown

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
    site_id: int
    start: dt.datetime
    end: dt.datetime
    total: int
    failed: int
    min_per_day: int

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
    def enough_probes(self) -> bool:
        """The checklist counts only a homepage probed at least 20 times on each of the 7 days."""
        return self.min_per_day >= settings.SITES_PROBES_PER_DAY_REQUIRED

    @property
    def unreachable(self) -> bool:
        """Veto `site_unreachable`: enough probes, and ≥ 5 % of them failed or took over 15 s."""
        return self.enough_probes and self.failed * 100 >= settings.SITES_UNREACHABLE_PERCENT * self.total


def availability_window(as_of: dt.date | None = None, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The 7×24 hours ending at the end of `as_of` (Asia/Shanghai), or now when that is earlier."""
    now = now or timezone.now()
    end = now
    if as_of is not None:
        day_end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
        end = min(day_end, now)
    return end - dt.timedelta(days=WINDOW_DAYS), end


def site_availability(sites, *, as_of: dt.date | None = None, now: dt.datetime | None = None) -> dict[int, Availability]:
    """Each site's probes over the window, in one aggregate query: {site id: Availability}."""
    start, end = availability_window(as_of, now)
    in_window = Q(probes__checked_at__gte=start, probes__checked_at__lt=end)
    annotations = {
        "probe_total": Count("probes", filter=in_window),
        "probe_failed": Count("probes", filter=in_window & Q(probes__ok=False)),
    }
    for i in range(WINDOW_DAYS):
        lo, hi = start + dt.timedelta(days=i), start + dt.timedelta(days=i + 1)
        annotations[f"day{i}"] = Count("probes", filter=Q(probes__checked_at__gte=lo, probes__checked_at__lt=hi))
    rows = sites.order_by().values("pk").annotate(**annotations)
    return {
        row["pk"]: Availability(
            site_id=row["pk"], start=start, end=end, total=row["probe_total"], failed=row["probe_failed"],
            min_per_day=min(row[f"day{i}"] for i in range(WINDOW_DAYS)),
        )
        for row in rows
    }


def unreachable_sites(sites=None, *, as_of: dt.date | None = None) -> list[Availability]:
    """The sites that meet the `site_unreachable` veto as of `as_of` (for the inspections)."""
    sites = Site.objects.all() if sites is None else sites
    return [a for a in site_availability(sites, as_of=as_of).values() if a.unreachable]
