"""Organisations, people and their roles (SPEC "Roles"). The scope each role gives is in `access`."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models, router
from django.utils import timezone


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    TOWNSHIP = "township", "乡镇（街道）"
    INSTITUTION = "institution", "事业单位"
    INTERNAL = "internal", "内设机构"
    CONTRACTOR = "contractor", "承办企业"


class Role(models.TextChoices):
    EDITOR = "editor", "信息员"
    SECTION_HEAD = "section_head", "股室负责人"
    DEPUTY_HEAD = "deputy_head", "分管负责人"
    PRINCIPAL = "principal", "主要负责人"
    SUPERVISOR = "supervisor", "主管单位工作人员"
    OPERATOR = "operator", "承办单位工作人员"
    AUDITOR = "auditor", "协同监管"


class AdminRole(models.TextChoices):
    """三员分立 (SPEC "Security model"): deployment-wide duties, one per person, none with a business role."""

    SYSTEM = "system", "系统管理员"
    SECURITY = "security", "安全管理员"
    AUDIT = "audit", "审计管理员"


class Organisation(models.Model):
    name = models.CharField("单位名称", max_length=200)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField("单位类型", max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级单位"
    )
    # Materialised path of ids ("/1/5/23/"): scope is one indexed prefix match, at any depth.
    path = models.CharField("层级路径", max_length=255, editable=False, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "单位"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_in_parent"),
        ]
        indexes = [models.Index(fields=["kind"], name="organisation_kind_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path is this row's own denormalised position; it needs the id, hence the second write.
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestor_ids(self) -> list[int]:
        """This organisation and every one above it."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def descendants(self, include_self: bool = True):
        qs = Organisation.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def get_additional_data(self):
        return {"organisation": self.pk}


class RoleRow(NamedTuple):
    """One membership of a user as the scope questions read it."""

    role: str
    organisation_id: int
    path: str
    top_level: bool  # the unit has no parent (a region's top office)


# Roles are asked many times per request (each panel, menu entry and permission) and change rarely. A user object
# remembers its memberships (`User.role_rows`) with this generation; any change of a membership or of a unit's place
# in the tree in this process moves it on, so no remembered copy outlives a change. Another process's change is
# read by the next request, whose user object is new.
_roles_generation = 0


def roles_changed(*args, **kwargs) -> None:
    """Forget every remembered set of roles (a membership granted or withdrawn, a unit moved). Also a signal
    receiver, hence the arguments."""
    global _roles_generation
    _roles_generation += 1


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    home_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所在单位",
    )
    # Another system's account (API.md "Service accounts"): no password, no pages; it signs in only with tokens an
    # administrator issues, which do not expire by idleness. Its scope comes from its memberships like anyone's.
    is_service = models.BooleanField("接口账号", default=False)
    # One field, not memberships at the root: these duties are deployment-wide (not a unit's), and a single
    # value makes "nobody holds two" true by construction. Business roles stay in Membership.
    admin_role = models.CharField("管理员职责", max_length=10, choices=AdminRole.choices, blank=True, default="")
    # When the password was last set (None: never since this field existed; then `date_joined` counts).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Set by a reset (or an expired password): the next sign-in leads to the change page, and nowhere else.
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.display_name or self.username

    def get_additional_data(self):
        return {"organisation": self.home_organisation_id}

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def password_expired(self, now: dt.datetime | None = None) -> bool:
        """Whether the password is older than `PASSWORD_EXPIRY_DAYS` (0: never expires), or a reset asks for a new
        one. Service accounts have no password."""
        if self.is_service or not self.has_usable_password():
            return False
        if self.must_change_password:
            return True
        days = settings.PASSWORD_EXPIRY_DAYS
        if not days:
            return False
        changed = self.password_changed_at or self.date_joined
        return changed + dt.timedelta(days=days) <= (now or timezone.now())

    def supervises(self, organisation) -> bool:
        """Whether this user holds the supervisor role on `organisation` or on any unit above it. Not the
        superuser by being one: under 三员分立 no administrator supervises or decides a business workflow
        (inspections, bulletins, approvals); his administrative powers are asked of organisations.access."""
        if organisation is None:
            return False
        above = set(organisation.ancestor_ids())
        return any(row.role == Role.SUPERVISOR and row.organisation_id in above for row in self.role_rows())

    @property
    def is_supervisor(self) -> bool:
        """Holds the supervisor role somewhere (the superuser only through a membership, as anyone)."""
        return any(row.role == Role.SUPERVISOR for row in self.role_rows())

    def __getstate__(self):
        # The remembered roles belong to this process (its generation): a pickled or copied user reads them afresh.
        state = super().__getstate__()
        state.pop("_govmedia_roles", None)
        return state

    def role_rows(self) -> tuple[RoleRow, ...]:
        """This user's memberships (role, unit, its path), read once for the object's life unless roles change
        (see `roles_changed`): what every scope question of `organisations.access` reads."""
        remembered = self.__dict__.get("_govmedia_roles")
        if remembered is not None and remembered[0] == _roles_generation:
            return remembered[1]
        generation = _roles_generation  # read before the query: a change during it makes the result stale at once
        if self.pk is None:
            return ()
        rows = tuple(
            RoleRow(role, organisation_id, path, parent_id is None)
            for role, organisation_id, path, parent_id in Membership.objects.filter(user_id=self.pk)
            .order_by("organisation__path", "role")
            .values_list("role", "organisation_id", "organisation__path", "organisation__parent_id")
        )
        self.__dict__["_govmedia_roles"] = (generation, rows)
        return rows




class Membership(models.Model):
    """One role of one person in one organisation. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="人员")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="单位"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__path", "role"]
        verbose_name = "角色分配"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["organisation", "role"], name="membership_org_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Not revoked (idle expiry is a question of each token's owner, see `ApiToken.is_expired`)."""
        return self.filter(revoked_at__isnull=True)

    def with_user_and_roles(self, key_hash: str) -> ApiToken | None:
        """The token of `key_hash` with its user, and the user's memberships remembered as `User.role_rows` reads
        them: one statement per API request instead of two, written once per process rather than compiled by the
        ORM on every request (issue 14: the token's select_related and the roles read were a tenth of a list
        page's time). One row per membership (one with none), ordered as `role_rows` orders them."""
        generation = _roles_generation  # read before the query, as role_rows does
        connection = connections[router.db_for_read(ApiToken)]
        statement, converters = _token_statement(connection)
        with connection.cursor() as cursor:
            cursor.execute(statement, [key_hash])
            rows = cursor.fetchall()
        if not rows:
            return None
        token_fields, user_fields = ApiToken._meta.concrete_fields, User._meta.concrete_fields
        first = list(rows[0])
        for index, convert, column in converters:  # the ORM's own conversions (SQLite's dates, JSON …)
            for function in convert:
                first[index] = function(first[index], column, connection)
        token = ApiToken.from_db(connection.alias, [f.attname for f in token_fields], first[:len(token_fields)])
        user = User.from_db(connection.alias, [f.attname for f in user_fields],
                            first[len(token_fields):len(token_fields) + len(user_fields)])
        roles = tuple(
            RoleRow(role, organisation_id, path, parent_id is None)
            for role, organisation_id, path, parent_id in (row[-4:] for row in rows) if role is not None
        )
        user.__dict__["_govmedia_roles"] = (generation, roles)
        ApiToken.user.field.set_cached_value(token, user)
        return token


_token_statements: dict[str, tuple[str, list]] = {}


def _token_statement(connection) -> tuple[str, list]:
    """with_user_and_roles' SQL for this database — the token's and the user's columns, then each membership's
    role, unit, path and parent — and the converters the ORM applies to the token's and user's columns."""
    if connection.alias not in _token_statements:
        converters = []
        for index, field in enumerate([*ApiToken._meta.concrete_fields, *User._meta.concrete_fields]):
            column = field.get_col(field.model._meta.db_table)
            convert = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if convert:
                converters.append((index, convert, column))
        q = connection.ops.quote_name
        t, u = q(ApiToken._meta.db_table), q(User._meta.db_table)
        m, o = q(Membership._meta.db_table), q(Organisation._meta.db_table)
        columns = [f"{t}.{q(f.column)}" for f in ApiToken._meta.concrete_fields]
        columns += [f"{u}.{q(f.column)}" for f in User._meta.concrete_fields]
        columns += [f"{m}.{q('role')}", f"{m}.{q('organisation_id')}", f"{o}.{q('path')}", f"{o}.{q('parent_id')}"]
        statement = (
            f"SELECT {', '.join(columns)} FROM {t} INNER JOIN {u} ON {u}.{q('id')} = {t}.{q('user_id')} "
            f"LEFT JOIN {m} ON {m}.{q('user_id')} = {u}.{q('id')} "
            f"LEFT JOIN {o} ON {o}.{q('id')} = {m}.{q('organisation_id')} "
            f"WHERE {t}.{q('key_hash')} = %s ORDER BY {o}.{q('path')}, {m}.{q('role')}"
        )
        _token_statements[connection.alias] = (statement, converters)
    return _token_statements[connection.alias]


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`). Only the SHA-256 of the key is stored; the key is shown once,
    when it is issued. A person's token comes from signing in and expires after `TOKEN_IDLE_HOURS` without use;
    a service account's is issued by an administrator and lasts until it is revoked or rotated."""

    KEY_PREFIX = "gm_"
    PREFIX_LENGTH = 10  # what lists show to tell tokens apart: "gm_" and the key's first seven characters

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("名称", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="签发人"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="撤销人"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "接口令牌"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked_idx")]

    def __str__(self):
        return f"{self.name or '令牌'}（{self.prefix}…）"

    def get_additional_data(self):
        return {"organisation": self.user.home_organisation_id}

    @staticmethod
    def generate_key() -> str:
        return ApiToken.KEY_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def expires_at(self) -> dt.datetime | None:
        """When an unused token of a person stops working; None for a service account's (and once revoked)."""
        if self.revoked_at or self.user.is_service:
            return None
        return (self.last_used_at or self.created_at) + dt.timedelta(hours=settings.TOKEN_IDLE_HOURS)

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        expires_at = self.expires_at
        return expires_at is not None and expires_at <= (now or timezone.now())



class RegionCalendarDay(models.Model):
    """A day a region declares a working day or a day off for itself and everything below it (a local holiday,
    a local make-up day), over the national calendar; entered by the region's own supervisors."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="calendar_days",
                                     verbose_name="地区（单位）")
    date = models.DateField("日期")
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "date"]
        verbose_name = "地区日历调整"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["organisation", "date"], name="region_calendar_day_unique")]

    def __str__(self):
        return f"{self.organisation_id} {self.date} {'工作日' if self.is_workday else '休息日'}"

    def get_additional_data(self):
        return {"organisation": self.organisation_id}
