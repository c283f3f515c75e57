from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tomoni.access"
    verbose_name = "アクセス制御"

    def ready(self) -> None:
        # The relation filters import every app's models, so they are registered here, once
        # the models exist, rather than imported by the engine on first use.
        from tomoni.audit.log import record

        from . import checks, engine, relations  # noqa: F401  (registering imports)

        engine.bind_audit(record)
