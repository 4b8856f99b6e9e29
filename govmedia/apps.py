from django.apps import AppConfig


class GovmediaConfig(AppConfig):
    """The project on top of every area: it holds the commands that span them (seed_demo, setup_schedule)."""

    name = "govmedia"
    label = "govmedia"
    verbose_name = "政务新媒体管理平台"

    def ready(self):
        from . import auditing

        auditing.register_all()
