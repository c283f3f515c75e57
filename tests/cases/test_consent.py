"""Consent to share a case: an immutable history of records; a withdrawal is a new record
that turns the case to 同意なし, after which the team no longer sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.cases import actions
from tomoni.cases.models import Case, CaseConsent, ConsentState
from tomoni.directory.models import Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note

from .conftest import agency, open_for

GIVEN, NONE, PENDING = ConsentState.GIVEN, ConsentState.NONE, ConsentState.PENDING


def consents(case: Case) -> list[tuple[str, str, bool]]:
    return [(c.state, c.scope, c.withdrawal) for c in CaseConsent.objects.filter(case=case)]


def test_records_are_history_and_withdrawal_is_a_new_record(coordinator: Staff) -> None:
    case = open_for(coordinator)
    assert case.consent == PENDING and consents(case) == []
    day = timezone.localdate() - timedelta(days=10)
    first = actions.record_consent(coordinator, case, state=GIVEN, on=day, scope="チームの機関")
    case.refresh_from_db()
    assert case.consent == GIVEN
    withdrawn = actions.record_consent(
        coordinator, case, state=GIVEN, on=timezone.localdate(), withdrawal=True
    )
    case.refresh_from_db()
    assert case.consent == NONE
    assert withdrawn.pk != first.pk
    assert (withdrawn.state, withdrawn.withdrawal) == (NONE, True)
    # The first record is untouched: what was agreed when stays readable.
    first.refresh_from_db()
    assert (first.state, first.on, first.scope, first.withdrawal) == (
        GIVEN,
        day,
        "チームの機関",
        False,
    )
    assert consents(case) == [(GIVEN, "チームの機関", False), (NONE, "", True)]
    # Consent may be given again later: one more record, never an edit.
    actions.record_consent(coordinator, case, state=GIVEN, on=timezone.localdate(), scope="再同意")
    case.refresh_from_db()
    assert case.consent == GIVEN
    assert len(consents(case)) == 3


def _refused(call: object, case: Case, match: str) -> None:
    case.refresh_from_db()
    before = (case.consent, case.version, CaseConsent.objects.filter(case=case).count())
    with pytest.raises(ValidationError, match=match):
        call()  # type: ignore[operator]
    case.refresh_from_db()
    assert (case.consent, case.version, CaseConsent.objects.filter(case=case).count()) == before


def test_given_needs_a_scope(coordinator: Staff) -> None:
    case = open_for(coordinator)
    _refused(
        lambda: actions.record_consent(
            coordinator, case, state=GIVEN, on=timezone.localdate(), scope="  "
        ),
        case,
        "同意の範囲",
    )


def test_a_future_date_is_refused(coordinator: Staff) -> None:
    case = open_for(coordinator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    _refused(
        lambda: actions.record_consent(coordinator, case, state=NONE, on=tomorrow),
        case,
        "未来の日付",
    )


@pytest.mark.parametrize("state", [NONE, PENDING])
def test_withdrawal_when_not_given_is_refused(coordinator: Staff, state: str) -> None:
    case = open_for(coordinator)
    if state == NONE:
        actions.record_consent(coordinator, case, state=NONE, on=timezone.localdate())
    _refused(
        lambda: actions.record_consent(
            coordinator, case, state=GIVEN, on=timezone.localdate(), withdrawal=True
        ),
        case,
        "撤回できる同意がありません",
    )


def test_an_unknown_state_is_refused(coordinator: Staff) -> None:
    case = open_for(coordinator)
    _refused(
        lambda: actions.record_consent(coordinator, case, state="maybe", on=timezone.localdate()),
        case,
        "同意の状態",
    )


def test_only_a_coordinator_records_consent(personas: dict[str, Staff], coordinator: Staff) -> None:
    """A team agency that sees the case may not change its consent (403); an outsider gets
    404."""
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    actions.record_consent(coordinator, case, state=GIVEN, on=timezone.localdate(), scope="全体")
    with pytest.raises(PermissionDenied):
        actions.record_consent(
            personas["agency_a"], case, state=GIVEN, on=timezone.localdate(), withdrawal=True
        )
    with pytest.raises(Http404):
        actions.record_consent(
            personas["agency_b"], case, state=GIVEN, on=timezone.localdate(), withdrawal=True
        )
    case.refresh_from_db()
    assert case.consent == GIVEN


def test_after_withdrawal_the_team_loses_the_case_and_its_notes(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_a = personas["agency_a"]
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    actions.record_consent(coordinator, case, state=GIVEN, on=timezone.localdate(), scope="全体")
    note = add_note(agency_a, case, text="本人と面談した", method="visit")
    theirs = add_note(coordinator, case, text="長男と電話で話した", method="phone")
    assert access.can(agency_a, access.VIEW, case)
    assert access.can(agency_a, access.NOTE, case)
    assert {note.pk, theirs.pk} <= set(access.visible(agency_a, Note).values_list("pk", flat=True))

    actions.record_consent(coordinator, case, state=GIVEN, on=timezone.localdate(), withdrawal=True)
    case.refresh_from_db()
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
