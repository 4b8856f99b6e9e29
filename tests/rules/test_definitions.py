"""One definition per rule code: every check is bound to its own, the national checklist is built from them,
and reading the checklist never writes."""
import dataclasses
import datetime as dt

import pytest

from inspections.checks import CHECKS, Context
from inspections.models import Finding
from rules import definitions, thresholds
from rules.checklist_data import NATIONAL_YEAR
from rules.models import ChecklistVersion

D = dt.date


def test_every_rule_code_has_one_definition_and_one_check_bound_to_it():
    # Site scanning's rules are judged by scans (scanning/services.py), the others by one inspection check each.
    assert sorted(check.code for check in CHECKS) == sorted(set(definitions.RULES) - set(definitions.SCAN_CODES))
    assert len(definitions.SCAN_CODES) == 8
    for check in CHECKS:
        assert check.rule is definitions.RULES[check.code]
        assert check.subject_type == check.rule.subject_type
    assert CHECKS[-1].code == "rectification_overdue"  # it reads the overdue state the run has just set


def test_the_national_checklist_is_loaded_from_the_definitions(db):
    version = thresholds.national_version(D(2024, 10, 1))
    assert version.year == NATIONAL_YEAR
    items = {item.code: item for item in version.items.all()}
    assert set(items) == set(definitions.RULES)
    for code, rule in definitions.RULES.items():
        item = items[code]
        assert (item.kind, item.thresholds, float(item.points), item.source, item.name) == (
            rule.severity, rule.thresholds, float(rule.points), rule.citation, rule.checklist_name)
    assert set(definitions.VETO_CODES) == {code for code, item in items.items() if item.kind == "veto"}


def test_labels_are_the_pages_texts():
    assert definitions.label("site_columns_veto") == "栏目不更新（单项否决）"
    assert definitions.label("account_stale") == "账号内容不更新"
    assert definitions.label("no_such_rule") == "no_such_rule"
    assert Finding(rule="rectification_overdue").rule_label == "逾期未整改"


def test_a_check_fills_a_threshold_its_item_does_not_name_from_the_definition():
    ctx = Context(as_of=D(2024, 10, 1))
    assert ctx.thresholds("column_stale")["periods"]["notice"] == {"months": 6}
    assert ctx.thresholds("site_columns_veto")["key_stale"] == 5
    seen = {}
    account_stale = next(c for c in CHECKS if c.code == "account_stale")
    dataclasses.replace(account_stale, check=lambda ctx, th: seen.update(th) or []).run(ctx, {})
    assert seen == {"days": 14}
    # The defaults handed out are copies: a caller cannot change the definition.
    definitions.default_thresholds("column_stale")["periods"]["news"]["days"] = 1
    assert definitions.RULES["column_stale"].thresholds["periods"]["news"] == {"days": 14}


def test_reading_the_checklist_never_writes(db):
    ChecklistVersion.objects.filter(organisation__isnull=True).update(active=False)
    with pytest.raises(thresholds.NoChecklist, match="没有启用的国家检查指标版本"):
        thresholds.items_for(None, D(2024, 10, 1))
    # Templates first: they name the national version as their base.
    ChecklistVersion.objects.exclude(organisation__isnull=True, template=False).delete()
    ChecklistVersion.objects.all().delete()
    with pytest.raises(thresholds.NoChecklist, match="尚未载入国家检查指标"):
        thresholds.version_for(None, D(2024, 10, 1))
    assert not ChecklistVersion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_still_finds_the_national_checklist():
    # The flush after each transactional test drops the migration's rows; the autouse fixture loads them again.
    assert thresholds.national_version(D(2024, 10, 1)).items.count() == len(definitions.RULES)
