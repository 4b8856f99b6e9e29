from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from govmedia.core.workdays import calendar_changed

from .input_changes import install as install_input_triggers


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "检查与报告"

    def ready(self):
        from .calendar_dates import recompute_due_dates

        # Entering or removing a calendar day moves the due dates this app stores.
        calendar_changed.connect(recompute_due_dates, dispatch_uid="inspections-due-dates")
        # Tables created after migration 0007 get the input-change trigger too (inspections.input_changes).
        post_migrate.connect(_install_input_triggers, dispatch_uid="inspections-input-changes")


def _install_input_triggers(sender, using="default", **kwargs):
    if sender.name == "inspections":  # once per migrate (the signal is sent for every app)
        install_input_triggers(connections[using])
