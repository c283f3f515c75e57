from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tomoni.access"
    verbose_name = "アクセス制御"
