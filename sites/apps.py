from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "网站与栏目"
