from django.apps import AppConfig

from govmedia.core.workdays import calendar_changed


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "检查与报告"

    def ready(self):
        from .calendar_dates import recompute_due_dates

        # Entering or removing a calendar day moves the due dates this app stores.
        calendar_changed.connect(recompute_due_dates, dispatch_uid="inspections-due-dates")
