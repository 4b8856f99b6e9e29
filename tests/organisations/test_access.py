"""The scope and permission questions of organisations.access, on the two-level region of the root conftest
(county → bureau → internal section; another county for the outsider). The owner is the bureau's principal,
the member its editor; the supervisor and auditor sit on the county. Objects of higher rooms are stand-ins:
access asks only organisation and role questions of them."""
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from govmedia.core import audit
from organisations import access
from organisations.models import Organisation, Role

from ..factories import OrganisationFactory, UserFactory, person


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def region_names(region, *keys):
    return {getattr(region, key).name for key in keys}


def test_under_paths_matches_each_unit_and_everything_below_and_nothing_without_paths(region):
    assert not Organisation.objects.filter(access.under_paths([])).exists()
    below_bureau = Organisation.objects.filter(access.under_paths([region.bureau.path]))
    assert names(below_bureau) == region_names(region, "bureau", "section")
    both = Organisation.objects.filter(access.under_paths([region.bureau.path, region.other_county.path]))
    assert names(both) == region_names(region, "bureau", "section", "other_county", "other_county_bureau")


def test_visible_organisations_owner_and_member_see_their_unit_outsider_nothing_of_the_region(region):
    assert names(access.visible_organisations(region.owner)) == {region.bureau.name}
    assert names(access.visible_organisations(region.member)) == {region.bureau.name}
    outsider_sees = names(access.visible_organisations(region.outsider))
    assert outsider_sees == region_names(region, "other_county", "other_county_bureau")
    county_wide = region_names(region, "county", "bureau", "other_bureau", "section")
    assert names(access.visible_organisations(region.supervisor)) == county_wide
    assert names(access.visible_organisations(region.auditor)) == county_wide
    assert not access.visible_organisations(AnonymousUser()).exists()
    assert not access.visible_organisations(UserFactory()).exists()  # no role anywhere
    assert set(access.organisation_ids_for(region.member).values_list("pk", flat=True)) == {region.bureau.pk}


def test_managed_directed_and_acting_organisations(region):
    county_wide = region_names(region, "county", "bureau", "other_bureau", "section")
    assert names(access.managed_organisations(region.supervisor)) == county_wide
    for user in (region.owner, region.member, region.auditor):
        assert not access.managed_organisations(user).exists()
    assert names(access.directed_organisations(region.owner)) == {region.bureau.name}
    assert names(access.directed_organisations(region.supervisor)) == county_wide
    assert not access.directed_organisations(region.member).exists()
    assert names(access.acting_organisations(region.member)) == {region.bureau.name}
    assert not access.acting_organisations(region.auditor).exists()  # auditors only read
    assert not (set(access.acting_organisations(region.outsider)) & {region.county, region.bureau})


def test_choices_of_units_to_name(region):
    # Owner: one's own units and everything below; supervisor/operator: anywhere in one's own region tree.
    assert names(access.owned_organisations(region.member)) == region_names(region, "bureau", "section")
    assert names(access.region_organisations(region.member)) == region_names(
        region, "county", "bureau", "other_bureau", "section"
    )
    assert not (names(access.region_organisations(region.outsider)) & {region.county.name, region.bureau.name})
    # 主管单位: what one sees, and the units above one's own (the bureau names the county that supervises it).
    assert names(access.supervising_organisations(region.member)) == region_names(region, "county", "bureau")


def test_people_and_memberships_in_scope(region):
    assert region.member in access.visible_users(region.supervisor)
    assert region.member in access.visible_users(region.owner)
    assert region.member not in access.visible_users(region.outsider)
    assert set(access.visible_users(region.outsider)) == {region.outsider}
    assert not access.visible_memberships(region.outsider).filter(organisation__in=[region.county, region.bureau]).exists()
    assert access.visible_memberships(region.owner).filter(user=region.member).exists()


def test_regional_reach(region):
    assert access.regional_paths(region.supervisor) == [region.county.path]
    assert access.regional_paths(region.member) == []
    assert access.regional_paths(UserFactory(is_superuser=True)) is None
    assert access.covers_region(region.supervisor, region.bureau)
    assert access.covers_region(region.auditor, region.county)
    assert not access.covers_region(region.owner, region.bureau)
    assert not access.covers_region(region.outsider, region.bureau)


def test_audit_entries_are_read_by_the_region_above_the_unit_only(region):
    entry = audit.record_action(region.bureau, "configure", actor=region.owner)
    assert entry.organisation_id == region.bureau.pk
    for reader in (region.supervisor, region.auditor):
        assert access.audit_entries_for(reader).filter(pk=entry.pk).exists()
    for reader in (region.owner, region.member, region.outsider):
        assert not access.audit_entries_for(reader).filter(pk=entry.pk).exists()
    assert access.can_read_audit(region.auditor) and not access.can_read_audit(region.owner)


@pytest.mark.parametrize("who, acts, directs", [
    ("owner", True, True), ("member", True, False), ("supervisor", True, True),
    ("auditor", False, False), ("outsider", False, False), ("neighbour", False, False),
])
def test_acting_for_and_directing_a_unit(region, who, acts, directs):
    user = getattr(region, who)
    assert access.can_act_for_unit(user, region.bureau) is acts
    assert access.can_direct_unit(user, region.bureau) is directs
    assert access.can_manage_site(user, SimpleNamespace(owner=region.bureau)) is directs


def test_anonymous_and_missing_units_may_do_nothing(region):
    anonymous = AnonymousUser()
    assert not access.can_act_for_unit(anonymous, region.bureau)
    assert not access.can_direct_unit(anonymous, region.bureau)
    assert not access.can_act_for_unit(region.owner, None)
    assert not access.can_write(anonymous, region.bureau)
    assert not access.can_run_inspection(anonymous, region.county)


def test_working_staff_write_and_record_updates_auditors_do_not(region):
    contractor = OrganisationFactory(name="甲县融媒体公司", parent=region.county)
    operator = person("operator", contractor, Role.OPERATOR)
    site = SimpleNamespace(owner=region.bureau, owner_id=region.bureau.pk, operator_id=contractor.pk)
    column = SimpleNamespace(site=site, responsible_id=None)
    assert access.can_record_update(region.member, column)
    assert access.can_record_update(operator, column)
    assert access.can_record_update(region.supervisor, column)  # keeps the site
    assert not access.can_record_update(region.auditor, column)
    assert not access.can_record_update(region.outsider, column)
    assert access.can_write(region.member, region.bureau) and not access.can_write(region.auditor, region.county)
    assert names(access.writable_organisations(region.member)) == {region.bureau.name}
    assert not access.writable_organisations(region.outsider).exists()


def test_filing_for_an_account_and_deciding_its_stages(region):
    contractor = OrganisationFactory(name="甲县运营公司", parent=region.county)
    operator = person("account-operator", contractor, Role.OPERATOR)
    account = SimpleNamespace(owner=region.bureau, operator=contractor, supervisor=region.county)
    assert access.can_file(region.member, account) and access.can_file(operator, account)
    assert not access.can_file(region.auditor, account) and not access.can_file(region.outsider, account)

    stage_roles = {"owner_principal": Role.PRINCIPAL, "supervisor": Role.SUPERVISOR}
    filing = SimpleNamespace(account=account, deciding_role=lambda stage=None: stage_roles.get(stage or "owner_principal"))
    assert access.can_decide_filing(region.owner, filing)
    assert not access.can_decide_filing(region.member, filing)
    assert not access.can_decide_filing(region.supervisor, filing)
    assert access.can_decide_filing(region.supervisor, filing, "supervisor")
    assert not access.can_decide_filing(region.owner, filing, "supervisor")
    assert not access.can_decide_filing(region.outsider, filing, "supervisor")


def test_supervisors_manage_units_people_inspections_and_bulletins(region):
    assert access.can_manage_organisation(region.supervisor, region.bureau)
    assert not access.can_manage_organisation(region.owner, region.bureau)
    assert access.can_manage_user(region.supervisor, region.member)
    assert not access.can_manage_user(region.outsider, region.member)
    assert not access.can_manage_user(region.supervisor, UserFactory(is_superuser=True))
    assert access.can_run_inspection(region.supervisor, region.county)
    assert not access.can_run_inspection(region.supervisor)  # everything at once: the superuser only
    assert not access.can_run_inspection(region.outsider, region.county)
    assert access.can_publish_bulletin(region.supervisor, region.county)
    assert not access.can_publish_bulletin(region.owner, region.bureau)


def test_the_top_office_keeps_the_calendar(region):
    assert access.can_edit_calendar(region.supervisor)
    bureau_supervisor = person("bureau-supervisor", region.bureau, Role.SUPERVISOR)
    assert not access.can_edit_calendar(bureau_supervisor)
    assert not access.can_edit_calendar(region.owner)


def test_role_sets_are_the_only_definitions():
    assert access.REGIONAL_ROLES == (Role.SUPERVISOR, Role.AUDITOR)
    assert access.WORKING_ROLES == access.UNIT_STAFF_ROLES + (Role.OPERATOR,)
    assert Role.AUDITOR not in access.WORKING_ROLES and Role.SUPERVISOR not in access.WORKING_ROLES
