"""Recording updates of columns and accounts: every path (publication, API, import, feed) goes through here.

The subject's denormalised `last_updated_on` (and an account's `last_original_on`) moves forward in the same
transaction, by a conditional UPDATE, so concurrent records never move it backwards.
"""
import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _advance(model, pk, field: str, day: dt.date) -> None:
    model.objects.filter(pk=pk).filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day})).update(**{field: day})


@transaction.atomic
def column_add_update(*, column, published_at, title, url="", source="api", external_id="", original=True):
    """Record one update of a column; returns (update, created). A repeated `external_id` adds nothing."""
    from sites.models import Column, ColumnUpdate

    if external_id:
        existing = ColumnUpdate.objects.filter(column=column, external_id=external_id).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            update = ColumnUpdate.objects.create(
                column=column, published_at=published_at, title=title[:500], url=url, source=source,
                external_id=external_id, original=original,
            )
    except IntegrityError:  # a concurrent import of the same item
        return ColumnUpdate.objects.get(column=column, external_id=external_id), False
    _advance(Column, column.pk, "last_updated_on", local_date(published_at))
    return update, True


@transaction.atomic
def account_add_update(*, account, published_at, title, url="", original=True, source="api", external_id=""):
    """Record one update of an account; returns (update, created). A repeated `external_id` adds nothing."""
    from accounts.models import Account, AccountUpdate

    if external_id:
        existing = AccountUpdate.objects.filter(account=account, external_id=external_id).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            update = AccountUpdate.objects.create(
                account=account, published_at=published_at, title=title[:500], url=url, original=original,
                source=source, external_id=external_id,
            )
    except IntegrityError:
        return AccountUpdate.objects.get(account=account, external_id=external_id), False
    day = local_date(published_at)
    _advance(Account, account.pk, "last_updated_on", day)
    if original:
        _advance(Account, account.pk, "last_original_on", day)
    return update, True
