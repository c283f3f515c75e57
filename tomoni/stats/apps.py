from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "tomoni.stats"
    verbose_name = "統計（実績・目標・年度実績報告）"
