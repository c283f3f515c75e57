"""The demo city of 300 households as `tomoni demo` builds it, read by the tests below: the
seed's examples, the concerns of each situation, referrals in every state and the invariants
the actions keep. Restored for the module from the test process's one copy
(tests/democity.py), since the tests only read it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from tomoni import access
from tomoni.demo.intake import FROM, SEED_EXAMPLES, UNTIL
from tomoni.fulltext.api import matching_ids
from tomoni.fulltext.models import SearchDocument
from tomoni.intake.actions import response_due
from tomoni.intake.models import Consultation, ConsultationConcern, Outcome, Referral, RouteStep
from tomoni.notes.models import Note
from tomoni.people.models import Household

from . import democity

# Every test here reads the one city: one worker builds it once (`--dist loadgroup`, as make
# runs pytest; other modes may build it once per worker).
pytestmark = [pytest.mark.demo, pytest.mark.xdist_group(democity.GROUP)]

State = Referral.State


@pytest.fixture(scope="module")
def city_300(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    yield from democity.city_for_module(django_db_blocker)


def _concerns(consultation: Consultation) -> set[str]:
    return set(consultation.concern_links.values_list("concern__code", flat=True))


def _first_of_each() -> list[int]:
    """The first consultation about each household."""
    return [
        Consultation.objects.filter(household=household, is_new=True).order_by("pk")[0].pk
        for household in Household.objects.filter(consultations__isnull=False).distinct()
    ]


def test_demo_consultations_tell_the_seed_examples(db: None, city_300: dict[str, int]) -> None:
    """The seed's three examples appear verbatim and are found by the full-text search."""
    for example in SEED_EXAMPLES:
        assert Consultation.objects.filter(summary=example).exists(), example
    eviction = Consultation.objects.filter(summary=SEED_EXAMPLES[2])
    for consultation in eviction:
        assert [step.kind for step in consultation.route.all()][:1] == ["minsei"]
        assert consultation.caller_relation == "民生児童委員"
        assert consultation.receiver.username == "madoguchi"
        assert {"housing", "rent-loan"} <= _concerns(consultation)
    for cable in Consultation.objects.filter(summary=SEED_EXAMPLES[1]):
        assert _concerns(cable) >= {"other", "procedures"}
        assert cable.concern_links.get(is_primary=True).concern.code == "other"
    for query in ("ケーブルテレビ", "解約"):
        consultations = Consultation.objects.filter(
            pk__in=matching_ids("intake.consultation", query)
        )
        notes = Note.objects.filter(pk__in=matching_ids("notes.note", query))
        assert SEED_EXAMPLES[1] in set(consultations.values_list("summary", flat=True))
        assert notes.exists() and all(query in note.text for note in notes)
    assert SearchDocument.objects.filter(kind="intake.consultation").count() == (
        Consultation.objects.count()
    )
    assert SearchDocument.objects.filter(kind="notes.note").count() == Note.objects.count()


def test_demo_concerns_follow_the_household(db: None, city_300: dict[str, int]) -> None:
    """Each situation brings its concerns, and about 60% of households consulted."""
    expected = {
        "8050": {"hikikomori", "care", "income"},
        "double-care": {"care", "childcare"},
        "self-neglect": {"housing", "community", "health"},
        "young-carer": {"childcare", "health"},
        "hikikomori": {"hikikomori"},
    }
    for tag, concerns in expected.items():
        firsts = Consultation.objects.filter(
            pk__in=_first_of_each(), household__tags__code=tag
        ).distinct()
        assert firsts.exists(), tag
        for consultation in firsts:
            assert concerns <= _concerns(consultation), (tag, consultation.summary)
    in_care = Consultation.objects.filter(
        pk__in=_first_of_each(), household__memberships__end_reason="facility"
    )
    assert in_care.exists()
    assert all({"other", "procedures"} <= _concerns(c) for c in in_care)
    consulted = Household.objects.filter(consultations__isnull=False).distinct().count()
    assert 0.5 <= consulted / 300 <= 0.75


def test_demo_referrals_cover_every_state(db: None, city_300: dict[str, int]) -> None:
    """Referrals appear in every state, some overdue, with the fields each state implies."""
    referrals = list(Referral.objects.select_related("consultation"))
    assert {r.state for r in referrals} == set(State.values)
    assert any(r.is_overdue(UNTIL) for r in referrals)
    targets = set(Referral.objects.values_list("to_agency__code", flat=True))
    # The window is the 自立相談支援機関 (TOMONI_WINDOW_IS_JIRITSU): agencies refer 生活困窮 to
    # it, and nobody to the separate 「自立相談支援機関」 row.
    assert {"window", "kodomokatei", "kenri", "shohi"} <= targets
    assert "jiritsu" not in targets
    assert any(code.startswith("houkatsu") for code in targets)
    for r in referrals:
        assert r.from_agency_id == r.consultation.agency_id != r.to_agency_id
        assert r.due_on == response_due(timezone.localdate(r.sent_at))
        answered = r.state in (State.ACCEPTED, State.DECLINED, State.COMPLETED)
        assert (r.responded_by_id is not None) >= answered
        assert (r.responded_at is not None) == (r.responded_by_id is not None)
        assert bool(r.decline_reason) == (r.state == State.DECLINED)
        completed = r.state == State.COMPLETED
        assert (r.completed_at is not None) == bool(r.outcome_note) == completed
        assert (r.completed_by_id is not None) == completed
        withdrawn = r.state == State.WITHDRAWN
        assert (r.withdrawn_at is not None) == bool(r.withdraw_reason) == withdrawn
        assert (r.withdrawn_by_id is not None) == withdrawn
        assert r.version == 1 + (r.responded_by_id is not None) + (
            r.state in ("completed", "withdrawn")
        )
        assert r.consultation.received_at <= r.sent_at
        if r.responded_by is not None:
            assert r.responded_by.agency_id == r.to_agency_id
        if r.completed_by is not None:
            assert r.completed_by.agency_id == r.to_agency_id
        if r.withdrawn_by is not None:
            assert r.withdrawn_by.agency_id == r.from_agency_id
    referred = Consultation.objects.filter(outcome=Outcome.REFERRED)
    assert not referred.filter(referrals__isnull=True).exists()


def test_demo_consultations_keep_the_action_invariants(db: None, city_300: dict[str, int]) -> None:
    """Demo rows keep what the actions keep: codes, one ◎, routes, notes' authors, dates."""
    consultations = Consultation.objects.all()
    # Bulk-loaded ones carry SD codes; the one the 地域包括 takes through the action (for the
    # demo's 8050 case) gets the action's pk-derived S code.
    codes = list(consultations.values_list("code", flat=True))
    assert sum(not code.startswith("SD") for code in codes) == 1
    primaries = Counter(
        ConsultationConcern.objects.filter(is_primary=True).values_list("consultation", flat=True)
    )
    assert set(primaries.values()) == {1}
    assert set(primaries) == set(consultations.values_list("pk", flat=True))
    routes = consultations.annotate(steps=Count("route"))
    assert not routes.filter(steps=0).exists()
    assert not RouteStep.objects.filter(order=0).exists()
    assert set(consultations.values_list("outcome", flat=True)) >= set(Outcome.values)
    receivers = Counter(consultations.values_list("receiver__username", flat=True))
    # The one taken through the action is the 8050 household's own 圏域's 地域包括's, which
    # need not be the demo login's (第1圏域).
    asked = consultations.exclude(code__startswith="SD").select_related("household__district")
    centre, household = asked.get().receiver, asked.get().household
    assert centre.agency is not None and household is not None and household.district is not None
    assert centre.agency.area == household.district.area
    assert set(receivers) == {"madoguchi", "houkatsu", "shogai", centre.username}
    assert receivers["madoguchi"] > 0.8 * sum(receivers.values())
    consents = Counter(consultations.values_list("consent", flat=True))
    assert consents["given"] > 0.8 * sum(consents.values())
    start = datetime.combine(FROM, time(), tzinfo=ZoneInfo("Asia/Tokyo"))
    end = datetime.combine(UNTIL + timedelta(days=1), time(), tzinfo=ZoneInfo("Asia/Tokyo"))
    assert not consultations.filter(Q(received_at__lt=start) | Q(received_at__gte=end)).exists()
    assert consultations.filter(person=None, household=None).exists()  # anonymous calls
    notes = Note.objects.select_related("author", "consultation").filter(case__isnull=True)
    assert notes.filter(visibility="own_agency").exists()
    for note in notes:
        assert note.consultation is not None
        assert access.can(note.author, access.CHANGE, note.consultation)
        assert note.agency_id == note.author.agency_id
        assert timezone.localdate(note.consultation.received_at) <= note.on <= UNTIL
    for note in Note.objects.select_related("author", "case").filter(case__isnull=False):
        assert note.case is not None
        assert access.can(note.author, access.NOTE, note.case)
        assert note.case.opened_on <= note.on <= UNTIL
