from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tomoni.web"
    verbose_name = "画面の枠組み"
