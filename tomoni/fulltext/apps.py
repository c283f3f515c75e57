from django.apps import AppConfig


class FulltextConfig(AppConfig):
    name = "tomoni.fulltext"
    verbose_name = "全文検索"
