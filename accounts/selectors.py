"""Reads of the account register: scoped querysets and the "days since update" measure."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Account, AccountStatus, Platform
from organisations import access


def accounts_for(user):
    """Accounts whose owner, operator or supervisor is in the caller's scope (like sites)."""
    return Account.objects.for_user(user).select_related("owner", "supervisor", "operator")


def reference_date(account: Account) -> dt.date:
    """The date an account's freshness is judged from: its newest update, else its opening (SPEC "Updates")."""
    if account.last_updated_on:
        return account.last_updated_on
    if account.opened_on:
        return account.opened_on
    return timezone.localtime(account.created_at).date()


def not_updated_for(queryset, days: int, today: dt.date):
    """Accounts whose reference date is at least `days` days before `today` (one indexed condition each)."""
    # A number of days reaching before year 1 cannot be a date: no account can be that old, so nothing matches.
    if days > (today - dt.date.min).days:
        return queryset.none()
    cut = today - dt.timedelta(days=days)
    never = Q(last_updated_on__isnull=True)
    return queryset.filter(
        Q(last_updated_on__lte=cut)
        | (never & Q(opened_on__lte=cut))
        | (never & Q(opened_on__isnull=True, created_at__date__lte=cut))
    )


def counts_by(queryset, field: str) -> dict[str, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def register_queryset(queryset):
    """What the register lists: everything in the register, drafts of openings excluded."""
    return queryset.exclude(status=AccountStatus.DRAFT)


def filter_accounts(user, params, *, today: dt.date):
    """The register list's filters (page, export and the dashboard's tiles, so a tile counts what it opens):
    status (else everything in the register), platform, owner (with everything below), days without update, name."""
    accounts = accounts_for(user)
    status = params.get("status", "")
    if status:
        accounts = accounts.filter(status=status)
    else:
        accounts = register_queryset(accounts)
    if params.get("platform") in Platform.values:
        accounts = accounts.filter(platform=params["platform"])
    if str(params.get("owner", "")).isdigit():
        owner = access.visible_organisations(user).filter(pk=params["owner"]).first()
        accounts = accounts.filter(owner__path__startswith=owner.path) if owner else accounts.none()
    days = str(params.get("days", ""))
    if days.isdigit():
        accounts = not_updated_for(accounts, int(days), today)
    query = str(params.get("q", "")).strip()
    if query:
        # The list's search box: the account's name, its platform id or its owner's name.
        accounts = accounts.filter(Q(name__icontains=query) | Q(platform_id__icontains=query) | Q(owner__name__icontains=query))
    return accounts
