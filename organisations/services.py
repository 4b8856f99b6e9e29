"""Writes on organisations, people and roles. Views and serializers call these; they hold the rules."""
import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils import timezone

from govmedia.core import audit, memo
from govmedia.core.exceptions import DomainConflict

from organisations import access
from organisations.models import (
    AdminRole, ApiToken, Membership, Organisation, OrganisationKind, Role, User, roles_changed,
)

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
        # Re-root every descendant in one statement; one audit entry names them (an UPDATE bypasses the change log).
        below = Organisation.objects.filter(path__startswith=old_path).exclude(pk=organisation.pk)
        moved = list(below.values_list("pk", flat=True))
        below.update(path=Concat(Value(organisation.path), Substr(F("path"), len(old_path) + 1)))
        # The UPDATE sends no signal: remembered roles and a request's remembered checklist hold the old paths.
        roles_changed()
        memo.forget()
        if moved:
            audit.record_action(organisation, "update", actor=None, comment=f"下级单位 {len(moved)} 个随之移动",
                                data={"moved": moved})
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


LAST_SYSTEM_ADMIN_MESSAGE = "不能停用或撤销最后一名在用的系统管理员。"
LAST_SUPERUSER_MESSAGE = "不能停用最后一名在用的超级管理员。"
SELF_DEACTIVATION_MESSAGE = "不能停用自己的账号，请由其他管理员操作。"
RESET_FORBIDDEN_MESSAGE = "只有安全管理员可以重置他人的密码。"


def _guard_last_administrators(user: User, *, active: bool, admin_role: str) -> None:
    """The last active system administrator (and the last active superuser) stays: without them nobody keeps
    units and people, and the installation cannot recover (issue 12: the superuser deactivated himself)."""
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    leaving = user.is_active and user.admin_role == AdminRole.SYSTEM and (not active or admin_role != AdminRole.SYSTEM)
    if leaving and not others.filter(admin_role=AdminRole.SYSTEM).exists():
        raise ValidationError({"is_active" if not active else "admin_role": LAST_SYSTEM_ADMIN_MESSAGE})
    if user.is_active and user.is_superuser and not active and not others.filter(is_superuser=True).exists():
        raise ValidationError({"is_active": LAST_SUPERUSER_MESSAGE})


def _check_admin_role(user: User, admin_role: str) -> None:
    if admin_role not in [""] + list(AdminRole.values):
        raise ValidationError({"admin_role": "未知的管理员职责。"})
    if admin_role and user.is_service:
        raise ValidationError({"admin_role": "接口账号不能担任管理员。"})
    if admin_role and Membership.objects.filter(user=user).exists():
        raise ValidationError({"admin_role": "该人员担任业务角色，不能同时担任管理员（三员分立）；请先撤销其业务角色。"})


@transaction.atomic
def user_update(*, user: User, password: str | None = None, actor: User | None = None, request=None,
                **fields) -> User:
    """Change a person's details. Someone else's new password is a reset: the security administrator's alone,
    audited, and the person must change it at the next sign-in. A new password or a deactivation revokes every
    token of theirs (API.md "Security"); a service account has no password to set. An administrative duty
    (`admin_role`) is the security administrator's to give (三员分立: one per person, no business role)."""
    deactivated = user.is_active and fields.get("is_active") is False
    if deactivated and actor is not None and actor.pk == user.pk:
        # Nobody switches themselves off (issue 12: the superuser locked out the only administrator this way).
        raise ValidationError({"is_active": SELF_DEACTIVATION_MESSAGE})
    old_role = user.admin_role
    new_role = fields.get("admin_role", old_role)
    if new_role is None:
        new_role = fields["admin_role"] = ""
    if new_role != old_role:
        if actor is None or not access.can_grant_admin_role(actor, user):
            raise PermissionDenied("只有安全管理员可以指定或撤销管理员职责，且不能改变自己的职责。")
        _check_admin_role(user, new_role)
    if deactivated or new_role != old_role:
        # Serialise deactivations and role changes so that two at once cannot both pass the guard below.
        list(User.objects.select_for_update().filter(Q(admin_role=AdminRole.SYSTEM) | Q(is_superuser=True)))
        _guard_last_administrators(user, active=fields.get("is_active", user.is_active), admin_role=new_role)
    reset = bool(password) and actor is not None and actor.pk != user.pk
    if reset and not access.can_reset_password(actor, user):
        raise PermissionDenied(RESET_FORBIDDEN_MESSAGE)
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
        user.must_change_password = reset
    user.full_clean(exclude=["password"])
    user.save()
    if new_role != old_role:
        if old_role:
            audit.record_security_event("role_revoke", actor=actor, target=user, request=request,
                                        detail={"admin_role": old_role})
        if new_role:
            audit.record_security_event("role_grant", actor=actor, target=user, request=request,
                                        detail={"admin_role": new_role})
    if password:
        audit.record_security_event("password_reset" if reset else "password_change", actor=actor or user,
                                    target=user, request=request)
        tokens_revoke_all(user=user, actor=actor, reason="重置密码" if reset else "修改密码", request=request)
    elif deactivated:
        tokens_revoke_all(user=user, actor=actor, reason="停用账户", request=request)
    return user


@transaction.atomic
def password_reset(*, user: User, password: str, actor: User, request=None) -> User:
    """The security administrator gives `user` a new password, to be changed at their next sign-in."""
    if not access.can_reset_password(actor, user):
        raise PermissionDenied(RESET_FORBIDDEN_MESSAGE)
    return user_update(user=user, password=password, actor=actor, request=request)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, request=None) -> User:
    """A person changes their own password (the change page; forced when it expired or was reset)."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": "原密码不正确。"})
    if old_password == new_password:
        raise ValidationError({"new_password": "新密码不能与原密码相同。"})
    try:
        return user_update(user=user, password=new_password, actor=user, request=request)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "password" in exc.error_dict:
            raise ValidationError({"new_password": exc.message_dict["password"]}) from exc
        raise


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, request=None) -> int:
    """The security administrator removes a person's TOTP device and recovery codes (phone and codes lost): the
    next sign-in enrols anew. Never one's own (that would skip proving the present factor)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not access.can_unlock(actor) or actor.pk == user.pk:
        raise PermissionDenied("只有安全管理员可以重置他人的双因素认证。")
    count = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit.record_action(user, "otp_reset", actor=actor, comment="重置双因素认证，下次登录须重新绑定")
    tokens_revoke_all(user=user, actor=actor, reason="重置双因素认证", request=request)
    return count


def user_unlock(*, user: User, actor: User, request=None) -> int:
    """Lift every lockout of `user` (django-axes attempts for their name, from any address)."""
    from axes.utils import reset  # axes' models load only once apps are ready

    if not access.can_unlock(actor):
        raise PermissionDenied("只有安全管理员可以解除锁定。")
    count = reset(username=user.username)
    audit.record_security_event("lockout", actor=actor, target=user, request=request,
                                detail={"comment": "解除锁定", "unlocked": count})
    return count


def _refuse_own_roles(user: User, actor: User) -> None:
    # SPEC: nobody grants or withdraws their own roles (a supervisor once made himself every reviewer).
    if actor is not None and user.pk == actor.pk:
        raise PermissionDenied("不能为自己分配或撤销角色，请由其他有权限的人员办理。")


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, actor: User, request=None) -> Membership:
    _refuse_own_roles(user, actor)
    if role not in Role.values:
        raise ValidationError({"role": "未知角色。"})
    if organisation.kind == OrganisationKind.INTERNAL and role in access.REGIONAL_ROLES:
        raise ValidationError({"role": "内设机构的人员不能担任主管或监管角色。"})
    if user.admin_role or user.is_superuser:
        # 三员分立: the administrators (and the superuser) decide no business workflow, so they hold no role.
        raise ValidationError({"role": f"{user}是管理员，不能担任业务角色（三员分立）。"})
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": f"{user}已在{organisation}担任该角色。"})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record_security_event("role_grant", actor=actor, target=membership, request=request,
                                detail={"role": role, "user": user.pk})
    return membership


@transaction.atomic
def membership_withdraw(*, membership: Membership, actor: User, request=None) -> None:
    _refuse_own_roles(membership.user, actor)
    audit.record_security_event("role_revoke", actor=actor, target=membership, request=request,
                                detail={"role": membership.role, "user": membership.user_id})
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
def token_sign_out(*, token: ApiToken, request=None) -> None:
    """`POST auth/logout/`: the caller's own token ends."""
    _revoke(token, token.user)
    audit.record_security_event("logout", actor=token.user, target=token.user, request=request,
                                detail={"token": token.prefix})


@transaction.atomic
def tokens_revoke_all(*, user: User, actor: User | None, reason: str, request=None) -> int:
    """Revoke every active token of `user` (a password change or reset, a deactivation); one audit entry."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if count:
        audit.record_security_event("token_revoke", actor=actor, target=user, request=request,
                                    detail={"comment": f"{reason}，撤销全部令牌（{count}个）", "tokens": count})
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

