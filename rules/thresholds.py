"""The checklist version in force for an organisation on a date: the national version of the year, with the
local overrides of the organisation and every unit above it applied on top (nearest last).

A run over a region splits it into groups: the part governed by the region's own chain, and each subtree
below it that has an override of its own. Rules run once per group, so the number of queries grows with the
number of local overrides (a handful), never with the number of subjects.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from govmedia.core import memo
from organisations.models import Organisation

from .definitions import default_thresholds
from .models import ChecklistItem, ChecklistVersion

# A request remembers the checklist it read (rules.countdown.unit_groups): any change of a version, an item or a
# unit's place in the tree forgets it, so a request never reads thresholds older than its own edit.
for _model in (ChecklistVersion, ChecklistItem, Organisation):
    post_save.connect(memo.forget, sender=_model, dispatch_uid=f"rules.forget_checklist_saved.{_model.__name__}")
    post_delete.connect(memo.forget, sender=_model, dispatch_uid=f"rules.forget_checklist_deleted.{_model.__name__}")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    kind: str
    thresholds: dict
    points: float
    enabled: bool
    version_id: int
    # The article this item enforces for the unit (the nearest version's wording).
    source: str = ""


@dataclass
class Group:
    """Part of a run's scope governed by one chain of versions: organisations under `include` (a path
    prefix, "" for everything) except those under any of `exclude`."""

    include: str
    exclude: list[str]
    items: dict[str, Item]
    versions: list[ChecklistVersion] = field(default_factory=list)

    @property
    def version(self) -> ChecklistVersion:
        return self.versions[-1]


class NoChecklist(Exception):
    pass


def national_version(on: dt.date) -> ChecklistVersion:
    """The newest active national version of `on`'s year or before (for a date before the first, the first).

    A read never writes: with no national version, it says so (the data migration loads one)."""
    national = ChecklistVersion.objects.filter(organisation__isnull=True, active=True, template=False)
    version = national.filter(year__lte=on.year).order_by("-year").first() or national.order_by("year").first()
    if version is None:
        if ChecklistVersion.objects.filter(organisation__isnull=True, template=False).exists():
            raise NoChecklist("没有启用的国家检查指标版本，请在管理后台启用一个版本。")
        raise NoChecklist("尚未载入国家检查指标，请执行数据库迁移（manage.py migrate rules）。")
    return version


def _local_versions(on: dt.date) -> dict[int, ChecklistVersion]:
    """The newest active local version (year ≤ on.year) of each organisation that has one."""
    chosen: dict[int, ChecklistVersion] = {}
    for version in (
        ChecklistVersion.objects.filter(organisation__isnull=False, active=True, year__lte=on.year)
        .select_related("organisation")
        .order_by("organisation_id", "-year")
    ):
        chosen.setdefault(version.organisation_id, version)
    return chosen


def _merge(versions: list[ChecklistVersion], items_by_version: dict[int, list[ChecklistItem]]) -> dict[str, Item]:
    merged: dict[str, Item] = {}
    for version in versions:
        for item in items_by_version.get(version.pk, []):
            base = merged.get(item.code)
            # An override tightens: its thresholds replace the base's keys it names, the rest stay.
            thresholds = {**(base.thresholds if base else {}), **(item.thresholds or {})}
            merged[item.code] = Item(
                code=item.code, name=item.name, kind=item.kind, thresholds=thresholds, points=float(item.points),
                enabled=item.enabled, version_id=version.pk, source=item.source or (base.source if base else ""),
            )
    return merged


def groups_for(scope, on: dt.date) -> list[Group]:
    """The groups of a run over `scope` (an Organisation, or None for everything) on date `on`."""
    national = national_version(on)
    locals_ = _local_versions(on)
    wanted = [national, *locals_.values()]
    items_by_version: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(version__in=wanted).order_by("version_id", "code"):
        items_by_version.setdefault(item.version_id, []).append(item)

    def chain(path: str) -> list[ChecklistVersion]:
        # Overrides of organisations on `path` (itself and above), root first.
        found = [v for v in locals_.values() if path.startswith(v.organisation.path)]
        return [national, *sorted(found, key=lambda v: len(v.organisation.path))]

    scope_path = scope.path if scope is not None else ""
    below = sorted(
        (v for v in locals_.values() if v.organisation.path.startswith(scope_path) and v.organisation.path != scope_path),
        key=lambda v: len(v.organisation.path),
    )
    roots = [scope_path, *(v.organisation.path for v in below)]
    groups = []
    for root in roots:
        deeper = [p for p in roots if p != root and p.startswith(root)]
        # Only the nearest deeper roots need excluding; their own subtrees follow from the prefix.
        exclude = [p for p in deeper if not any(q != p and p.startswith(q) for q in deeper)]
        versions = chain(root) if root else [national]
        groups.append(Group(include=root, exclude=exclude, items=_merge(versions, items_by_version), versions=versions))
    return groups


def items_for(organisation, on: dt.date) -> dict[str, Item]:
    """The items in force for one organisation (None: the national version alone)."""
    national = national_version(on)
    versions = [national]
    if organisation is not None:
        locals_ = _local_versions(on)
        found = [v for v in locals_.values() if organisation.path.startswith(v.organisation.path)]
        versions += sorted(found, key=lambda v: len(v.organisation.path))
    items_by_version: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(version__in=versions):
        items_by_version.setdefault(item.version_id, []).append(item)
    return _merge(versions, items_by_version)


def version_for(organisation, on: dt.date) -> ChecklistVersion:
    """The most specific version that applies to `organisation` on `on` (what a report names)."""
    national = national_version(on)
    if organisation is None:
        return national
    found = [v for v in _local_versions(on).values() if organisation.path.startswith(v.organisation.path)]
    return max(found, key=lambda v: len(v.organisation.path)) if found else national


def in_force(organisation, code: str, on: dt.date) -> Item | None:
    """The item of `code` in force for `organisation` on `on`, or None where the rule does not apply there
    (a regional rule the unit's versions do not hold, or an item switched off)."""
    item = items_for(organisation, on).get(code)
    return item if item is not None and item.enabled else None


def value(organisation, code: str, key: str, on: dt.date):
    """One threshold of the rule in force for `organisation` on `on` (None where the rule does not apply):
    what a workflow reads, so the workflow and the inspection use the same number."""
    item = in_force(organisation, code, on)
    if item is None:
        return None
    return {**default_thresholds(code), **item.thresholds}.get(key)


def national_items(on: dt.date) -> dict[str, Item]:
    """The national version's items (what a local value is compared with)."""
    return items_for(None, on)
