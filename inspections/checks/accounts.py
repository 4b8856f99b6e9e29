"""New-media accounts: updates (stale, weekly, original), how they were opened (duplicate platform, internal
owner), provincial notices, credentials and interaction."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from accounts.history import notice_count_as_of, password_changed_as_of, status_as_of
from accounts.models import LIVE_STATUSES, Account
from rules.countdown import ACCOUNT_DEADLINES, DaysUntil, account_judged
from rules.dates import week_before
from rules.definitions import RULES

from .base import Check, Context, Hit, as_hits, first_found, iso, opened, since

RUNNING_ACCOUNT = ("running", "closing")


def _accounts(ctx: Context):
    """Accounts running (or under closure notice) on as_of: by their status history, so a past day is judged
    by what was true then (accounts.history)."""
    return (
        Account.objects.filter(ctx.scope("owner")).exclude(opened_on__gt=ctx.as_of)
        .annotate(status_then=status_as_of(ctx.as_of)).filter(status_then__in=RUNNING_ACCOUNT)
        .order_by()  # the register's order (a join and a sort) is nothing a check needs
    )


def _account_hit(row, detail, period_key="") -> Hit:
    return Hit(subject_id=row["id"], organisation_id=row["owner_id"], name=row["name"], detail=detail, period_key=period_key)


def _judged(ctx: Context, code: str, th: dict):
    """Running accounts with the deadline of `code` (rules.countdown: the same expression every countdown
    shows), by this group's thresholds; broken ⇔ deadline before as_of ⇔ days_left < 0."""
    rule_deadline = ACCOUNT_DEADLINES[code]
    return account_judged(_accounts(ctx), ctx.as_of).annotate(deadline=rule_deadline(Account, ctx.as_of, th))


def account_stale_rows(ctx, th):
    days = int(th["days"])
    return as_hits(
        # Updated within the period by the stored date: kept (a plain comparison that spares the history
        # subqueries for most accounts; the deadline still decides).
        _judged(ctx, "account_stale", th)
        .exclude(last_updated_on__gte=ctx.as_of - dt.timedelta(days=days), last_updated_on__lte=ctx.as_of)
        .filter(deadline__lt=ctx.as_of)
        .annotate(eff=Coalesce("judged_last", "opened", output_field=DateField())),
        unit=F("owner_id"), name=F("name"), period=since("eff"),
        detail={"last_updated_on": F("judged_last"), "judged_from": F("eff"), "days": Value(days),
                # The days since: rules.countdown's days until, negated (one day arithmetic for both).
                "deadline": F("deadline"), "days_without_update": DaysUntil(F("eff"), ctx.as_of) * Value(-1)},
    )


def account_original(ctx, th):
    days = int(th["days"])
    rows = (
        _judged(ctx, "account_original", th).filter(deadline__lt=ctx.as_of)
        .annotate(eff=Coalesce("judged_last_original", "opened", output_field=DateField()))
        .values("id", "name", "owner_id", "judged_last_original", "eff", "deadline")
    )
    return [
        _account_hit(r, {"last_original_on": iso(r["judged_last_original"]), "judged_from": iso(r["eff"]), "days": days,
                         "deadline": iso(r["deadline"]), "days_without_original": (ctx.as_of - r["eff"]).days},
                     f"since:{iso(r['eff'])}")
        for r in rows
    ]


def account_weekly(ctx, th):
    monday, sunday = week_before(ctx.as_of)
    rows = (
        _judged(ctx, "account_weekly", th).filter(deadline__lt=ctx.as_of)
        .values("id", "name", "owner_id", "last_updated_on")
    )
    return [
        _account_hit(r, {"week_start": iso(monday), "week_end": iso(sunday),
                         "minimum": int(th["updates_per_week"])}, f"week:{iso(monday)}")
        for r in rows
    ]


def duplicate_platform(ctx, th):
    sibling = Account.objects.filter(
        owner=OuterRef("owner"), platform=OuterRef("platform"), status__in=LIVE_STATUSES, exemption_reason=""
    ).exclude(pk=OuterRef("pk"))
    rows = (
        Account.objects.filter(status__in=LIVE_STATUSES, exemption_reason="").filter(ctx.scope("owner"))
        .filter(Exists(sibling)).order_by().values("id", "name", "owner_id", "platform")
    )
    return [_account_hit(r, {"platform": r["platform"], "max_live": int(th["max_live"])}, first_found(ctx)) for r in rows]


def internal_owner(ctx, th):
    rows = (
        Account.objects.filter(status__in=LIVE_STATUSES).filter(ctx.scope("owner"))
        .filter(Q(owner__kind="internal") | Q(opened_by_individual=True)).order_by()
        .values("id", "name", "owner_id", "owner__kind", "opened_by_individual")
    )
    return [
        _account_hit(r, {"owner_kind": r["owner__kind"], "opened_by_individual": bool(r["opened_by_individual"])},
                     f"owner:{r['owner_id']}")
        for r in rows
    ]


def repeat_notified(ctx, th):
    notices = int(th["notices"])
    # The count on the day judged (accounts.history keeps it), not today's.
    rows = (_accounts(ctx).annotate(notices_then=notice_count_as_of(ctx.as_of)).filter(notices_then__gte=notices)
            .values("id", "name", "owner_id", "notices_then"))
    return [_account_hit(r, {"province_notice_count": r["notices_then"], "limit": notices}, f"notices:{notices}") for r in rows]


def credential_rotation_rows(ctx, th):
    days = int(th["days"])
    cutoff = ctx.as_of - dt.timedelta(days=days)
    # Told to change it on a staff departure, and not changed since (by what was known on as_of).
    departure = (Q(credential_change_due_since__lte=ctx.as_of)
                 & (Q(password_then__isnull=True) | Q(password_then__lt=F("credential_change_due_since"))))
    return as_hits(
        _accounts(ctx)
        # The password date known on as_of (a later change does not hide that it was old then).
        .annotate(password_then=password_changed_as_of(ctx.as_of))
        .annotate(changed=Coalesce("password_then", opened(), output_field=DateField()))
        .filter(Q(changed__lt=cutoff) | departure),
        unit=F("owner_id"), name=F("name"), period=since("changed"),
        detail={"password_changed_on": F("password_then"), "judged_from": F("changed"), "days": Value(days),
                "after_departure_since": Case(When(departure, then=F("credential_change_due_since")),
                                              default=None, output_field=DateField())},
    )


def account_no_interaction(ctx, th):
    rows = _accounts(ctx).filter(has_interaction=False).values("id", "name", "owner_id")
    return [_account_hit(r, {"has_interaction": False}, first_found(ctx)) for r in rows]


def account_subjects(ctx):
    return Account.objects.filter(ctx.scope("owner"))


ACCOUNT_STALE = Check.of_rows(RULES["account_stale"], account_stale_rows, account_subjects)
ACCOUNT_WEEKLY = Check(RULES["account_weekly"], account_weekly, account_subjects, dedupe="period")
ACCOUNT_ORIGINAL = Check(RULES["account_original"], account_original, account_subjects)
DUPLICATE_PLATFORM = Check(RULES["duplicate_platform"], duplicate_platform, account_subjects)
INTERNAL_OWNER = Check(RULES["internal_owner"], internal_owner, account_subjects)
REPEAT_NOTIFIED = Check(RULES["repeat_notified"], repeat_notified, account_subjects)
CREDENTIAL_ROTATION = Check.of_rows(RULES["credential_rotation"], credential_rotation_rows, account_subjects)
ACCOUNT_NO_INTERACTION = Check(RULES["account_no_interaction"], account_no_interaction, account_subjects)
