"""Local checklist versions as the office edits them (pages and API): create one for a unit, edit its items, adopt
a locality template (rules/packs.py). A local item adds a rule or tightens one, and never loosens a national veto
(SPEC "Locality packs"); threshold names are the contract of API.md "Checklist versions and locality packs".

Each unit has at most one active local version: the chain that governs a unit takes one local version per unit
(thresholds.py), so a second one would silently shadow the first.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from govmedia.core import audit
from organisations import access

from .definitions import RULES, TIGHTER, default_thresholds, label
from .models import ChecklistItem, ChecklistVersion, ItemKind
from .thresholds import Item, items_for, national_version
from .words import CATEGORY_WORDS, describe

# Threshold names a rule accepts beyond its defaults (API.md: backfill_late {"workdays", "effective_on"}).
EXTRA_KEYS = {"backfill_late": {"effective_on"}}
MAX_DAYS = 3650


# --------------------------------------------------------------------------------------------- validation


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DAYS


def _threshold_errors(code: str, thresholds) -> list[str]:
    name = f"“{label(code)}”（{code}）"
    if not isinstance(thresholds, dict):
        return [f"{name}的阈值须为对象，例如 {{\"days\": 14}}。"]
    defaults = default_thresholds(code)
    allowed = set(defaults) | EXTRA_KEYS.get(code, set())
    errors = []
    for key, value in thresholds.items():
        if key not in allowed:
            known = "、".join(sorted(allowed)) if allowed else "无"
            errors.append(f"{name}没有名为“{key}”的阈值；可设置的阈值：{known}。")
            continue
        default = defaults.get(key)
        if key == "effective_on":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                errors.append(f"{name}的施行日期“{value}”不是有效日期（格式如 2020-09-10）。")
        elif key == "periods":
            if not isinstance(value, dict) or not value:
                errors.append(f"{name}的栏目周期须按栏目类别给出，例如 {{\"news\": {{\"days\": 14}}}}。")
                continue
            for category, period in value.items():
                if category not in CATEGORY_WORDS:
                    errors.append(f"{name}没有栏目类别“{category}”；可用：{'、'.join(CATEGORY_WORDS)}。")
                elif not (isinstance(period, dict) and len(period) == 1 and set(period) <= {"days", "months"}
                          and _positive_int(next(iter(period.values())))):
                    errors.append(f"{name}中“{CATEGORY_WORDS[category]}”的周期须为 {{\"days\": 天数}} 或 {{\"months\": 月数}}（正整数）。")
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                errors.append(f"{name}的阈值“{key}”须为 true 或 false。")
        elif isinstance(default, int):
            if not _positive_int(value):
                errors.append(f"{name}的阈值“{key}”须为 1 到 {MAX_DAYS} 之间的整数。")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                errors.append(f"{name}的阈值“{key}”须为 0 到 1 之间的小数。")
        elif isinstance(default, list):
            if not isinstance(value, list) or any(v not in CATEGORY_WORDS for v in value):
                errors.append(f"{name}的阈值“{key}”须为栏目类别的列表（{'、'.join(CATEGORY_WORDS)}）。")
    return errors


def _looser(direction: str | None, local, national) -> bool:
    if direction == "lower":
        return local > national
    if direction == "higher":
        return local < national
    if direction == "superset":
        return not set(national) <= set(local)
    return local != national


def loosening_errors(code: str, *, thresholds: dict, enabled: bool, kind: str, national: Item | None) -> list[str]:
    """Why an item (its final state) would loosen the national veto of `code` ([] when it does not)."""
    if national is None or national.kind != ItemKind.VETO or not national.enabled:
        return []
    name = f"“{national.name or label(code)}”"
    national_values = {**default_thresholds(code), **national.thresholds}
    national_words = describe(code, national_values)
    if not enabled:
        return [f"{name}是国家单项否决指标，本地不能停用（全国：{national_words}）。"]
    if kind != ItemKind.VETO:
        return [f"{name}是国家单项否决指标，本地不能改为“{ItemKind(kind).label}”（全国：单项否决，{national_words}）。"]
    errors = []
    for key, value in thresholds.items():
        if key not in national_values:
            continue
        if _looser(TIGHTER.get(code, {}).get(key), value, national_values[key]):
            errors.append(
                f"{name}不能放宽国家单项否决指标：全国为“{national_words}”，"
                f"本地为“{describe(code, thresholds)}”。本地版本只能收紧。"
            )
    return errors


def _clean_entry(raw, index: int) -> tuple[dict | None, list[str]]:
    where = f"第 {index + 1} 项"
    if not isinstance(raw, dict):
        return None, [f"{where}须为对象，含 code 及可选的 thresholds、enabled、severity、source。"]
    code = raw.get("code")
    if not isinstance(code, str) or code not in RULES:
        return None, [f"{where}的规则代码“{code}”不存在。"]
    unknown = set(raw) - {"code", "thresholds", "enabled", "severity", "source"}
    if unknown:
        return None, [f"{where}（{code}）含未知字段：{'、'.join(sorted(unknown))}。"]
    errors = _threshold_errors(code, raw.get("thresholds", {}))
    if "enabled" in raw and not isinstance(raw["enabled"], bool):
        errors.append(f"{where}（{code}）的 enabled 须为 true 或 false。")
    if "severity" in raw and raw["severity"] not in ItemKind.values:
        errors.append(f"{where}（{code}）的 severity 须为 {'、'.join(ItemKind.values)} 之一。")
    if "source" in raw and (not isinstance(raw["source"], str) or len(raw["source"]) > 200):
        errors.append(f"{where}（{code}）的依据（source）须为不超过 200 字的文字。")
    return (raw if not errors else None), errors


def _final_items(existing: dict[str, ChecklistItem], raw_items, national: dict[str, Item]) -> dict[str, dict]:
    """The items a version will hold after `raw_items` are applied to `existing`; ValidationError otherwise."""
    if not isinstance(raw_items, list):
        raise ValidationError({"items": ["items 须为列表。"]})
    errors: list[str] = []
    final: dict[str, dict] = {}
    for index, raw in enumerate(raw_items):
        entry, entry_errors = _clean_entry(raw, index)
        errors += entry_errors
        if entry is None:
            continue
        code = entry["code"]
        if code in final:
            errors.append(f"规则“{label(code)}”（{code}）在 items 中出现了两次。")
            continue
        before = existing.get(code)
        base = national.get(code)
        rule = RULES[code]
        state = {
            "code": code,
            "name": before.name if before else (base.name if base else rule.checklist_name),
            "kind": before.kind if before else (base.kind if base else str(rule.severity)),
            "points": float(before.points) if before else (base.points if base else rule.points),
            "thresholds": {**(before.thresholds if before else {}), **entry.get("thresholds", {})},
            # Naming an item in a local version puts it in force there, unless it says otherwise.
            "enabled": entry.get("enabled", True),
            "source": entry.get("source", before.source if before else ""),
        }
        if "severity" in entry:
            state["kind"] = entry["severity"]
        errors += loosening_errors(code, thresholds=state["thresholds"], enabled=state["enabled"], kind=state["kind"],
                                   national=base)
        final[code] = state
    if errors:
        raise ValidationError({"items": errors})
    return final


def _save_items(version: ChecklistVersion, final: dict[str, dict]) -> None:
    for code, state in final.items():
        ChecklistItem.objects.update_or_create(version=version, code=code, defaults={k: v for k, v in state.items() if k != "code"})


# --------------------------------------------------------------------------------------------- services


def _check_may_edit(user, organisation) -> None:
    if not access.can_edit_checklist(user, organisation):
        raise PermissionDenied(f"只有“{organisation.name}”及其上级的监管人员可以编辑其检查指标。")


def _check_no_active_local(organisation) -> None:
    current = ChecklistVersion.objects.filter(organisation=organisation, active=True).first()
    if current is not None:
        raise ValidationError({"organisation": [
            f"“{organisation.name}”已有启用的本地版本“{current.name}”（编号 {current.pk}），请编辑该版本或先停用它。"
        ]})


@transaction.atomic
def create_local_version(*, user, organisation, items=(), year: int | None = None, name: str = "", source: str = "",
                         base: ChecklistVersion | None = None, on: dt.date) -> ChecklistVersion:
    """A local version for `organisation` (in force for it and everything below), on top of the national version."""
    _check_may_edit(user, organisation)
    _check_no_active_local(organisation)
    national = national_version(on)
    if base is not None and (base.organisation_id is not None or base.template):
        raise ValidationError({"base": ["所依据的版本须为国家检查指标版本。"]})
    base = base or national
    final = _final_items({}, list(items), items_for(None, on))
    version = ChecklistVersion.objects.create(
        organisation=organisation, base=base, year=year or on.year, active=True, source=source,
        name=name or f"{organisation.name}本地检查指标（{year or on.year}）",
    )
    _save_items(version, final)
    audit.record_action(version, "create", actor=user, changes={"items": [None, sorted(final)]})
    return version


@transaction.atomic
def update_local_version(*, user, version: ChecklistVersion, items=None, name: str | None = None,
                         source: str | None = None, active: bool | None = None, on: dt.date) -> ChecklistVersion:
    """Edit a local version: its name, source, whether it is active, and items (each named item is added or
    changed; items not named stay as they are)."""
    if version.organisation_id is None:
        raise ValidationError({"non_field_errors": ["国家检查指标版本和地方模板不能修改；请为单位建立本地版本。"]})
    _check_may_edit(user, version.organisation)
    if active and not version.active:
        _check_no_active_local(version.organisation)
    final = {}
    if items is not None:
        existing = {item.code: item for item in version.items.all()}
        final = _final_items(existing, items, items_for(None, on))
    changed = []
    for field, value in (("name", name), ("source", source), ("active", active)):
        if value is not None and getattr(version, field) != value:
            setattr(version, field, value)
            changed.append(field)
    if changed:
        version.save(update_fields=changed)
    _save_items(version, final)
    audit.record_action(version, "update", actor=user, changes={"fields": [None, changed], "items": [None, sorted(final)]})
    return version


@transaction.atomic
def adopt_template(*, user, organisation, template: ChecklistVersion, on: dt.date) -> ChecklistVersion:
    """The region adopts a locality template: a local version of its own holding a copy of the template's items."""
    if not template.template:
        raise ValidationError({"template": ["所选版本不是地方模板。"]})
    _check_may_edit(user, organisation)
    _check_no_active_local(organisation)
    raw = [{"code": i.code, "thresholds": i.thresholds, "enabled": i.enabled, "severity": i.kind, "source": i.source}
           for i in template.items.all()]
    final = _final_items({}, raw, items_for(None, on))
    version = ChecklistVersion.objects.create(
        organisation=organisation, base=template.base, year=template.year, active=True, source=template.source,
        name=f"{organisation.name}检查指标（采用{template.region}模板）", adopted_from=template,
        review_stages=list(template.review_stages or []),
    )
    _save_items(version, final)
    audit.record_action(version, "adopt_template", actor=user, changes={"template": [None, template.pk]})
    return version


# --------------------------------------------------------------------------------------------- reading


def checklist_for(organisation, on: dt.date) -> list[dict]:
    """The items in force for `organisation` (None: the national version) on `on`: each with its thresholds (over
    the definition's defaults) in words, its source, the version it comes from, and the national value."""
    merged = items_for(organisation, on)
    national = items_for(None, on) if organisation is not None else merged
    versions = {v.pk: v for v in ChecklistVersion.objects.filter(pk__in={i.version_id for i in merged.values()})}
    rows = []
    for code, item in merged.items():
        if not item.enabled:
            continue
        thresholds = {**default_thresholds(code), **item.thresholds}
        base = national.get(code)
        national_in_force = base is not None and base.enabled
        version = versions[item.version_id]
        rows.append({
            "code": code, "name": item.name, "label": label(code), "severity": item.kind,
            "severity_label": ItemKind(item.kind).label, "thresholds": thresholds, "words": describe(code, thresholds),
            "points": item.points, "source": item.source, "version": version.pk, "version_name": version.name,
            "local": version.organisation_id is not None,
            "national_thresholds": {**default_thresholds(code), **base.thresholds} if national_in_force else None,
            "national_words": describe(code, base.thresholds) if national_in_force else "",
        })
    return sorted(rows, key=lambda r: (list(ItemKind.values).index(r["severity"]), r["code"]))


def not_in_force(organisation, on: dt.date) -> list[dict]:
    """Rules the checklist knows that do not apply to `organisation` (regional rules its versions do not hold)."""
    merged = items_for(organisation, on)
    return [{"code": code, "name": item.name, "label": label(code), "source": item.source}
            for code, item in merged.items() if not item.enabled]
