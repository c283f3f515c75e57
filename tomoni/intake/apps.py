from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tomoni.intake"
    verbose_name = "包括的相談支援（相談受付・つなぎ）"
