from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tomoni.demo"
    verbose_name = "デモデータ"
