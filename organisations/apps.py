from django.apps import AppConfig

from govmedia.core import workdays


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "机构与人员"

    def ready(self):
        # Sign-in, failure and sign-out reach the audit log through Django's auth signals. Which models the audit
        # log follows: govmedia/auditing.py.
        from organisations import audit

        audit.connect_auth_signals()
        from organisations import signals  # noqa: F401 (lockouts to the audit log)
        from organisations.calendar_changes import region_days, region_paths

        # Working days of a unit include its region's own days (govmedia.core.workdays asks through this).
        workdays.register_region_days(region_days, region_paths)
