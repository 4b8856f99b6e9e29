from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "网站与栏目"
    # Which models the audit log follows (and why monitoring rows do not): govmedia/auditing.py.
