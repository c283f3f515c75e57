from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tomoni.accounts"
    label = "accounts"
    verbose_name = "2段階認証"

    def ready(self) -> None:
        from . import signals  # noqa: F401 — connects the login receiver
