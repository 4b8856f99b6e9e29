"""Writes on organisations, people and roles. Views and serializers call these; they hold the rules."""
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from govmedia.core import audit

from organisations.models import Membership, Organisation, OrganisationKind, Role, User


def _check_parent(*, organisation: Organisation | None, kind: str, parent: Organisation | None) -> None:
    if kind == OrganisationKind.INTERNAL and parent is None:
        raise ValidationError({"parent": "内设机构必须隶属于一个单位。"})
    if organisation and parent and parent.path.startswith(organisation.path):
        raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})


@transaction.atomic
def organisation_create(*, name: str, kind: str, parent: Organisation | None, **fields) -> Organisation:
    _check_parent(organisation=None, kind=kind, parent=parent)
    organisation = Organisation(name=name, kind=kind, parent=parent, **fields)
    organisation.full_clean(exclude=["path"])
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields) -> Organisation:
    old_path = organisation.path
    parent = fields.get("parent", organisation.parent)
    kind = fields.get("kind", organisation.kind)
    _check_parent(organisation=organisation, kind=kind, parent=parent)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean(exclude=["path"])
    organisation.save()
    if organisation.path != old_path:
        # Re-root every descendant in one statement.
        Organisation.objects.filter(path__startswith=old_path).exclude(pk=organisation.pk).update(
            path=Concat(Value(organisation.path), Substr(F("path"), len(old_path) + 1))
        )
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation) -> None:
    organisation.delete()


@transaction.atomic
def user_create(*, username: str, password: str, home_organisation: Organisation | None = None, **fields) -> User:
    user = User(username=username, home_organisation=home_organisation, **fields)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, password: str | None = None, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, actor: User) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "未知角色。"})
    if organisation.kind == OrganisationKind.INTERNAL and role in (Role.SUPERVISOR, Role.AUDITOR):
        raise ValidationError({"role": "内设机构的人员不能担任主管或监管角色。"})
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": f"{user}已在{organisation}担任该角色。"})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record_action(membership, "grant_role", actor=actor, changes={"role": [None, role]})
    return membership


@transaction.atomic
def membership_withdraw(*, membership: Membership, actor: User) -> None:
    audit.record_action(membership, "withdraw_role", actor=actor, changes={"role": [membership.role, None]})
    membership.delete()
