"""Reads the report pages and API share: which organisation a request is about, within the caller's scope."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from organisations import access
from organisations.models import Organisation


def default_region(user) -> Organisation | None:
    """The broadest organisation the user sees: a supervisor's region, or a member's own unit."""
    return access.visible_organisations(user).order_by("path").first()


def resolve_organisation(user, raw, *, field: str = "organisation") -> Organisation:
    """The organisation named by `raw` (an id) if the user sees it; out of scope → 404, not a number → 400,
    missing → the user's default region."""
    if raw in (None, ""):
        org = default_region(user)
        if org is None:
            raise Http404("您没有可查看的单位。")
        return org
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: "单位编号必须是整数。"}) from None
    org = access.visible_organisations(user).filter(pk=pk).first()
    if org is None:
        raise Http404("单位不存在。")
    return org


def organisations_for_picker(user):
    """The organisations offered in a report's unit selector (indented by depth), excluding internal sections."""
    return access.visible_organisations(user).exclude(kind="internal").order_by("path").only("pk", "name", "path")


def self_inspection_units(user):
    return access.self_inspection_organisations(user).order_by("path")
