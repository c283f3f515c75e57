from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tomoni.cases"
    verbose_name = "多機関協働（ケース・プラン・作業）"
