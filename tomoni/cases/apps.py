from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tomoni.cases"
    verbose_name = "多機関協働（ケース・プラン・作業）"

    def ready(self) -> None:
        from tomoni.people.signals import consent_changed

        from .consent import sync

        consent_changed.connect(sync, dispatch_uid="cases.consent.sync")
