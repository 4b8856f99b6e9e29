"""Account history for a past `as_of` (issue 10): every save that sets or changes an account's status or its
password change date leaves a row, and the inspection asks these expressions for what was true on a day.

An account with no history rows (entered before the history was kept) is judged by its current fields, as
before."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, DateField, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from .models import Account, AccountStatus, AccountStatusChange, CredentialChange, ProvinceNoticeChange


def _remember(sender, instance: Account, **kwargs):
    instance._history_before = (
        Account.objects.filter(pk=instance.pk).values_list("status", "password_changed_on", "province_notice_count").first()
        if instance.pk else None
    )


def _record(sender, instance: Account, created: bool, **kwargs):
    before = getattr(instance, "_history_before", None)
    old_status, old_password, old_notices = before if before else (None, None, 0)
    today = timezone.localdate()
    if instance.status != old_status:
        # An account registered as already running has run since it opened; any later change is from today.
        since = instance.opened_on if created and instance.status == AccountStatus.RUNNING and instance.opened_on else today
        AccountStatusChange.objects.create(account=instance, status=instance.status, effective_on=min(since, today))
    if instance.password_changed_on and instance.password_changed_on != old_password:
        CredentialChange.objects.create(account=instance, changed_on=instance.password_changed_on)
    notices = instance.province_notice_count or 0
    if before and notices != (old_notices or 0):
        # Changed today: a past as_of reads the count before it (kept on the row). The count an account is
        # entered with is its baseline, as the other fields without history.
        ProvinceNoticeChange.objects.create(account=instance, count=notices, previous=old_notices or 0, effective_on=today)


def connect() -> None:
    pre_save.connect(_remember, sender=Account, dispatch_uid="account-history-before")
    post_save.connect(_record, sender=Account, dispatch_uid="account-history-record")


def status_as_of(as_of: dt.date):
    """The account's status on `as_of`: its newest status change by then (NULL: it did not exist yet), or its
    current status when no history was kept for it."""
    history = AccountStatusChange.objects.filter(account=OuterRef("pk"))
    then = history.filter(effective_on__lte=as_of).order_by("-effective_on", "-pk").values("status")[:1]
    return Case(When(Exists(history), then=Subquery(then)), default=F("status"), output_field=CharField())


def password_changed_as_of(as_of: dt.date):
    """The newest password change date known on `as_of`: from the recorded changes, else the current field when
    it is not later than `as_of` (NULL: not known then)."""
    history = CredentialChange.objects.filter(account=OuterRef("pk"))
    then = history.filter(changed_on__lte=as_of).order_by("-changed_on", "-pk").values("changed_on")[:1]
    return Case(
        When(Exists(history), then=Subquery(then)),
        When(Q(password_changed_on__lte=as_of), then=F("password_changed_on")),
        default=Value(None, output_field=DateField()),
        output_field=DateField(),
    )


def notice_count_as_of(as_of: dt.date):
    """The number of provincial notices on `as_of`: the newest change by then, else the count before the first
    change after it, else (no change recorded) the current count."""
    history = ProvinceNoticeChange.objects.filter(account=OuterRef("pk"))
    then = history.filter(effective_on__lte=as_of).order_by("-effective_on", "-pk").values("count")[:1]
    before = history.filter(effective_on__gt=as_of).order_by("effective_on", "pk").values("previous")[:1]
    return Coalesce(Subquery(then), Subquery(before), F("province_notice_count"), output_field=IntegerField())
