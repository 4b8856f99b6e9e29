"""The national checklist (国办秘函〔2019〕19号) with SPEC's rule thresholds, as migration rules 0002 loads it:
one item per rule definition, in the definitions' order. Tests that flush the database load it again through
the same `load_national`."""
from __future__ import annotations

from .definitions import RULES, default_thresholds
from .packs import REGIONAL_ONLY

NATIONAL_YEAR = 2019
NATIONAL_NAME = "政府网站与政务新媒体检查指标（全国）"
NATIONAL_SOURCE = "国务院办公厅秘书局 国办秘函〔2019〕19号；本地规定见各条依据"

# (code, name, kind, thresholds, points, source, enabled): a regional-only rule is listed with its product default
# but disabled, so it applies only where a unit's own version holds it (rules/packs.py).
ITEMS = [
    (rule.code, rule.checklist_name, str(rule.severity), default_thresholds(rule.code), rule.points, rule.citation,
     rule.code not in REGIONAL_ONLY)
    for rule in RULES.values()
]


def load_national(version_model, item_model):
    """Create the national version and its items with the given models (a migration's historical models,
    or the real ones); returns the version."""
    version = version_model.objects.create(year=NATIONAL_YEAR, name=NATIONAL_NAME, active=True, source=NATIONAL_SOURCE)
    item_model.objects.bulk_create([
        item_model(version=version, code=code, name=name, kind=kind, thresholds=thresholds, points=points, source=source,
                   enabled=enabled)
        for code, name, kind, thresholds, points, source, enabled in ITEMS
    ])
    return version
