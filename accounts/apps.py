from django.apps import AppConfig

from govmedia.core.workdays import calendar_changed


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "政务新媒体"
    # Every change of an account's registered data, team and filings is kept: see govmedia/auditing.py.

    def ready(self):
        from . import history
        from .calendar_dates import recompute_due_dates

        # Status and password-date changes leave history for a past as_of.
        history.connect()

        # Entering or removing a calendar day moves the filing deadlines this app stores.
        calendar_changed.connect(recompute_due_dates, dispatch_uid="accounts-due-dates")
