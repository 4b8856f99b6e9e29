"""The checklist as data: the national version loaded by migration, and local versions over it that keep the
base's other thresholds and apply only while active and in their year."""
import datetime as dt

from rules import thresholds
from rules.models import ChecklistVersion
from tests.factories import ChecklistItemFactory, ChecklistVersionFactory

D = dt.date


def test_national_version_holds_spec_thresholds(db):
    version = thresholds.national_version(D(2024, 10, 1))
    items = {i.code: i for i in version.items.all()}
    assert set(items) >= {"column_stale", "site_unreachable", "site_interaction_veto", "message_late", "rectification_overdue"}
    assert items["column_stale"].thresholds["periods"]["notice"] == {"months": 6}
    assert items["site_unreachable"].thresholds == {"window_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15,
                                                    "max_failure_share": 0.05}
    assert items["site_columns_veto"].thresholds["key_stale"] == 5 and items["site_columns_veto"].thresholds["any_stale"] == 10
    assert items["message_late"].thresholds["default_workdays"] == 5 and items["account_stale"].kind == "veto"


def local_override(org, **thresholds_by_code):
    """A version of `org` over the national one, its items tightening (or adding) the codes named."""
    version = ChecklistVersionFactory(organisation=org, base=thresholds.national_version(D(2024, 10, 1)))
    for code, th in thresholds_by_code.items():
        ChecklistItemFactory(version=version, code=code, thresholds=th)
    return version


def test_override_keeps_the_base_keys_it_does_not_name(region):
    local_override(region.county, site_columns_veto={"key_stale": 3})
    items = thresholds.items_for(region.bureau, D(2024, 10, 1))
    assert items["site_columns_veto"].thresholds["key_stale"] == 3 and items["site_columns_veto"].thresholds["any_stale"] == 10


def test_an_inactive_or_later_version_does_not_apply(region):
    version = local_override(region.county, account_stale={"days": 7})
    assert thresholds.version_for(region.bureau, D(2023, 12, 31)).organisation is None  # year 2024 starts later
    ChecklistVersion.objects.filter(pk=version.pk).update(active=False)
    assert thresholds.version_for(region.bureau, D(2024, 10, 1)).organisation is None
