from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "tomoni.notes"
    verbose_name = "支援経過記録"
