from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_bigrams(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite's triggers index text through ``tomoni_bigrams(text)``: the same Python
    function that cuts queries, so the index and the queries never disagree."""
    if connection.vendor == "sqlite":
        from .api import bigram_text

        connection.connection.create_function("tomoni_bigrams", 1, bigram_text, deterministic=True)


class FulltextConfig(AppConfig):
    name = "tomoni.fulltext"
    verbose_name = "全文検索"

    def ready(self) -> None:
        connection_created.connect(_register_bigrams, dispatch_uid="tomoni.fulltext.bigrams")
