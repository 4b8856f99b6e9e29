"""Who sees and who may change a site, a column, its update records (one place per entity)."""
from django.shortcuts import get_object_or_404

from organisations.models import Membership, Organisation, Role

from .models import Column, Site

# Roles that record a column's updates for their unit; auditors only read.
RECORDING_ROLES = (Role.EDITOR, Role.SECTION_HEAD, Role.DEPUTY_HEAD, Role.PRINCIPAL, Role.OPERATOR)


def visible_sites(user):
    return Site.objects.for_user(user)


def visible_columns(user):
    return Column.objects.for_user(user)


def get_site_for(user, pk) -> Site:
    return get_object_or_404(visible_sites(user).select_related("owner", "operator", "supervisor"), pk=pk)


def get_column_for(user, pk) -> Column:
    return get_object_or_404(visible_columns(user).select_related("site", "parent", "responsible"), pk=pk)


def can_manage_owner(user, owner: Organisation | None) -> bool:
    """Sites of `owner` are kept by its supervisors and by its principal (主要负责人)."""
    if owner is None or not user.is_authenticated:
        return False
    if user.supervises(owner):
        return True
    return Membership.objects.filter(user=user, organisation=owner, role=Role.PRINCIPAL).exists()


def can_manage_site(user, site: Site) -> bool:
    return can_manage_owner(user, site.owner)


def can_record_update(user, column: Column) -> bool:
    """Staff of the owner, operator or responsible unit record a column's updates; supervisors may too."""
    if can_manage_site(user, column.site):
        return True
    orgs = {column.site.owner_id, column.site.operator_id, column.responsible_id} - {None}
    return Membership.objects.filter(user=user, organisation_id__in=orgs, role__in=RECORDING_ROLES).exists()
