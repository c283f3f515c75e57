"""The consultation list's rows: the filters, the word search (its own text, or a note on it
the user may read) and the count, with each hit's snippet.

``page()`` gives one page of the list; ``snippets()`` marks the hits on it. Both read through
``tomoni.access``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.paginator import Page
from django.db.models import F, FilteredRelation, Q, QuerySet

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.fulltext.api import count_matching, is_short, matching_ids
from tomoni.fulltext.snippets import contains_all, highlight
from tomoni.lib.paging import CountingPaginator
from tomoni.notes.models import Note
from tomoni.web.viewutils import day_start

from .forms import ConsultationFilterForm
from .models import Consultation

PAGE_SIZE = 50
# A word search counts this many hits at most and shows 「1,000 件以上」 past it.
COUNT_CAP = 1000
# A word search first checks the newest consultations, this many per query. Each batch is
# one query with a fixed cost (the access rules, ~0.5-1.5 s for a window worker on
# PostgreSQL at L) plus a small one per consultation, so one batch of 8,000 beat 2,000 + 6,000.
WALK_BATCHES = (8000,)
# The bigram index lists a word's matches in time proportional to their number; the walk
# costs in proportion to the consultations the user sees (up to WALK_BATCHES). So the index
# is asked directly when the user sees more than FEW consultations and the index holds at
# most INDEX_CAP matching documents (bench: docs/performance.md, full-text section).
FEW = 1000
INDEX_CAP = 40_000
SEARCHED_KINDS = ("intake.consultation", "notes.note")


def page(user: Staff, data: dict[str, Any], number: str | None) -> Page[Any]:
    """The page of the list. The plain list counts exactly (without the joins, which only
    add columns). A word search counts at most COUNT_CAP + 1 hits (「1,000 件以上」): an
    exact count of a common word would read every match."""
    filtered = _filtered(user, data)
    query = data.get("q")
    if not query:
        return CountingPaginator(_listed(filtered), PAGE_SIZE, counted=filtered).get_page(number)
    # Many consultations to walk and rare enough words: the index lists all the matches.
    if (
        not is_short(query)
        and _sees_many(filtered)
        and count_matching(SEARCHED_KINDS, query, cap=INDEX_CAP) <= INDEX_CAP
    ):
        return _indexed_page(user, filtered, query, number)
    newest, complete = _newest_matches(user, filtered, query)
    if not complete and not is_short(query):
        # Few matches among the newest consultations (those the user sees are rare).
        return _indexed_page(user, filtered, query, number)
    # A 1-character query has no index to ask: what the walk found is all it gets, and the
    # page says so (``partial``).
    paginator = CountingPaginator(
        newest[:COUNT_CAP],
        PAGE_SIZE,
        cap=COUNT_CAP,
        more=len(newest) > COUNT_CAP,
        partial=not complete,
        walked=sum(WALK_BATCHES),
    )
    return _with_rows(paginator.get_page(number), filtered)


def _with_rows(page: Page[Any], filtered: QuerySet[Consultation]) -> Page[Any]:
    """The page of ids, as the rows the list shows (one query for the page's rows only: the
    joins and the text would otherwise go into the sort of every match)."""
    ids = list(page.object_list)
    rows = {c.pk: c for c in _listed(filtered).filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _sees_many(filtered: QuerySet[Consultation]) -> bool:
    """Whether the list holds more than FEW consultations (one query, reading FEW + 1 rows)."""
    return filtered.order_by().values_list("pk", flat=True)[FEW : FEW + 1].exists()


def _indexed_page(
    user: Staff, filtered: QuerySet[Consultation], query: str, number: str | None
) -> Page[Any]:
    """Every match through the full-text index, counted up to the cap, one page fetched."""
    matched = _matching(user, filtered, query)
    newest = matched.order_by("-received_at", "-pk").values_list("pk", flat=True)
    paginator = CountingPaginator(newest, PAGE_SIZE, counted=matched, cap=COUNT_CAP)
    return _with_rows(paginator.get_page(number), filtered)


def _newest_matches(
    user: Staff, filtered: QuerySet[Consultation], query: str
) -> tuple[list[int], bool]:
    """The ids of the newest COUNT_CAP + 1 matching consultations, newest first, found by
    checking the newest consultations batch by batch (each batch one bounded query that
    reads only its own documents and notes), and whether that is the whole answer: False
    if the batches of WALK_BATCHES hold fewer matches and more consultations remain (the
    words are rare: the index is the faster way; a 1-character word has none)."""
    ordered = filtered.order_by("-received_at", "-pk").values_list("pk", flat=True)
    found: list[int] = []
    start = 0
    for size in WALK_BATCHES:
        window = ordered[start : start + size]
        batch = list(window)
        start += size
        # The batch goes to the database as the same bounded subquery, not as a list of its
        # ids: thousands of literals, three times over, took PostgreSQL minutes at data set L.
        matching = _matching(user, filtered, query, among=window).order_by()
        hits = set(matching.values_list("pk", flat=True))
        found += [pk for pk in batch if pk in hits]
        if len(found) > COUNT_CAP or len(batch) < size:
            return found, True
    return found, False


def snippets(user: Staff, page: Page[Any], query: str) -> list[int]:
    """Give each consultation on the page ``snippet``: its hit, marked — from its own text
    if that holds every word, else from its newest matching note the user may read (one
    query for the page). Returns the ids of the notes quoted, for the audit."""
    rows = list(page.object_list)
    page.object_list = rows
    rest = {}
    for row in rows:
        own = f"{row.summary}\n{row.text}"
        if contains_all(own, query):
            row.snippet = highlight(own, query)
        else:
            rest[row.pk] = row
    if not rest:
        return []
    notes = access.visible(user, Note).filter(consultation_id__in=list(rest))
    notes = notes.filter(pk__in=matching_ids("notes.note", query, among=notes.values("pk")))
    quoted = []
    for pk, consultation_id, text in notes.order_by("-on", "-pk").values_list(
        "pk", "consultation_id", "text"
    ):
        row = rest.pop(consultation_id, None)
        if row is not None:
            row.snippet = highlight(text, query)
            quoted.append(pk)
    return quoted


def _filtered(user: Staff, data: dict[str, Any]) -> QuerySet[Consultation]:
    qs = access.visible(user, Consultation)
    if data.get("scope") == "mine":
        qs = qs.filter(assignee=user)
    elif data.get("scope") == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    outcome = data.get("outcome")
    if outcome == ConsultationFilterForm.NO_OUTCOME:
        qs = qs.filter(outcome="")
    elif outcome:
        qs = qs.filter(outcome=outcome)
    if data.get("received_from"):
        qs = qs.filter(received_at__gte=day_start(data["received_from"]))
    if data.get("received_to"):
        qs = qs.filter(received_at__lt=day_start(data["received_to"] + timedelta(days=1)))
    return qs


def _matching(
    user: Staff, qs: QuerySet[Consultation], query: str, among: QuerySet[Any] | None = None
) -> QuerySet[Consultation]:
    """Its own text, or a note on it that the user may read; ``among``: only these ids."""
    notes = access.visible(user, Note)
    if among is None:
        notes = notes.filter(pk__in=matching_ids("notes.note", query))
        return qs.filter(
            Q(pk__in=matching_ids("intake.consultation", query))
            | Q(pk__in=notes.values("consultation_id"))
        )
    notes = notes.filter(consultation_id__in=among)
    notes = notes.filter(pk__in=matching_ids("notes.note", query, among=notes.values("pk")))
    return qs.filter(pk__in=among).filter(
        Q(pk__in=matching_ids("intake.consultation", query, among=among))
        | Q(pk__in=notes.values("consultation_id"))
    )


def _listed(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The rows as the list shows them. The joins only add columns (a consultation has at
    most one ◎ concern), so the count is taken on ``qs`` without them."""
    return (
        qs.select_related("person", "household__district", "assignee")
        .annotate(
            primary_link=FilteredRelation(
                "concern_links", condition=Q(concern_links__is_primary=True)
            ),
            primary_concern=F("primary_link__concern__name"),
        )
        .order_by("-received_at", "-pk")
    )
