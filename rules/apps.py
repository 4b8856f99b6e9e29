from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "检查指标与规则"
