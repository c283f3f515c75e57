"""Who sees which consultations, referrals and notes: agencies see their own, a receiving
agency sees the referral and nothing behind it, own-agency notes stay in the agency, and the
candidates at intake show only enough to recognise a person."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.directory.models import Staff
from tomoni.intake import actions
from tomoni.intake.models import Consultation, Referral
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility
from tomoni.people.candidates import Candidate, find_candidates
from tomoni.people.models import Household, Person

from ..conftest import BrowserClient, agency_of, first_member, register_household
from .conftest import take

State = Referral.State


def _visible_pks(user: Staff, model: type[Consultation | Referral | Note]) -> set[int]:
    return set(access.visible(user, model).values_list("pk", flat=True))


@pytest.fixture
def a_to_window(personas: dict[str, Staff]) -> Referral:
    """Agency A takes a consultation about a person it registered and refers it to the window."""
    agency_a = personas["agency_a"]
    person = first_member(register_household(agency_a, members=2))
    consultation = take(agency_a, person=person, summary="長男のひきこもりについて母から相談")
    add_note(agency_a, consultation, text="母と面談した。", method="visit")
    return actions.refer(
        agency_a, consultation, agency_of(personas["window"]), "長男の支援をお願い"
    )


def test_agency_b_never_sees_agency_a_referrals(
    personas: dict[str, Staff], a_to_window: Referral
) -> None:
    """Agency B sees none of agency A's referral, consultation or notes; by key they are 404."""
    agency_b = personas["agency_b"]
    consultation = a_to_window.consultation
    assert _visible_pks(agency_b, Referral) == set()
    assert _visible_pks(agency_b, Consultation) == set()
    assert _visible_pks(agency_b, Note) == set()
    with pytest.raises(Http404):
        access.get_for_user(agency_b, Referral, a_to_window.pk)
    with pytest.raises(Http404):
        access.get_for_user(agency_b, Consultation, consultation.pk)
    for action in ("accept", "withdraw"):
        with pytest.raises(Http404):
            actions.move_referral(
                agency_b, a_to_window, action, version=a_to_window.version, note="理由"
            )


def test_receiver_sees_the_referral_but_not_what_is_behind_it(
    personas: dict[str, Staff],
    a_to_window: Referral,
    as_user: Callable[..., BrowserClient],
) -> None:
    """The receiver opens the referral, but the consultation, notes and person are 404."""
    window = personas["window"]
    consultation = a_to_window.consultation
    person, household = consultation.person, consultation.household
    assert person is not None and household is not None
    assert access.get_for_user(window, Referral, a_to_window.pk) == a_to_window
    assert access.can(window, access.RESPOND, a_to_window)
    with pytest.raises(Http404):
        access.get_for_user(window, Consultation, consultation.pk)
    assert _visible_pks(window, Note) == set()
    with pytest.raises(Http404):
        access.get_for_user(window, Person, person.pk)
    with pytest.raises(Http404):
        access.get_for_user(window, Household, household.pk)
    client = as_user(window)
    assert client.get(reverse("people:person", args=[person.pk])).status_code == 404
    assert client.get(reverse("people:household", args=[household.pk])).status_code == 404
    # Accepting it changes nothing about that: the referral is what is shared.
    actions.move_referral(window, a_to_window, "accept", version=a_to_window.version)
    with pytest.raises(Http404):
        access.get_for_user(window, Consultation, consultation.pk)
    with pytest.raises(Http404):
        add_note(window, consultation, text="受諾しました。", method="phone")


def test_receiver_sees_more_only_when_otherwise_granted(
    personas: dict[str, Staff], a_to_window: Referral
) -> None:
    """The receiver opens the person only through another grant (break-glass, own consultation)."""
    window = personas["window"]
    person = a_to_window.consultation.person
    assert person is not None
    open_break_glass(window, "people.person", person.pk, "緊急の安否確認のため")
    assert access.can(window, access.VIEW, person)
    assert not access.can(window, access.CHANGE, person)
    take(window, person=person)
    assert access.can(window, access.CHANGE, person)
    with pytest.raises(Http404):
        access.get_for_user(window, Consultation, a_to_window.consultation_id)


def test_sender_sees_its_referral_and_its_answer(
    personas: dict[str, Staff], a_to_window: Referral
) -> None:
    """The sender follows the answer and may withdraw, but may not answer its own referral."""
    agency_a = personas["agency_a"]
    actions.move_referral(
        personas["window"],
        a_to_window,
        "decline",
        version=a_to_window.version,
        note="担当外のため。",
    )
    seen = access.get_for_user(agency_a, Referral, a_to_window.pk)
    assert (seen.state, seen.decline_reason) == (State.DECLINED, "担当外のため。")
    assert access.can(agency_a, access.WITHDRAW, seen)
    assert not access.can(agency_a, access.RESPOND, seen)


@pytest.fixture
def noted(personas: dict[str, Staff]) -> dict[str, Note]:
    """A window consultation with a shared and an own-agency note by the window, and a shared
    and an own-agency note by the 社協 coordinator."""
    window, coordinator = personas["window"], personas["coordinator"]
    consultation = take(window, summary="事情が複雑で何から相談してよいか分からない")
    return {
        "window_shared": add_note(window, consultation, text="本人と面談。", method="visit"),
        "window_own": add_note(
            window,
            consultation,
            text="本人の通院歴について聞き取り。他機関とは共有しない。",
            method="visit",
            visibility=Visibility.OWN_AGENCY,
        ),
        "coordinator_shared": add_note(
            coordinator, consultation, text="関係機関と役割分担を協議。", method="meeting"
        ),
        "coordinator_own": add_note(
            coordinator,
            consultation,
            text="社協内の検討メモ。",
            method="meeting",
            visibility=Visibility.OWN_AGENCY,
        ),
    }


def _seen(user: Staff, noted: dict[str, Note]) -> set[str]:
    return {name for name, note in noted.items() if access.can(user, access.VIEW, note)}


def test_own_agency_notes_stay_in_the_agency(
    personas: dict[str, Staff], noted: dict[str, Note], make_staff: Callable[..., Staff]
) -> None:
    """A note kept to its agency is hidden from other agencies that see the consultation."""
    everything = set(noted)
    assert _seen(personas["window"], noted) == everything - {"coordinator_own"}
    assert _seen(personas["coordinator"], noted) == everything - {"window_own"}
    # Another 社協 coordinator shares the agency; a city coordinator (重層推進担当) does not.
    assert _seen(make_staff("coordinator", "shakyo"), noted) == everything - {"window_own"}
    city = make_staff("coordinator", "jusou")
    assert _seen(city, noted) == {"window_shared", "coordinator_shared"}
    for persona in ("agency_a", "agency_b", "outreach", "community", "manager", "auditor"):
        assert _seen(personas[persona], noted) == set(), persona
    listed = set(access.visible(city, Note).values_list("pk", flat=True))
    assert listed == {noted["window_shared"].pk, noted["coordinator_shared"].pk}


def test_notes_are_written_only_by_who_may_change_the_consultation(
    personas: dict[str, Staff], noted: dict[str, Note]
) -> None:
    """Agency B cannot note on the window's consultation (404); future dates are refused."""
    from django.core.exceptions import ValidationError

    consultation = noted["window_shared"].consultation
    assert consultation is not None
    with pytest.raises(Http404):
        add_note(personas["agency_b"], consultation, text="メモ", method="phone")
    with pytest.raises(ValidationError, match="未来の日付"):
        add_note(personas["window"], consultation, text="メモ", method="phone", on=date(2099, 1, 1))


CANDIDATE_FIELDS = {"pk", "name", "kana", "age", "district", "score", "reasons"}


def test_candidates_show_limited_fields_beyond_the_window_scope(
    personas: dict[str, Staff],
) -> None:
    """Candidates show name, kana, age and 地区 of people the window may not open."""
    window = personas["window"]
    household = register_household(personas["agency_b"], members=1, phone="042-378-2111")
    person = first_member(household)
    with pytest.raises(Http404):
        access.get_for_user(window, Person, person.pk)
    found = find_candidates(window, family_name="見本", given_name="太郎")
    assert [c.pk for c in found] == [person.pk]
    candidate = found[0]
    assert {f.name for f in dataclasses.fields(Candidate)} == CANDIDATE_FIELDS
    assert (candidate.name, candidate.kana) == ("見本 太郎", "みほん たろう")
    assert "042" not in repr(candidate) and "稲城市" not in repr(candidate)
    with pytest.raises(Http404):
        access.get_for_user(window, Person, person.pk)


@pytest.mark.parametrize("persona", ["window", "coordinator", "agency_a", "agency_b"])
def test_case_workers_get_candidates(persona: str, personas: dict[str, Staff]) -> None:
    """Everyone who may take a consultation is offered candidates."""
    person = first_member(register_household(personas["window"], members=1))
    assert [c.pk for c in find_candidates(personas[persona], kana="みほん")] == [person.pk]


@pytest.mark.parametrize("persona", ["manager", "auditor", "admin", "outreach", "community"])
def test_other_roles_get_no_candidates(persona: str, personas: dict[str, Staff]) -> None:
    """Roles that do not take consultations are offered nobody, whatever they type."""
    person = first_member(register_household(personas["window"], members=1))
    assert person.birth_date is None
    user = personas[persona]
    assert find_candidates(user, family_name="見本", given_name="太郎", kana="みほん") == []
