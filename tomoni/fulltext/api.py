"""Index text and find the records whose text contains every word of a query.

index(kind, object_id, text)      upsert one record's text (one statement)
remove(kind, object_id)           forget it
rebuild(kind, rows) -> int        replace every document of a kind, in batches
matching_ids(kind, query)         a lazy queryset of object ids, for ``pk__in=``
matches(kind, query)              a correlated EXISTS: this row's own document matches
count_matching(kinds, query, cap) how many documents match, counted up to cap + 1
is_short(query)                   no word of 2+ characters: the index cannot answer it
index_unindexed()                 PostgreSQL: fill the index of rows written by COPY

Matching is substring matching on normalised text (NFKC — so half-width katakana are
full-width and full-width ASCII is ASCII —, ASCII lowercased, whitespace collapsed), the
same on both engines: every word of the query must occur (AND), as written — no stemming,
no hiragana/katakana folding. Words made only of punctuation or symbols are dropped; a
query with nothing left matches nothing.

The index: every word of 2 or more characters, through overlapping bigrams. The stored text
is cut into runs of letters and digits (Unicode L, N, M, Co — kanji, kana, ー, 々, 外字) and
each run of n characters into its n-1 overlapping bigrams: 「施設入所」 → 施設 設入 入所.
Runs are kept apart (a gap), so a phrase never spans 「東京、京都」. Both engines index that
same token stream, written in their own syntax:

- SQLite: an FTS5 table ``fulltext_bigrams`` (contentless, ``unicode61`` over the
  space-separated bigrams, a lone ``0`` for a gap), kept by triggers that call the Python
  function ``tomoni_bigrams(text)`` registered on every connection (``apps.py``).
- PostgreSQL: a ``tsvector`` column ``bigrams`` (the lexemes and positions given literally,
  as the ``simple`` configuration would store them, but without its parser deciding what a
  word is under the server's locale) with a GIN index, written by ``index()``/``rebuild()``.

A word is then a phrase of its bigrams (「施設入所」 = "施設 設入 入所", 「面談」 = "面談"),
which holds exactly when the word is a substring of one run; several words are ANDed in one
index query. A word that also has punctuation (「a-123」), a run of one character, or an
upper-case non-ASCII letter (SQLite folds those, PostgreSQL does not) is, in addition,
re-checked with ``LIKE '%word%'`` on the rows the index found, so the answer is exact and the
same on both engines. A query with no word of 2+ characters (「金」) cannot use the index:
``matching_ids`` then scans every document of the kind (linear); callers check ``is_short``
first and bound the scan with ``among`` (the lists show it as a partial result).

PostgreSQL keeps at most 256 positions per lexeme and none past 16,383: a phrase that
occurs only past those in a very long document (notes hold at most 8,000 characters) could
be missed there. Changing how text becomes tokens needs a migration that rebuilds the index
(SQLite deletes FTS5 rows by recomputing their tokens).

The result is a subquery, so ``Model.objects.filter(pk__in=matching_ids(kind, q))`` on top
of ``tomoni.access.visible()`` is one database query and the access policy still decides
what the user sees. The indexed text is personal data: it is never returned here.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    Func,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import Col, RawSQL
from django.utils import timezone

from tomoni.lib.correlated import by_key
from tomoni.lib.textnorm import normalize_text

from .models import SearchDocument

# Shortest word the bigram index can find: shorter ones are scanned for.
BIGRAM = 2
# Extra words would only add filters; past this they are ignored (the results are a superset).
MAX_WORDS = 5
BATCH_SIZE = 2000
# The SQLite token that stands for a gap between runs: one character, never a query token.
GAP = "0"

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Control characters and lone surrogates: PostgreSQL refuses NUL, nobody searches for them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FTS_MATCH = "SELECT rowid FROM fulltext_bigrams WHERE fulltext_bigrams MATCH %s"
_PG_UPSERT = (
    "INSERT INTO fulltext_searchdocument (kind, object_id, text, updated_at, bigrams)"
    " VALUES (%s, %s, %s, %s, CAST(%s AS tsvector))"
    " ON CONFLICT (kind, object_id) DO UPDATE SET text = EXCLUDED.text,"
    " updated_at = EXCLUDED.updated_at, bigrams = EXCLUDED.bigrams"
)


def normalize(text: str) -> str:
    """The form that is stored and searched: NFKC, ASCII lowercased, single spaces.

    Kana stay as written (ケア does not find けあ): notes quote what people said, and
    folding would turn unrelated words into matches.
    """
    return normalize_text(_CONTROL.sub(" ", text)).translate(_ASCII_LOWER)


def _is_content(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def _has_content(word: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in word)


def _runs(text: str) -> list[str]:
    """The runs of letters and digits of (normalised) text, in order."""
    runs, current = [], []
    for char in text:
        if _is_content(char):
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def tokens(text: str) -> list[str | None]:
    """The token stream of normalised text: each run's bigrams, None for a gap between runs."""
    stream: list[str | None] = []
    for run in _runs(text):
        if len(run) < BIGRAM:
            continue
        if stream:
            stream.append(None)
        stream.extend(run[i : i + BIGRAM] for i in range(len(run) - 1))
    return stream


def bigram_text(text: str | None) -> str:
    """SQLite's form of the stream: bigrams separated by spaces, a gap as ``GAP``."""
    return " ".join(GAP if token is None else token for token in tokens(text or ""))


def _quoted(lexeme: str) -> str:
    # A tsvector/tsquery lexeme in quotes; bigrams hold letters and digits only, but be exact.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """PostgreSQL's form of the stream: ``'施設':1 '設入':2 '入所':3 'ab':5`` (a gap skips one)."""
    positions: dict[str, list[int]] = {}
    for position, token in enumerate(tokens(text), start=1):
        if token is not None:
            positions.setdefault(token, []).append(position)
    return " ".join(
        f"{_quoted(token)}:{','.join(str(min(p, 16383)) for p in places)}"
        for token, places in positions.items()
    )


def query_words(query: str) -> list[str]:
    """The words a query must match: normalised, without punctuation-only words,
    duplicates, or words contained in another word (which add nothing to an AND)."""
    words = [word for word in normalize(query).split() if _has_content(word)]
    words = list(dict.fromkeys(words))
    kept = [word for word in words if not any(word != other and word in other for other in words)]
    return kept[:MAX_WORDS]


def _phrases(word: str) -> list[list[str]]:
    """The index phrases of a word: its runs of 2+ characters, each as its bigrams."""
    return [
        [run[i : i + BIGRAM] for i in range(len(run) - 1)]
        for run in _runs(word)
        if len(run) >= BIGRAM
    ]


def _needs_check(word: str) -> bool:
    """Whether the phrases alone may not decide the word (see the module docstring)."""
    runs = _runs(word)
    if len(runs) != 1 or runs[0] != word or len(word) < BIGRAM:
        return True
    return any(not char.isascii() and char.lower() != char.upper() for char in word)


def is_short(query: str) -> bool:
    """The query has words, but none of 2+ characters the index could look up (「金」)."""
    words = query_words(query)
    return bool(words) and not any(_phrases(word) for word in words)


class _Unindexed(Func):
    """``+column``: the same value, but SQLite will not use an index to find it."""

    template = "+%(expressions)s"


# PostgreSQL's tsvector column: not a model field, since SQLite has no such column.
_BIGRAMS: TextField[str, str] = TextField()
_BIGRAMS.set_attributes_from_name("bigrams")


class _BigramsColumn(Expression):
    """``<the query's alias for fulltext_searchdocument>.bigrams`` (PostgreSQL)."""

    def resolve_expression(  # type: ignore[override]  # a Col, not a copy of itself
        self, query: Any = None, *args: Any, **kwargs: Any
    ) -> Col:
        return Col(query.get_initial_alias(), _BIGRAMS)


class _Tsquery(Func):
    template = "CAST(%(expressions)s AS tsquery)"
    output_field = TextField()


class _Matches(Func):
    """``bigrams @@ CAST(%s AS tsquery)``, which the GIN index serves."""

    arg_joiner = " @@ "
    template = "%(expressions)s"
    output_field = BooleanField()


def _fts5_match(phrases: Sequence[Sequence[str]]) -> str:
    # Each phrase an FTS5 string of its bigrams; space between strings is AND. Bigrams hold
    # letters and digits only; quotes are doubled all the same.
    return " ".join('"' + " ".join(phrase).replace('"', '""') + '"' for phrase in phrases)


def _tsquery(phrases: Sequence[Sequence[str]]) -> str:
    return " & ".join(
        "(" + " <-> ".join(_quoted(bigram) for bigram in phrase) + ")" for phrase in phrases
    )


def matching_ids(
    kind: str, query: str, *, among: Iterable[int] | QuerySet[Any, Any] | None = None
) -> QuerySet[SearchDocument, int]:
    """Ids of the ``kind`` records whose text contains every word of ``query``.

    Lazy: use it as ``pk__in=`` so that the caller's query and this one run as one.

    ``among`` (ids, or a query of ids) restricts the search to those records and checks
    them one by one through the (kind, object_id) index instead of asking the bigram
    index for every match: the same result, and cheaper when the word is common and the
    records are few (a page-sized batch), since the index would list all the matches.
    """
    return _documents([kind], query, among).values_list("object_id", flat=True)


def matches(kind: str, query: str, ref: str = "pk") -> Exists:
    """Whether the ``kind`` document of the outer row (its ``ref`` field) contains every word
    of ``query``, as a correlated EXISTS checked through the (kind, object_id) index — the
    same answer as ``pk__in=matching_ids(kind, query)``, for a query that already holds a
    few rows (a bounded walk over the newest consultations): the bigram index would list
    every match of a common word first."""
    return Exists(by_key(_documents([kind], query, named=True), "object_id", ref))


def count_matching(kinds: Sequence[str], query: str, *, cap: int) -> int:
    """How many documents of ``kinds`` match ``query`` (the index alone, no access rules),
    counted up to ``cap + 1``: the cost follows min(matches, cap), so a caller can ask
    cheaply whether the index would list few matches or very many. A query the index
    cannot answer (``is_short``) counts as ``cap + 1``."""
    if is_short(query):
        return cap + 1
    return _documents(kinds, query).values("pk")[: cap + 1].count()


def _documents(
    kinds: Sequence[str],
    query: str,
    among: Iterable[int] | QuerySet[Any, Any] | None = None,
    *,
    named: bool = False,
) -> QuerySet[SearchDocument, SearchDocument]:
    """The documents that match; ``among`` or ``named`` (the caller names the records):
    each checked with LIKE, without the bigram index."""
    words = query_words(query)
    documents = SearchDocument.objects.filter(kind__in=kinds)
    if not words:
        return documents.none()
    checked = words
    phrases = [phrase for word in words for phrase in _phrases(word)]
    if among is not None:
        documents = documents.filter(object_id__in=among)
    elif phrases and not named:
        checked = [word for word in words if _needs_check(word)]
        if connection.vendor == "sqlite":
            # The FTS5 hits must drive the query (rowid lookups). Without ANALYZE statistics
            # SQLite guesses that kind = %s matches 10 rows and walks the whole kind instead;
            # "+kind" keeps it off that index.
            documents = SearchDocument.objects.alias(unindexed_kind=_Unindexed("kind")).filter(
                unindexed_kind__in=kinds,
                # Fixed SQL; the phrases are one bound parameter, quoted for FTS5 above.
                id__in=RawSQL(_FTS_MATCH, [_fts5_match(phrases)]),  # noqa: S611
            )
        else:
            # The tsquery is one bound parameter, its lexemes quoted above.
            documents = documents.filter(
                _Matches(_BigramsColumn(), _Tsquery(Value(_tsquery(phrases))))
            )
    for word in checked:
        documents = documents.filter(text__contains=word)
    return documents


def index(kind: str, object_id: int, text: str) -> None:
    """Store (or replace) the searchable text of one record, in one statement."""
    _write(kind, [(object_id, normalize(text))], upsert=True)


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
            _write(kind, [(object_id, normalize(text)) for object_id, text in batch])
            count += len(batch)
    return count


def _write(kind: str, rows: list[tuple[int, str]], *, upsert: bool = False) -> None:
    """Insert (or upsert) normalised rows. SQLite's triggers index them; on PostgreSQL the
    tsvector goes in with the row."""
    if connection.vendor == "postgresql":
        now = timezone.now()
        with connection.cursor() as cursor:
            params = [(kind, pk, text, now, tsvector_literal(text)) for pk, text in rows]
            if len(params) == 1:
                cursor.execute(_PG_UPSERT, params[0])
            else:
                cursor.executemany(_PG_UPSERT, params)
        return
    documents = [SearchDocument(kind=kind, object_id=pk, text=text) for pk, text in rows]
    if upsert:
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["text", "updated_at"],
        )
    else:
        SearchDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)


def index_unindexed(*, batch_size: int = BATCH_SIZE, using: Any = None) -> int:
    """PostgreSQL: compute the tsvector of every document that has none (rows written by
    COPY in bench/build_dataset.py, or before the migration that added the column); returns
    how many. SQLite's triggers index every row as it is written: nothing to do there."""
    db = using or connection
    if db.vendor != "postgresql":
        return 0
    count = 0
    with db.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, text FROM fulltext_searchdocument WHERE bigrams IS NULL"
                " ORDER BY id LIMIT %s",
                [batch_size],
            )
            batch = cursor.fetchall()
            if not batch:
                return count
            cursor.executemany(
                "UPDATE fulltext_searchdocument SET bigrams = CAST(%s AS tsvector) WHERE id = %s",
                [(tsvector_literal(text), pk) for pk, text in batch],
            )
            count += len(batch)
