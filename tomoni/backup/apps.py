from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "tomoni.backup"
    verbose_name = "バックアップ"
