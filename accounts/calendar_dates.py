"""Stored due dates of the register that a calendar change moves: filings due N working days after the event
(N recounted over the old calendar, since it is not stored). One set-based pass: the rows whose span holds a
changed day, recounted once per distinct (event date, due, unit), one UPDATE."""
from __future__ import annotations

from django.db.models import Q

from govmedia.core import workdays

from .models import Account, Filing


def recompute_due_dates(sender, *, changes: dict, unit_path: str = "", **kwargs) -> dict[str, int]:
    filings = (
        Filing.objects.filter(due_on__gte=min(changes), event_date__lt=max(changes), event_date__isnull=False)
        .filter(Q(account__owner__path__startswith=unit_path) if unit_path else Q())
        .values_list("pk", "event_date", "account__owner__path", "due_on")
    )
    groups = workdays.moved(((pk, (start, path), due) for pk, start, path, due in filings), changes,
                            lambda key, due: workdays.recount(key[0], due, changes, key[1]))
    # Backfill deadlines of accounts brought into the register, counted from their stored start (older rows
    # without one are left as they are).
    backfills = (
        Account.objects.filter(backfill_due_on__gte=min(changes), backfill_start_on__lt=max(changes),
                               backfill_start_on__isnull=False)
        .filter(Q(owner__path__startswith=unit_path) if unit_path else Q())
        .values_list("pk", "backfill_start_on", "owner__path", "backfill_due_on")
    )
    backfill_groups = workdays.moved(((pk, (start, path), due) for pk, start, path, due in backfills), changes,
                                     lambda key, due: workdays.recount(key[0], due, changes, key[1]))
    return {"filings": workdays.update_moved(Filing.objects, "due_on", groups),
            "accounts": workdays.update_moved(Account.objects, "backfill_due_on", backfill_groups)}
