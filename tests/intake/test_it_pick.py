"""Picking a person at intake (issue 14, findings 1 and 2): a person may be linked to a
consultation only after the matches panel showed them to this worker a moment ago, or if the
worker may already see them. Any other id answers like a missing one."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tomoni import access
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation
from tomoni.people import actions as people_actions
from tomoni.people.models import Person

from ..conftest import first_member, register_household
from .conftest import take

TYPED = {"p-family_name": "見本", "p-given_name": "花子"}


def _form(person: Person | str, **extra: str) -> dict[str, object]:
    return {
        "received_on": "令和8年11月2日",
        "received_time": "10:00",
        "method": "phone",
        "is_new": "1",
        "urgency": "normal",
        "consent": "given",
        "summary": "家族のことで相談したい",
        "person": getattr(person, "pk", person),
        **extra,
    }


@pytest.fixture
def stranger(personas: dict[str, Staff]) -> Person:
    """見本 花子, registered by the window: nobody at the 障害者相談支援 may open her."""
    household = register_household(personas["window"])
    person = household.memberships.get(person__given_name="花子").person
    assert not access.can(personas["agency_b"], access.VIEW, person)
    return person


def test_choose_refuses_a_person_never_shown(
    personas: dict[str, Staff], as_user: Callable[..., Client], stranger: Person
) -> None:
    """Finding 1: choosing by id answers 404 with no name, exactly like a missing id."""
    client = as_user(personas["agency_b"])
    url = reverse("intake:choose")
    refused = client.get(url, {"person": stranger.pk})
    missing = client.get(url, {"person": stranger.pk + 10_000})
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    assert "見本" not in refused.content.decode()
    assert "もう一度検索" in refused.content.decode()


def test_choose_works_for_a_candidate_just_shown_and_is_audited(
    personas: dict[str, Staff], as_user: Callable[..., Client], stranger: Person
) -> None:
    client = as_user(personas["agency_b"])
    panel = client.get(reverse("intake:matches"), TYPED)
    assert "見本 花子" in panel.content.decode()
    before = AuditEvent.objects.count()
    chosen = client.get(reverse("intake:choose"), {"person": stranger.pk})
    assert chosen.status_code == 200 and "見本 花子" in chosen.content.decode()
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.action, event.object_id) == ("view", str(stranger.pk))
    assert event.detail == {"shown_as": "candidate"}


def test_a_pick_expires(
    personas: dict[str, Staff],
    as_user: Callable[..., Client],
    stranger: Person,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A candidate stays pickable for TOMONI_CANDIDATE_MINUTES, then must be searched again."""
    client = as_user(personas["agency_b"])
    client.get(reverse("intake:matches"), TYPED)
    # tomoni.access.candidates reads the clock with time.time().
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(reverse("intake:choose"), {"person": stranger.pk}).status_code == 404


def test_taking_a_consultation_cannot_open_an_unseen_person(
    personas: dict[str, Staff], as_user: Callable[..., Client], stranger: Person
) -> None:
    """Finding 2: POSTing the 相談受付 with an id never shown creates nothing and the person
    stays closed; the form says to search again."""
    client = as_user(personas["agency_b"])
    before = Consultation.objects.count()
    response = client.post(reverse("intake:new"), _form(stranger))
    assert response.status_code == 200
    assert "もう一度検索してから選んでください" in response.content.decode()
    assert Consultation.objects.count() == before
    for name in ("people:person", "people:person_edit"):
        assert client.get(reverse(name, args=[stranger.pk])).status_code == 404


def test_taking_a_consultation_with_a_shown_candidate_opens_them(
    personas: dict[str, Staff], as_user: Callable[..., Client], stranger: Person
) -> None:
    client = as_user(personas["agency_b"])
    client.get(reverse("intake:matches"), TYPED)
    response = client.post(reverse("intake:new"), _form(stranger))
    assert response.status_code == 302
    consultation = Consultation.objects.get(person=stranger)
    assert consultation.receiver == personas["agency_b"]
    assert client.get(reverse("people:person", args=[stranger.pk])).status_code == 200


def test_the_action_refuses_an_unseen_person_too(
    personas: dict[str, Staff], stranger: Person
) -> None:
    """Enforced in take_consultation itself, not only by the form: 404 unless shown."""
    with pytest.raises(access.NotVisible):
        take(personas["agency_b"], person=stranger)
    assert not Consultation.objects.filter(person=stranger).exists()
    consultation = take(personas["agency_b"], person=stranger, shown={stranger.pk})
    assert consultation.person == stranger


def test_a_person_the_worker_already_sees_needs_no_search(personas: dict[str, Staff]) -> None:
    household = register_household(personas["agency_b"])
    mine = first_member(household)
    assert take(personas["agency_b"], person=mine).person == mine


def test_a_household_not_visible_cannot_be_attached(personas: dict[str, Staff]) -> None:
    household = register_household(personas["window"])
    with pytest.raises(access.NotVisible):
        take(personas["agency_b"], household=household)


@pytest.mark.parametrize("value", ["99999999999999999999999", "-3", "abc", "1e5", "１"])
def test_strange_ids_at_intake_are_404_or_a_form_message(
    value: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["agency_b"])
    assert client.get(reverse("intake:choose"), {"person": value}).status_code == 404
    response = client.post(reverse("intake:new"), _form(value))
    assert response.status_code == 200
    assert "もう一度検索" in response.content.decode()


def test_register_person_still_offers_new_people(personas: dict[str, Staff]) -> None:
    """Typing a new person (no pick) registers them as before."""
    person = people_actions.register_person(
        personas["agency_b"], {"family_name": "試験", "given_name": "一郎"}
    )
    consultation = take(personas["agency_b"], person=person)
    assert consultation.person == person
