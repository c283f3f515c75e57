"""Index text and find the records whose text contains every word of a query.

index(kind, object_id, text)      upsert one record's text (one statement)
remove(kind, object_id)           forget it
rebuild(kind, rows) -> int        replace every document of a kind, in batches
matching_ids(kind, query)         a lazy queryset of object ids, for ``pk__in=``

Matching is substring matching on normalised text (NFKC, ASCII lowercased, whitespace
collapsed), the same on both engines: every word of the query must occur (AND), as
written — no stemming, no kana folding, no ranking. Words made only of punctuation or
symbols are dropped; a query with nothing left matches nothing.

How each word is found:

- 3 or more characters: the trigram index. SQLite: the FTS5 ``trigram`` table, all such
  words in one ``MATCH``, each as an FTS5 string so that ``"``, ``*``, ``(``, ``AND`` or
  ``NEAR`` are plain text. PostgreSQL: ``LIKE '%word%'``, which the ``pg_trgm`` GIN index
  serves.
- 1 or 2 characters (施設, 解約, 金): no trigram contains them on either engine, so they are
  ``LIKE '%word%'`` filters (Django escapes ``%``, ``_`` and ``\\``). With a longer word in
  the query they only re-check the rows the index found, which is cheap. On their own they
  scan every document of the kind: linear in its size, about 0.6 µs per document on SQLite
  and 0.4 µs on PostgreSQL (2 cores), so 120 ms / 80 ms at 200,000 documents and 1.5 s /
  0.9 s at 2,000,000 (``bench/fulltext_bench.py``). A page of the newest 50 stays fast when
  the word is common (the scan stops early); an exact count or a rare word pays in full.

The result is a subquery, so ``Model.objects.filter(pk__in=matching_ids(kind, q))`` on top
of ``tomoni.access.visible()`` is one database query and the access policy still decides
what the user sees. The indexed text is personal data: it is never returned here.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Func, QuerySet
from django.db.models.expressions import RawSQL

from tomoni.lib.textnorm import normalize_text

from .models import SearchDocument

# Shortest word the trigram index can find: shorter ones are scanned for.
TRIGRAM = 3
# Extra words would only add filters; past this they are ignored (the results are a superset).
MAX_WORDS = 5
BATCH_SIZE = 2000

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Control characters and lone surrogates: PostgreSQL refuses NUL, nobody searches for them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FTS_MATCH = "SELECT rowid FROM fulltext_fts WHERE fulltext_fts MATCH %s"


def normalize(text: str) -> str:
    """The form that is stored and searched: NFKC, ASCII lowercased, single spaces.

    Kana stay as written (ケア does not find けあ): notes quote what people said, and
    folding would turn unrelated words into matches.
    """
    return normalize_text(_CONTROL.sub(" ", text)).translate(_ASCII_LOWER)


def _has_content(word: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in word)


def query_words(query: str) -> list[str]:
    """The words a query must match: normalised, without punctuation-only words,
    duplicates, or words contained in another word (which add nothing to an AND)."""
    words = [word for word in normalize(query).split() if _has_content(word)]
    words = list(dict.fromkeys(words))
    kept = [word for word in words if not any(word != other and word in other for other in words)]
    return kept[:MAX_WORDS]


class _Unindexed(Func):
    """``+column``: the same value, but SQLite will not use an index to find it."""

    template = "+%(expressions)s"


def _fts5_string(word: str) -> str:
    # Inside an FTS5 string only the double quote is special, and it is escaped by doubling.
    return '"' + word.replace('"', '""') + '"'


def matching_ids(
    kind: str, query: str, *, among: Iterable[int] | QuerySet[Any, Any] | None = None
) -> QuerySet[SearchDocument, int]:
    """Ids of the ``kind`` records whose text contains every word of ``query``.

    Lazy: use it as ``pk__in=`` so that the caller's query and this one run as one.

    ``among`` (ids, or a query of ids) restricts the search to those records and checks
    them one by one through the (kind, object_id) index instead of asking the trigram
    index for every match: the same result, and cheaper when the word is common and the
    records are few (a page-sized batch), since the index would list all the matches.
    """
    words = query_words(query)
    documents = SearchDocument.objects.filter(kind=kind)
    if not words:
        return documents.none().values_list("object_id", flat=True)
    scanned = words
    if among is not None:
        documents = documents.filter(object_id__in=among)
    elif connection.vendor == "sqlite":
        indexed = [word for word in words if len(word) >= TRIGRAM]
        scanned = [word for word in words if len(word) < TRIGRAM]
        if indexed:
            match = " ".join(_fts5_string(word) for word in indexed)  # FTS5: space is AND
            # The FTS5 hits must drive the query (rowid lookups). Without ANALYZE statistics
            # SQLite guesses that kind = %s matches 10 rows and walks the whole kind instead,
            # 3-4 times slower at 200,000 documents; "+kind" keeps it off that index.
            documents = SearchDocument.objects.alias(unindexed_kind=_Unindexed("kind")).filter(
                unindexed_kind=kind,
                # Fixed SQL; the words are one bound parameter, quoted for FTS5 above.
                id__in=RawSQL(_FTS_MATCH, [match]),  # noqa: S611
            )
    for word in scanned:
        documents = documents.filter(text__contains=word)
    return documents.values_list("object_id", flat=True)


def index(kind: str, object_id: int, text: str) -> None:
    """Store (or replace) the searchable text of one record, in one statement."""
    SearchDocument.objects.bulk_create(
        [SearchDocument(kind=kind, object_id=object_id, text=normalize(text))],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["text", "updated_at"],
    )


def remove(kind: str, object_id: int) -> None:
    """Forget one record's text (nothing happens if it was never indexed)."""
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def rebuild(kind: str, rows: Iterable[tuple[int, str]], *, batch_size: int = BATCH_SIZE) -> int:
    """Replace every document of ``kind`` with ``rows`` of (object_id, text); returns the count.

    One transaction, so searches see the old index or the new one, never half of it.
    ``rows`` is read lazily, one batch at a time; object ids must be unique.
    """
    count = 0
    rows = iter(rows)
    with transaction.atomic():
        SearchDocument.objects.filter(kind=kind).delete()
        while batch := list(islice(rows, batch_size)):
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(kind=kind, object_id=object_id, text=normalize(text))
                    for object_id, text in batch
                ],
                batch_size=batch_size,
            )
            count += len(batch)
    return count
