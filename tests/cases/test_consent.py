"""Consent per person and purpose (issue 15): an immutable history of people.Consent records;
a case's consent is its main person's consent to sharing; a withdrawal is a new record after
which the team no longer sees the case, in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.cases import actions
from tomoni.cases.models import Case, ConsentState
from tomoni.directory.models import Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Person

from ..consent import SHARE, main_person, set_consent, withdraw
from .conftest import agency, open_for

GIVEN, NONE, PENDING = ConsentState.GIVEN, ConsentState.NONE, ConsentState.PENDING


def history(person: Person) -> list[tuple[str, str, str]]:
    return [
        (c.scope, c.status, c.note)
        for c in Consent.objects.filter(person=person).order_by("recorded_at", "pk")
    ]


def members(case: Case) -> tuple[Person, Person]:
    mother = main_person(case)
    son = Person.objects.get(memberships__household=case.household, given_name="太郎")
    return mother, son


def test_records_are_history_and_withdrawal_is_a_new_record(coordinator: Staff) -> None:
    case = open_for(coordinator)
    mother = main_person(case)
    assert case.consent == PENDING and history(mother) == []
    day = timezone.localdate() - timedelta(days=10)
    first = actions.record_consent(
        coordinator,
        case,
        mother,
        scope=SHARE,
        status="given",
        on=day,
        method="written",
        note="チームの機関",
    )
    case.refresh_from_db()
    assert case.consent == GIVEN
    lost = withdraw(coordinator, case)
    assert lost == []  # nobody but the coordinators is on the team
    assert case.consent == NONE
    # The first record is untouched: what was agreed when stays readable.
    first.refresh_from_db()
    assert (first.status, first.on, first.note, first.context) == (
        "given",
        day,
        "チームの機関",
        f"ケース {case.code}",
    )
    withdrawal = Consent.objects.get(withdraws=first)
    assert withdrawal.status == "withdrawn"
    # Consent may be given again later: one more record, never an edit.
    set_consent(coordinator, case, GIVEN)
    assert case.consent == GIVEN
    assert [status for scope, status, _ in history(mother) if scope == SHARE] == [
        "given",
        "withdrawn",
        "given",
    ]


def test_each_member_has_their_own_consent(coordinator: Staff) -> None:
    """The 8050 household: the mother consents, the son does not. The case is the mother's."""
    case = open_for(coordinator)
    mother, son = members(case)
    assert case.person_id == mother.pk  # the head of the household unless chosen otherwise
    set_consent(coordinator, case, GIVEN)
    actions.record_consent(
        coordinator,
        case,
        son,
        scope=SHARE,
        status="refused",
        on=timezone.localdate(),
        method="oral",
        note="自分のことは共有しないでほしい",
    )
    case.refresh_from_db()
    assert case.consent == GIVEN
    assert [s for _, s, _ in history(son)] == ["refused"]
    assert {s for _, s, _ in history(mother)} == {"given"}


def _refused(call: object, case: Case, match: str) -> None:
    case.refresh_from_db()
    before = (case.consent, case.version, Consent.objects.count())
    with pytest.raises(ValidationError, match=match):
        call()  # type: ignore[operator]
    case.refresh_from_db()
    assert (case.consent, case.version, Consent.objects.count()) == before


def test_a_future_date_is_refused(coordinator: Staff) -> None:
    case = open_for(coordinator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    _refused(
        lambda: actions.record_consent(
            coordinator,
            case,
            main_person(case),
            scope=SHARE,
            status="refused",
            on=tomorrow,
            method="oral",
        ),
        case,
        "未来の日付",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "maybe", "同意の状態"),
        ("scope", "everything", "同意の範囲"),
        ("method", "unrecorded", "同意の方法"),
        ("note", "あ" * 301, "300文字"),
    ],
)
def test_bad_values_are_refused(coordinator: Staff, field: str, value: str, message: str) -> None:
    case = open_for(coordinator)
    values: dict[str, Any] = {"scope": SHARE, "status": "given", "method": "oral", "note": ""}
    values[field] = value
    _refused(
        lambda: actions.record_consent(
            coordinator, case, main_person(case), on=timezone.localdate(), **values
        ),
        case,
        message,
    )


def test_consent_of_somebody_outside_the_household_is_refused(coordinator: Staff) -> None:
    case = open_for(coordinator)
    stranger = people_actions.register_person(
        coordinator, {"family_name": "見本", "given_name": "他人"}
    )
    _refused(
        lambda: actions.record_consent(
            coordinator,
            case,
            stranger,
            scope=SHARE,
            status="given",
            on=timezone.localdate(),
            method="oral",
        ),
        case,
        "この世帯の世帯員",
    )


@pytest.mark.parametrize("state", [NONE, PENDING])
def test_withdrawal_when_not_given_is_refused(coordinator: Staff, state: str) -> None:
    case = open_for(coordinator)
    set_consent(coordinator, case, state)
    latest = Consent.objects.filter(person=main_person(case)).latest("pk")
    _refused(
        lambda: actions.withdraw_consent(
            coordinator, case, latest, on=timezone.localdate(), method="written"
        ),
        case,
        "撤回できるのは",
    )


def test_only_a_coordinator_records_consent(personas: dict[str, Staff], coordinator: Staff) -> None:
    """A team agency that sees the case may not change its consent (403); an outsider gets
    404."""
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    set_consent(coordinator, case, GIVEN)
    mother = main_person(case)
    for who, error in (("agency_a", PermissionDenied), ("agency_b", Http404)):
        with pytest.raises(error):
            actions.record_consent(
                personas[who],
                case,
                mother,
                scope=SHARE,
                status="refused",
                on=timezone.localdate(),
                method="oral",
            )
    case.refresh_from_db()
    assert case.consent == GIVEN


def test_after_withdrawal_the_team_loses_the_case_and_its_notes(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_a = personas["agency_a"]
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    set_consent(coordinator, case, GIVEN)
    note = add_note(agency_a, case, text="本人と面談した", method="visit")
    theirs = add_note(coordinator, case, text="長男と電話で話した", method="phone")
    assert access.can(agency_a, access.VIEW, case)
    assert access.can(agency_a, access.NOTE, case)
    assert {note.pk, theirs.pk} <= set(access.visible(agency_a, Note).values_list("pk", flat=True))

    lost = withdraw(coordinator, case)
    assert [a.code for a in lost] == ["houkatsu1"]
    assert not access.can(agency_a, access.VIEW, case)
    assert not access.can(agency_a, access.NOTE, case)
    assert not access.visible(agency_a, Case).filter(pk=case.pk).exists()
    for n in (note, theirs):  # even the note agency A wrote itself follows the case
        assert not access.can(agency_a, access.VIEW, n)
    assert not access.visible(agency_a, Note).filter(case=case).exists()
    with pytest.raises(Http404):
        access.get_for_user(agency_a, Case, case.pk)
    with pytest.raises(Http404):
        add_note(agency_a, case, text="追記", method="phone")
    # The coordinator still runs the case.
    assert access.can(coordinator, access.CHANGE, case)
    assert access.can(coordinator, access.VIEW, theirs)


def test_a_withdrawal_on_the_person_page_ends_the_case_access_too(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    """One consent record: withdrawn wherever it is recorded, the case follows at once."""
    agency_a = personas["agency_a"]
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    set_consent(coordinator, case, GIVEN)
    given = Consent.objects.get(person=main_person(case), scope=SHARE, status="given")
    people_actions.withdraw_consent(coordinator, given, on=timezone.localdate(), method="oral")
    case.refresh_from_db()
    assert case.consent == NONE
    assert not access.can(agency_a, access.VIEW, case)
