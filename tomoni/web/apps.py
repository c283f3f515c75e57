from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tomoni.web"
    verbose_name = "画面の枠組み"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
