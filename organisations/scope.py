"""Scoped querysets and fetch-and-authorise helpers for the entities of this app."""
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.models import Membership, Organisation, User


def visible_organisations(user):
    return Organisation.objects.for_user(user)


def visible_users(user):
    if user.is_superuser:
        return User.objects.all()
    orgs = visible_organisations(user).values("pk")
    ids = Membership.objects.filter(organisation__in=orgs).values("user_id")
    return User.objects.filter(Q(home_organisation__in=orgs) | Q(pk__in=ids) | Q(pk=user.pk))


def visible_memberships(user):
    return Membership.objects.filter(organisation__in=visible_organisations(user).values("pk"))


def get_organisation_for(user, pk) -> Organisation:
    return get_object_or_404(visible_organisations(user), pk=pk)


def get_user_for(user, pk) -> User:
    return get_object_or_404(visible_users(user), pk=pk)


def can_manage_organisation(user, organisation) -> bool:
    return user.is_authenticated and user.supervises(organisation)


def can_manage_user(actor, target: User) -> bool:
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    if target.home_organisation_id:
        return actor.supervises(target.home_organisation)
    orgs = Organisation.objects.filter(memberships__user=target)
    return any(actor.supervises(o) for o in orgs)


def require(condition: bool):
    if not condition:
        raise Http404
