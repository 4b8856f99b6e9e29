"""Writes on organisations, people and roles. Views and serializers call these; they hold the rules."""
import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict

from organisations import access
from organisations.models import ApiToken, Membership, Organisation, OrganisationKind, Role, User

SERVICE_PASSWORD_MESSAGE = "接口账号不设密码，只能使用管理员签发的令牌访问。"


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
def user_create(*, username: str, password: str = "", home_organisation: Organisation | None = None,
                is_service: bool = False, **fields) -> User:
    """A person (with an initial password), or a service account (`is_service`: no password, tokens only)."""
    user = User(username=username, home_organisation=home_organisation, is_service=is_service, **fields)
    if is_service:
        if password:
            raise ValidationError({"password": SERVICE_PASSWORD_MESSAGE})
        user.set_unusable_password()
    else:
        if not password:
            raise ValidationError({"password": "请设置初始密码。"})
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, password: str | None = None, actor: User | None = None, **fields) -> User:
    """Change a person's details. A new password or a deactivation revokes every token of theirs (API.md
    "Security"); a service account has no password to set."""
    deactivated = user.is_active and fields.get("is_active") is False
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        if user.is_service:
            raise ValidationError({"password": SERVICE_PASSWORD_MESSAGE})
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if password:
        tokens_revoke_all(user=user, actor=actor, reason="修改密码")
    elif deactivated:
        tokens_revoke_all(user=user, actor=actor, reason="停用账户")
    return user


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, actor: User) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "未知角色。"})
    if organisation.kind == OrganisationKind.INTERNAL and role in access.REGIONAL_ROLES:
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


# --- API tokens (API.md "Auth", "Security", "Service accounts") ---------------------------------------------------

def _token_create(*, user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:ApiToken.PREFIX_LENGTH], created_by=actor
    )
    return token, key


@transaction.atomic
def token_sign_in(*, user: User) -> tuple[ApiToken, str]:
    """A new token for a person who has just given their password: one per sign-in, so that signing out ends
    only this one. Service accounts never sign in with a password."""
    if user.is_service:
        raise ValidationError(SERVICE_PASSWORD_MESSAGE)
    return _token_create(user=user, name="登录", actor=user)


@transaction.atomic
def token_issue(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """An administrator issues a token to a service account. Returns the token and its key, shown only now."""
    if not user.is_service:
        raise ValidationError({"user": "只能为接口账号签发令牌；人员通过登录获取令牌。"})
    if not user.is_active:
        raise ValidationError({"user": "该接口账号已停用。"})
    token, key = _token_create(user=user, name=name, actor=actor)
    audit.record_action(token, "token_issue", actor=actor, changes={"token": [None, token.prefix]})
    return token, key


def _revoke(token: ApiToken, actor: User | None) -> None:
    # A conditional update: of two concurrent revocations only one finds the token still active.
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor):
        raise DomainConflict("该令牌已撤销。")
    token.revoked_at, token.revoked_by = now, actor


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User, comment: str = "") -> ApiToken:
    """Revoke one token (409 if it already is)."""
    _revoke(token, actor)
    audit.record_action(token, "token_revoke", actor=actor, comment=comment, changes={"revoked_at": [None, str(token.revoked_at)]})
    return token


@transaction.atomic
def token_rotate(*, token: ApiToken, actor: User) -> tuple[ApiToken, str]:
    """Revoke `token` and issue its successor under the same name; the new key is shown only now."""
    _revoke(token, actor)
    successor, key = _token_create(user=token.user, name=token.name, actor=actor)
    audit.record_action(
        token, "token_rotate", actor=actor, changes={"token": [token.prefix, successor.prefix]},
    )
    return successor, key


@transaction.atomic
def token_sign_out(*, token: ApiToken) -> None:
    """`POST auth/logout/`: the caller's own token ends."""
    _revoke(token, token.user)
    audit.record_action(token, "logout", actor=token.user)


@transaction.atomic
def tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Revoke every active token of `user` (a password change or reset, a deactivation); one audit entry."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if count:
        audit.record_action(user, "token_revoke", actor=actor, comment=f"{reason}，撤销全部令牌（{count}个）",
                            changes={"tokens": [count, 0]})
    return count


TOKENS_KEPT_DAYS = 30


def tokens_purge(*, now=None) -> int:
    """Delete people's tokens revoked or expired more than TOKENS_KEPT_DAYS ago (one statement). Service accounts'
    tokens are kept: the administrators' page shows their history, and they are few. The audit log keeps the
    issue, rotation and revocation entries either way."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=TOKENS_KEPT_DAYS)
    idle_cutoff = cutoff - dt.timedelta(hours=settings.TOKEN_IDLE_HOURS)
    deleted, _ = (
        ApiToken.objects.filter(user__is_service=False)
        .alias(used=Coalesce("last_used_at", "created_at"))
        .filter(Q(revoked_at__lt=cutoff) | Q(used__lt=idle_cutoff))
        .delete()
    )
    return deleted

