from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tomoni.audit"
    verbose_name = "監査ログ"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (deploy check; login / logout / failed login)
