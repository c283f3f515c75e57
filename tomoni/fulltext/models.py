"""The searchable text of records from other apps, one row per (kind, object).

The text is personal data (it is copied from consultations and notes). It is never shown:
``tomoni.fulltext.api.matching_ids`` gives ids only, and callers filter them through
``tomoni.access`` like any other read.

The engine's index is not declared here because it differs per engine and Django cannot
express either (``api.py`` says what it holds): on SQLite an FTS5 table
(``fulltext_bigrams``) kept in step by triggers that call ``tomoni_bigrams()``, on
PostgreSQL a ``tsvector`` column ``bigrams`` with a GIN index, written by ``api.index()``
and ``api.rebuild()``. Migration 0003 creates them. Write documents only through the api:
on PostgreSQL a plain ``queryset.update(text=...)`` would leave ``bigrams`` behind (a delete
is fine on both). A later migration that alters this model makes SQLite copy the table,
which drops its triggers: such a migration must create them again (0003's ``TRIGGERS``);
tests/fulltext checks that they exist.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    kind = models.CharField("種別", max_length=40)
    object_id = models.PositiveBigIntegerField("対象ID")
    text = models.TextField("検索用テキスト")
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "検索用テキスト"
        verbose_name_plural = "検索用テキスト"
        # The unique index is also the (kind, object_id) lookup index; a second one would
        # only slow down indexing.
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="fulltext_kind_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"
