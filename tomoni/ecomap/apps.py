from django.apps import AppConfig


class EcomapConfig(AppConfig):
    name = "tomoni.ecomap"
    verbose_name = "エコマップ（世帯と支援者のつながり）"
