from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "tomoni.directory"
    verbose_name = "マスタ（機関・地区・職員）"
