"""The consultation list's rows: the filters, the word search (its own text, or a note on it
the user may read) and the count, with each hit's snippet.

``page()`` gives one page of the list; ``snippets()`` marks the hits on it. Both read through
``tomoni.access``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page
from django.db.models import Exists, F, FilteredRelation, Q, QuerySet

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.fulltext.api import count_matching, is_short, matches, matching_ids
from tomoni.fulltext.snippets import contains_all, highlight
from tomoni.lib.correlated import by_key
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
    """Every match through the full-text index: the newest COUNT_CAP + 1 ids in one query,
    counted and paged from that list. A capped count and a page query apart would each join
    the word's matching notes again (PostgreSQL hashed them twice: 2 × 130 ms for a common
    word at data set S); 1,001 ids are a few kilobytes."""
    matched = _matching(user, filtered, query)
    newest = list(
        matched.order_by("-received_at", "-pk").values_list("pk", flat=True)[: COUNT_CAP + 1]
    )
    paginator = CountingPaginator(
        newest[:COUNT_CAP], PAGE_SIZE, cap=COUNT_CAP, more=len(newest) > COUNT_CAP
    )
    return _with_rows(paginator.get_page(number), filtered)


def _newest_matches(
    user: Staff, filtered: QuerySet[Consultation], query: str
) -> tuple[list[int], bool]:
    """The ids of the newest COUNT_CAP + 1 matching consultations, newest first, found by
    walking the newest consultations window by window (each window one query, newest first,
    that stops at the hits still wanted), and whether that is the whole answer: False if the
    windows of WALK_BATCHES hold fewer matches and more consultations remain (the words are
    rare: the index is the faster way; a 1-character word has none)."""
    newest = filtered.order_by("-received_at", "-pk")
    found: list[int] = []
    rest = newest
    for size in WALK_BATCHES:
        # A window is bounded by its oldest consultation's (received_at, pk): a range of the
        # received_at index the database walks newest first, not a list of ids to hash.
        last = rest.values_list("received_at", "pk")[size - 1 : size].first()
        window = rest if last is None else rest.filter(_not_older(*last))
        hits = _walked(user, window, query).values_list("pk", flat=True)
        found += hits[: COUNT_CAP + 1 - len(found)]
        if len(found) > COUNT_CAP or last is None:
            return found, True
        rest = rest.exclude(_not_older(*last))
    return found, False


def _not_older(received_at: datetime, pk: int) -> Q:
    """Received at or after ``received_at`` (the index range), ties broken by ``pk`` as the
    list orders them."""
    return Q(received_at__gte=received_at) & (Q(received_at__gt=received_at) | Q(pk__gte=pk))


def _walked(user: Staff, window: QuerySet[Consultation], query: str) -> QuerySet[Consultation]:
    """The consultations of ``window`` (a bounded part of the list, in its order) whose own
    text or a note the user may read matches: each consultation checks its own document,
    then its notes, by key (correlated EXISTS), so the cost follows the consultations walked,
    not the word's matches nor every record the user may see."""
    with access.few_candidates():  # the notes of one consultation: each checked by key
        notes = access.visible(user, Note).filter(matches("notes.note", query))
    notes = by_key(notes, "consultation")
    return window.filter(Q(matches("intake.consultation", query)) | Q(Exists(notes)))


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
    with access.few_candidates():  # the notes of a page's consultations: each checked by key
        notes = access.visible(user, Note).filter(consultation_id__in=list(rest))
    notes = notes.filter(matches("notes.note", query))
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


def _matching(user: Staff, qs: QuerySet[Consultation], query: str) -> QuerySet[Consultation]:
    """Its own text, or a note on it that the user may read, through the bigram index. The
    index path runs for at most INDEX_CAP matching documents, so each matching note's case or
    consultation is checked by key: as an IN over every consultation a window worker sees
    (266,000 at data set L) PostgreSQL could not hash the list within work_mem and searched it
    linearly for each note — 135 s for 滞納 通帳."""
    with access.few_candidates():
        notes = access.visible(user, Note).filter(pk__in=matching_ids("notes.note", query))
    return qs.filter(
        Q(pk__in=matching_ids("intake.consultation", query))
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
