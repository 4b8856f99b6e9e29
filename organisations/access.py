"""Every scope and permission question of govmedia, in one module (SPEC "Roles").

Scope is by organisation. A member sees their own units; a supervisor or an auditor (`REGIONAL_ROLES`) sees
everything below the units they hold that role in, matched as one indexed prefix of the materialised path.
Rooms above this one scope their own querysets through `organisation_ids_for` or `under_paths`, and pass their
objects in (a site, a column, an account, a finding): this module asks only organisation and role questions,
so it imports nothing above `organisations`.
"""
from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from govmedia.core import paging
from govmedia.core.models import AuditEntry

from organisations.models import AdminRole, ApiToken, Membership, Organisation, OrganisationKind, Role, User

# --- Role sets -------------------------------------------------------------------------------------------------

# Roles whose scope reaches every organisation below their own.
REGIONAL_ROLES = (Role.SUPERVISOR, Role.AUDITOR)
# A unit's own people (told about its new findings).
UNIT_STAFF_ROLES = (Role.EDITOR, Role.SECTION_HEAD, Role.DEPUTY_HEAD, Role.PRINCIPAL)
# Roles that do a unit's work: its own people and a contracted operator. They write posts, record a column's
# updates and may be given a review stage; auditors and supervisors only read and oversee.
WORKING_ROLES = UNIT_STAFF_ROLES + (Role.OPERATOR,)


# --- Paths -----------------------------------------------------------------------------------------------------

def under_paths(paths, field: str = "path") -> Q:
    """Rows whose organisation path (`field`, e.g. "owner__path") lies under any of `paths`, each unit included;
    no paths, no rows."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _roles(user) -> tuple:
    """The user's memberships, read once per user object (a request's) and forgotten when roles change
    (`User.role_rows`): every question below asks these rather than the database again."""
    if not user or not user.is_authenticated:
        return ()
    return user.role_rows()


def role_paths(user, roles) -> list[str]:
    """Paths of the organisations where `user` holds any of `roles`."""
    return [row.path for row in _roles(user) if row.role in roles]


def held_roles(user) -> set[str]:
    """The roles `user` holds anywhere."""
    return {row.role for row in _roles(user)}


def regional_paths(user) -> list[str] | None:
    """Paths of the regions the user oversees (supervisor or auditor); None for the superuser: everything."""
    if user.is_superuser:
        return None
    return role_paths(user, REGIONAL_ROLES)


# --- 三员分立: the three administrators (SPEC "Security model") ------------------------------------------------
# Each is `User.admin_role`; the superuser holds all three powers (how an installation starts and recovers) and,
# like them, decides no business workflow (`is_administrator` is asked by every workflow decision).

def _admin_role(user) -> str:
    if not user or not user.is_authenticated or not user.is_active:
        return ""
    return getattr(user, "admin_role", "") or ""


def is_system_admin(user) -> bool:
    """系统管理员: units, people, the national calendar, settings."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser) or _admin_role(user) == AdminRole.SYSTEM


def is_security_admin(user) -> bool:
    """安全管理员: roles, password and session policy, password resets, unlocking."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser) or _admin_role(user) == AdminRole.SECURITY


def is_audit_admin(user) -> bool:
    """审计管理员: reads the whole audit log, nothing else."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser) or _admin_role(user) == AdminRole.AUDIT


def is_administrator(user) -> bool:
    """One of the three, or the superuser: none of them decides a business workflow."""
    return bool(user and user.is_authenticated and user.is_superuser) or bool(_admin_role(user))


def needs_second_factor(user) -> bool:
    """Administrators and supervisors sign in with a TOTP code as well (service accounts never sign in)."""
    if not user or not user.is_authenticated or user.is_service:
        return False
    return is_administrator(user) or any(row.role == Role.SUPERVISOR for row in _roles(user))


def can_reset_password(actor, target) -> bool:
    """Only the security administrator (and the superuser) resets someone else's password; never their own
    (that is the change page, with the old password), never a service account's (it has none), and only the
    superuser resets the superuser's."""
    if not is_security_admin(actor) or target.pk == actor.pk or target.is_service:
        return False
    return actor.is_superuser or not target.is_superuser


def can_unlock(actor) -> bool:
    """The security administrator lifts a lockout."""
    return is_security_admin(actor)


def can_grant_admin_role(actor, target) -> bool:
    """The security administrator assigns the three duties (roles), not to themself, never to the superuser."""
    return is_security_admin(actor) and target.pk != actor.pk and not target.is_superuser and not target.is_service


# --- Organisations, people, memberships ---------------------------------------------------------------------

def visible_organisations(user):
    """The organisations `user` may see: their own, and everything below those they supervise or audit; every
    unit for the system and security administrators (they keep units, people and roles)."""
    if not user or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser or is_system_admin(user) or is_security_admin(user):
        return Organisation.objects.all()
    return _member_organisations(user)


def _member_organisations(user):
    """The units a member sees through their memberships (the business scope)."""
    memberships = _roles(user)
    if not memberships:
        return Organisation.objects.none()
    regional = [row.path for row in memberships if row.role in REGIONAL_ROLES]
    own = {row.path for row in memberships if row.role not in REGIONAL_ROLES}
    return Organisation.objects.filter(under_paths(regional) | Q(path__in=own))


def organisation_ids_for(user):
    """The units whose business rows `user` sees, as a subquery: how rooms above scope their own rows. The three
    administrators hold no business role and so see no business rows (the superuser sees everything)."""
    if not user or not user.is_authenticated:
        return Organisation.objects.none().values("pk")
    if user.is_superuser:
        return Organisation.objects.values("pk")
    return paging.few_ids(_member_organisations(user).values("pk"))


def managed_organisations(user):
    """The organisations `user` administers: those they supervise and everything below them (every unit for the
    system administrator)."""
    if user.is_superuser or is_system_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(under_paths(role_paths(user, [Role.SUPERVISOR])))


def directed_organisations(user):
    """The units `user` directs (see `can_direct_unit`): those they supervise, and those whose principal they are
    (none for an administrator: 三员分立)."""
    if is_administrator(user):
        return Organisation.objects.none()
    principal_of = Membership.objects.filter(user=user, role=Role.PRINCIPAL).values("organisation")
    return Organisation.objects.filter(Q(pk__in=managed_organisations(user).values("pk")) | Q(pk__in=principal_of))


def acting_organisations(user):
    """The units `user` acts for (see `can_act_for_unit`): their own (not as auditor) and those they supervise
    (none for an administrator: 三员分立)."""
    if is_administrator(user):
        return Organisation.objects.none()
    own = Membership.objects.filter(user=user).exclude(role=Role.AUDITOR).values("organisation")
    return Organisation.objects.filter(Q(pk__in=own) | Q(pk__in=managed_organisations(user).values("pk")))


def self_inspection_organisations(user):
    """Units whose monthly self-inspection (每月自查) `user` fills in: those they act for, internal sections
    excluded (an auditor acts for none, so the menu does not offer them the page)."""
    return acting_organisations(user).exclude(kind=OrganisationKind.INTERNAL)


def can_self_inspect(user) -> bool:
    return user.is_authenticated and self_inspection_organisations(user).exists()


def region_organisations(user):
    """Units that may be named as supervisor, operator or co-producer: anything in the caller's own region (the tree
    their units belong to), since the supervising office sits above a unit and a contractor beside it."""
    if user.is_superuser:
        return Organisation.objects.all()
    paths = [row.path for row in _roles(user)]
    roots = {"/" + path.strip("/").split("/")[0] + "/" for path in paths if path}
    return Organisation.objects.filter(under_paths(roots))


def owned_organisations(user):
    """Units the caller might name as owner: their own units and everything below them (so that an internal
    section is refused with a reason rather than reported as unknown)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(under_paths({row.path for row in _roles(user)}))


def supervising_organisations(user):
    """Units one may name as a 主管单位: those one sees, and the units above one's own (a bureau's principal
    names the county office that supervises the bureau without seeing the county's data)."""
    above: set[int] = set()
    for path in {row.path for row in _roles(user)}:
        above.update(int(part) for part in path.strip("/").split("/") if part)
    return Organisation.objects.filter(Q(pk__in=organisation_ids_for(user)) | Q(pk__in=above))


def get_organisation_for(user, pk) -> Organisation:
    return get_object_or_404(visible_organisations(user), pk=pk)


def visible_users(user):
    """People of the organisations `user` sees (by home unit or role), and `user` themself; everybody for the
    system and security administrators (people; resets, unlocking and roles)."""
    if user.is_superuser or is_system_admin(user) or is_security_admin(user):
        return User.objects.all()
    orgs = organisation_ids_for(user)
    ids = Membership.objects.filter(organisation__in=orgs).values("user_id")
    return User.objects.filter(Q(home_organisation__in=orgs) | Q(pk__in=ids) | Q(pk=user.pk))


def get_user_for(user, pk) -> User:
    return get_object_or_404(visible_users(user), pk=pk)


def visible_memberships(user):
    return Membership.objects.filter(organisation__in=visible_organisations(user).values("pk"))


def covers_region(user, organisation: Organisation) -> bool:
    """Whether the user sees `organisation` and everything below it (a supervisor or auditor of it or above)."""
    if user.is_superuser:
        return True
    above = set(organisation.ancestor_ids())
    return any(row.role in REGIONAL_ROLES and row.organisation_id in above for row in _roles(user))


def audit_entries_for(user):
    """Audit entries about the organisations the user supervises or audits; all of them for the audit
    administrator (and the superuser)."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if is_audit_admin(user):
        return entries
    regions = Organisation.objects.filter(under_paths(role_paths(user, REGIONAL_ROLES)))
    return entries.filter(organisation_id__in=regions.values("pk"))


# --- Who may do what -------------------------------------------------------------------------------------------

def _holds(user, organisation, roles) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return any(row.organisation_id == organisation.pk and row.role in roles for row in _roles(user))


def can_act_for_unit(user, organisation) -> bool:
    """A member of the unit other than an auditor, or a supervisor above it: files accounts in the unit's name,
    answers its findings, error reports and messages. No administrator, the superuser included (三员分立)."""
    if organisation is None or not user.is_authenticated or is_administrator(user):
        return False
    if user.supervises(organisation):
        return True
    return any(row.organisation_id == organisation.pk and row.role != Role.AUDITOR for row in _roles(user))


def can_direct_unit(user, organisation) -> bool:
    """The unit's principal (主要负责人) or a supervisor above it: registers and keeps the unit's sites, sets its
    review policy and its reply limit for messages. No administrator, the superuser included (三员分立)."""
    if organisation is None or not user.is_authenticated or is_administrator(user):
        return False
    return user.supervises(organisation) or _holds(user, organisation, [Role.PRINCIPAL])


def can_manage_organisation(user, organisation) -> bool:
    """Supervisors edit a unit, its sub-units and its memberships; the system administrator every unit."""
    return user.is_authenticated and (is_system_admin(user) or user.supervises(organisation))


def can_grant_roles(user, organisation) -> bool:
    """Who grants and withdraws business roles in `organisation`: its supervisors and the system administrator
    (as for its units), and the security administrator (roles)."""
    return can_manage_organisation(user, organisation) or is_security_admin(user)


def can_manage_user(actor, target: User) -> bool:
    """A person is managed by the supervisors of their home unit (else of any unit they hold a role in), and by
    the system administrator; an administrator (三员) only by the system administrator."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    if is_system_admin(actor):
        return True
    if target.admin_role:
        return False
    if target.is_service:
        return can_manage_service_account(actor, target)
    if target.home_organisation_id:
        return actor.supervises(target.home_organisation)
    return any(actor.supervises(o) for o in Organisation.objects.filter(memberships__user=target))


# --- Service accounts and their tokens (API.md "Service accounts") ------------------------------------------------

def _service_admin_paths(user) -> list[str]:
    """Paths of the top-level units `user` supervises: the regions whose service accounts they administer."""
    return [row.path for row in _roles(user) if row.role == Role.SUPERVISOR and row.top_level]


def can_manage_service_accounts(user) -> bool:
    """System administrators (the superuser) and supervisors of a top-level unit create service accounts of their
    region and issue, rotate and revoke their tokens."""
    if not user or not user.is_authenticated or user.is_service:
        return False
    return is_system_admin(user) or bool(_service_admin_paths(user))


def managed_service_accounts(user):
    """Service accounts `user` administers: those whose home unit lies in a region they administer."""
    if not can_manage_service_accounts(user):
        return User.objects.none()
    accounts = User.objects.filter(is_service=True)
    if is_system_admin(user):
        return accounts
    return accounts.filter(under_paths(_service_admin_paths(user), "home_organisation__path"))


def can_manage_service_account(user, account: User) -> bool:
    return account.is_service and managed_service_accounts(user).filter(pk=account.pk).exists()


def service_account_organisations(user):
    """Units that may be the home of a service account `user` creates: anything in the regions they administer."""
    if not can_manage_service_accounts(user):
        return Organisation.objects.none()
    if is_system_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(under_paths(_service_admin_paths(user)))


def can_place_service_account(user, organisation) -> bool:
    """Whether `user` may create a service account whose home unit is `organisation` (None: the superuser only)."""
    if not can_manage_service_accounts(user):
        return False
    if organisation is None:
        return is_system_admin(user)
    return service_account_organisations(user).filter(pk=organisation.pk).exists()


def visible_tokens(user):
    """Tokens `user` sees: their own, and those of the service accounts they administer."""
    if not user or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(Q(user=user) | Q(user__in=managed_service_accounts(user).values("pk")))


def can_manage_token(user, token: ApiToken) -> bool:
    """A token is revoked or rotated by its owner, or by an administrator of the service account it belongs to."""
    return token.user_id == user.pk or can_manage_service_account(user, token.user)


def can_edit_national_calendar(user) -> bool:
    """National calendar entries (no organisation): the system administrator's duty (三员分立)."""
    return is_system_admin(user)


def can_edit_region_calendar(user, organisation) -> bool:
    """A region's own days (local holidays, local make-up days): that region's own supervisors, for itself."""
    if not (user and user.is_authenticated) or organisation is None:
        return False
    return any(row.role == Role.SUPERVISOR and row.organisation_id == organisation.pk for row in _roles(user))


def calendar_regions_for(user):
    """The organisations whose own calendar days `user` may enter (where they are a supervisor)."""
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.SUPERVISOR).distinct() \
        if user and user.is_authenticated else Organisation.objects.none()


def can_edit_calendar(user) -> bool:
    """The calendar is one for the deployment: the top office's supervisors keep it."""
    if not user.is_authenticated:
        return False
    return is_system_admin(user) or any(row.role == Role.SUPERVISOR and row.top_level for row in _roles(user))


def can_read_audit(user) -> bool:
    """The audit administrator reads the whole log; supervisors and auditors the history of their region. The
    system and security administrators do not read the log that records their own work."""
    return user.is_authenticated and (
        is_audit_admin(user) or any(row.role in REGIONAL_ROLES for row in _roles(user))
    )


def can_file(user, account) -> bool:
    """Whoever acts for the account's owner, or an operator of its contracted operator, files for an account."""
    if can_act_for_unit(user, account.owner):
        return True
    return _holds(user, account.operator, [Role.OPERATOR])


def filing_condition(user, owner: str = "owner", operator: str = "operator") -> Q:
    """`can_file` for many accounts at once: a filter over accounts (`owner`, `operator`: the field paths of the
    account's units), for a bulk write that asks about every account in one query."""
    if is_administrator(user):
        return Q(pk__in=[])  # 三员分立: no administrator files, the superuser included
    operating = Membership.objects.filter(user=user, role=Role.OPERATOR).values("organisation")
    return Q(**{f"{owner}__in": acting_organisations(user).values("pk")}) | Q(**{f"{operator}__in": operating})


def can_decide_filing(user, filing, stage: str | None = None) -> bool:
    """The owner's principal decides a filing's first stage; a supervisor of the supervising or owner unit the
    second. `filing.deciding_role(stage)` says which role a stage (default: the open one) asks for. No
    administrator decides one, the superuser included (三员分立)."""
    if is_administrator(user):
        return False
    account = filing.account
    role = filing.deciding_role(stage)
    if role == Role.PRINCIPAL:
        return _holds(user, account.owner, [Role.PRINCIPAL])
    if role == Role.SUPERVISOR:
        return user.supervises(account.owner) or (account.supervisor is not None and user.supervises(account.supervisor))
    return False


def can_manage_site(user, site) -> bool:
    """A site is kept by whoever directs its owner."""
    return can_direct_unit(user, site.owner)


def can_scan_site(user, site) -> bool:
    """Supervisors of the site's supervising unit or of its owner start a scan (SPEC "Site scanning")."""
    if not user.is_authenticated:
        return False
    return user.supervises(site.owner) or (site.supervisor is not None and user.supervises(site.supervisor))


def can_scan_account(user, account) -> bool:
    """The same for an account: supervisors of its owner or of its supervising unit."""
    if not user.is_authenticated:
        return False
    supervisor = getattr(account, "supervisor", None)
    return user.supervises(account.owner) or (supervisor is not None and user.supervises(supervisor))


def can_dismiss_finding(user, finding) -> bool:
    """Supervisors of the unit a scan finding is about judge it a false positive (never the unit itself, nor an
    administrator: 三员分立)."""
    return user.is_authenticated and not is_administrator(user) and user.supervises(finding.organisation)


def can_review_rectification(user, organisation) -> bool:
    """Supervisors of a finding's unit (or above it) accept or return the unit's answer to it (整改审核); no
    administrator (三员分立). Whoever gave the answer does not decide it (asked by the service)."""
    if organisation is None or not user.is_authenticated or is_administrator(user):
        return False
    return user.supervises(organisation)


def rectification_review_condition(user, organisation: str = "organisation") -> Q:
    """`can_review_rectification` for many findings at once: a filter over findings (`organisation`: the field path
    of their unit), e.g. for the answers waiting for the caller's decision."""
    if not user.is_authenticated or is_administrator(user):
        return Q(pk__in=[])
    return under_paths(role_paths(user, [Role.SUPERVISOR]), f"{organisation}__path")


def can_record_update(user, column) -> bool:
    """Working staff of the site's owner or operator, or of the column's responsible unit, record a column's
    updates; whoever keeps the site may too."""
    if can_manage_site(user, column.site):
        return True
    orgs = {column.site.owner_id, column.site.operator_id, column.responsible_id} - {None}
    return any(row.organisation_id in orgs and row.role in WORKING_ROLES for row in _roles(user))


def recording_condition(user, site: str = "site", responsible: str = "responsible") -> Q:
    """`can_record_update` for many columns at once: a filter over columns (`site`, `responsible`: field paths of
    the column's site and responsible unit), for a bulk write that asks about every column in one query."""
    if is_administrator(user):
        return Q(pk__in=[])  # 三员分立: no administrator records updates, the superuser included
    working = Membership.objects.filter(user=user, role__in=WORKING_ROLES).values("organisation")
    return (
        Q(**{f"{site}__owner__in": directed_organisations(user).values("pk")})
        | Q(**{f"{site}__owner__in": working}) | Q(**{f"{site}__operator__in": working})
        | Q(**{f"{responsible}__in": working})
    )


def writable_organisations(user):
    """The units `user` writes posts for (see `can_write`); none for an administrator (三员分立)."""
    if is_administrator(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=WORKING_ROLES).values("organisation")
    )


def can_write(user, organisation) -> bool:
    """The unit's own people write its posts; a contracted operator drafts for the unit it works for."""
    if not user.is_authenticated or is_administrator(user):
        return False
    return _holds(user, organisation, WORKING_ROLES)


def can_keep_word_lists(user) -> bool:
    """Supervisors keep the word lists (词表) of the units below them (`managed_organisations`): the page's form
    and its menu entry. One query, as the menu asks it on every page."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(row.role == Role.SUPERVISOR for row in _roles(user))


def can_set_review_policies(user) -> bool:
    """Those who direct a unit (its principal, or a supervisor above it: `directed_organisations`) set its review
    policy (审校流程): the page's form and its menu entry. One query, as the menu asks it on every page."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(row.role in (Role.SUPERVISOR, Role.PRINCIPAL) for row in _roles(user))


def can_run_inspection(user, organisation=None) -> bool:
    """Supervisors inspect their region. No administrator starts one, the superuser included (三员分立); a run over
    everything at once is the scheduled task's (it has no user)."""
    if not user.is_authenticated or is_administrator(user) or organisation is None:
        return False
    return user.supervises(organisation)


def runs_inspections(user) -> bool:
    """Whether the inspections page offers `user` a run: supervisors, no administrator (三员分立)."""
    return user.is_authenticated and not is_administrator(user) and user.is_supervisor


def can_edit_checklist(user, organisation) -> bool:
    """Supervisors of a unit (or above it) keep its local checklist version and adopt a locality template for it."""
    return user.is_authenticated and organisation is not None and not is_administrator(user) and user.supervises(organisation)


def can_publish_bulletin(user, organisation) -> bool:
    """Supervisors of a region publish its quarterly bulletin (通报); no administrator (三员分立)."""
    return user.is_authenticated and not is_administrator(user) and user.supervises(organisation)


def can_issue_report(user, organisation) -> bool:
    """Supervisors of a region regenerate its issued monthly report (a new revision after late data); no
    administrator (三员分立)."""
    return user.is_authenticated and not is_administrator(user) and user.supervises(organisation)


def webhook_organisations(user):
    """Units whose webhooks (接口推送) `user` sees and keeps: those they supervise and everything below them."""
    return managed_organisations(user)


def can_manage_webhooks(user, organisation) -> bool:
    """Supervisors of a unit (or above it) register, change and remove its webhooks and read their deliveries."""
    return can_manage_organisation(user, organisation)


def can_see_webhooks(user) -> bool:
    """Whether the 接口推送 page is for `user` at all: supervisors, and the system administrator (how other systems
    are provisioned)."""
    return user.is_authenticated and (is_system_admin(user) or user.is_supervisor)
