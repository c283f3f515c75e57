"""The consultation list's word search in its faster shapes (issue 17) gives the policy's
answer: the walk over the newest consultations checks each one's own text and its notes by
key (correlated EXISTS, notes under ``few_candidates``), the index path fetches its capped
list in one query, and the snippets read the page's notes by key — for every role, on
random consultations and notes (own-agency notes, break-glass grants), compared with a
reference computed record by record from ``access.visible``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.directory.models import Staff
from tomoni.fulltext.snippets import contains_all
from tomoni.intake import listing
from tomoni.intake.models import Consultation
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility

from ..intake.conftest import take

WORDS = ["訪問", "家賃", "滞納", "面談し", "施設入所"]
TAKERS = ["window", "agency_a", "agency_b"]
READERS = ["coordinator", "window", "agency_a", "agency_b"]

texts = st.lists(st.sampled_from(WORDS), max_size=3).map("、".join)
consultations = st.lists(st.tuples(st.sampled_from(TAKERS), texts), min_size=1, max_size=6)
notes = st.lists(
    st.tuples(
        st.integers(0, 5),  # which consultation (modulo how many)
        st.booleans(),  # written by the coordinator rather than the taker's agency
        st.sampled_from([Visibility.SHARED, Visibility.OWN_AGENCY]),
        texts,
    ),
    max_size=8,
)
queries = st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join)
grants = st.lists(st.tuples(st.sampled_from(READERS[1:]), st.integers(0, 5)), max_size=2)


def _build(personas: dict[str, Staff], plan: dict[str, Any]) -> list[Consultation]:
    taken = [
        take(personas[who], summary=text or "相談", text="") for who, text in plan["consultations"]
    ]
    for index, by_coordinator, visibility, text in plan["notes"]:
        consultation = taken[index % len(taken)]
        author = consultation.receiver if not by_coordinator else personas["coordinator"]
        add_note(author, consultation, text=text or "記録", method="phone", visibility=visibility)
    for who, index in plan["grants"]:
        consultation = taken[index % len(taken)]
        open_break_glass(
            personas[who], "intake.consultation", consultation.pk, "緊急の確認のため閲覧します"
        )
    return taken


def _reference(user: Staff, query: str) -> list[int]:
    """Newest first: the consultations the user sees whose own text, or a note on them the
    user may read, holds every word — decided one record at a time."""
    readable = list(access.visible(user, Note).values_list("consultation_id", "text"))
    found = []
    for c in access.visible(user, Consultation).order_by("-received_at", "-pk"):
        own = f"{c.summary}\n{c.text}"
        if contains_all(own, query) or any(
            cid == c.pk and contains_all(text, query) for cid, text in readable
        ):
            found.append(c.pk)
    return found


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.fixed_dictionaries({"consultations": consultations, "notes": notes, "grants": grants}),
    query=queries,
)
def test_walk_index_and_snippets_give_the_policy_answer(
    personas: dict[str, Staff], monkeypatch: pytest.MonkeyPatch, plan: dict[str, Any], query: str
) -> None:
    """For every reader, the walk (small batches, so several run) and the index path list
    exactly the reference's consultations in the same order, and each snippet quotes a note
    the reader may read."""
    with transaction.atomic():
        _build(personas, plan)
        for name in READERS:
            user = personas[name]
            expected = _reference(user, query)
            filtered = listing._filtered(user, {"scope": "all"})
            monkeypatch.setattr(listing, "WALK_BATCHES", (2, 3, 1000))
            walked, complete = listing._newest_matches(user, filtered, query)
            assert complete and walked == expected, name
            page = listing._indexed_page(user, filtered, query, None)
            assert [c.pk for c in page.object_list] == expected, name
            quoted = listing.snippets(user, page, query)
            readable = set(access.visible(user, Note).values_list("pk", flat=True))
            assert set(quoted) <= readable, name
            for row in page.object_list:
                assert "<mark>" in row.snippet, (name, row.pk)
        transaction.set_rollback(True)
