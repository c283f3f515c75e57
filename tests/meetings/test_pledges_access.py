"""守秘義務 pledges and what they open (tomoni.access): a 支援会議 attendee sees the meeting
at once, its materials and the no-consent case on its agenda only after pledging, and never
changes the case; a non-attendee sees nothing; a 重層的支援会議 attendee sees a consented
case on its agenda without a pledge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.cases.models import Case, ConsentState, Plan, Stage
from tomoni.directory.models import Role, Staff
from tomoni.meetings import actions
from tomoni.meetings.models import AgendaItem, Attendance, Decision, Kind, Meeting, Pledge
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note

from ..cases.conftest import agency, case_at, held_meeting, open_for
from ..consent import set_consent, withdraw


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


def no_consent_case(coordinator: Staff) -> Case:
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    set_consent(coordinator, case, ConsentState.NONE, on=timezone.localdate())
    case.refresh_from_db()
    return case


def attend(coordinator: Staff, meeting: Meeting, staff: Staff) -> Attendance:
    assert staff.agency is not None
    return actions.add_attendee(coordinator, meeting, agency=staff.agency, staff=staff)


def support_meeting_on(coordinator: Staff, case: Case, kind: str = Kind.SUPPORT) -> Meeting:
    meeting = held_meeting(coordinator, kind)
    actions.add_agenda_item(coordinator, meeting, case, purpose="住まいの確保")
    return meeting


def _pks(user: Staff, model: type[AgendaItem | Decision | Case | Note | Plan]) -> set[int]:
    return set(access.visible(user, model).values_list("pk", flat=True))


@pytest.mark.parametrize("kind", [Kind.SUPPORT, Kind.PLENARY])
def test_pledge_opens_the_materials_never_the_case(
    personas: dict[str, Staff], coordinator: Staff, kind: str
) -> None:
    agency_a = personas["agency_a"]
    case = no_consent_case(coordinator)
    note = add_note(coordinator, case, text="家主と面談", method="visit")
    meeting = support_meeting_on(coordinator, case, kind)
    attendance = attend(coordinator, meeting, agency_a)
    decision = actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.ROLE_SPLIT, text="包括が訪問する"
    )
    item = meeting.agenda.get()

    # Attending, not yet pledged: the meeting, but none of its materials nor the case.
    assert access.can(agency_a, access.VIEW, meeting)
    assert access.get_for_user(agency_a, Meeting, meeting.pk) == meeting
    assert not access.can(agency_a, access.MATERIALS, meeting)
    assert not access.can(agency_a, access.VIEW, case)
    assert item.pk not in _pks(agency_a, AgendaItem)
    assert decision.pk not in _pks(agency_a, Decision)
    assert case.pk not in _pks(agency_a, Case)
    assert note.pk not in _pks(agency_a, Note)
    with pytest.raises(PermissionDenied):  # sees the meeting, so 403 for its materials
        access.get_for_user(agency_a, Meeting, meeting.pk, access.MATERIALS)

    pledge = actions.record_pledge(agency_a, attendance, signed_on=timezone.localdate())
    assert pledge.recorded_by == agency_a

    # Pledged: the meeting's materials (its agenda items' snapshots and decisions), for the
    # sharing period; the case, its notes and plans stay with the team (issue 15).
    assert access.can(agency_a, access.MATERIALS, meeting)
    assert item.pk in _pks(agency_a, AgendaItem)
    assert decision.pk in _pks(agency_a, Decision)
    assert not access.can(agency_a, access.VIEW, case)
    assert case.pk not in _pks(agency_a, Case)
    assert note.pk not in _pks(agency_a, Note)
    plans = set(Plan.objects.filter(case=case).values_list("pk", flat=True))
    assert not plans & _pks(agency_a, Plan)
    assert not access.can(agency_a, access.CHANGE, meeting)


def test_a_non_attendee_sees_nothing(personas: dict[str, Staff], coordinator: Staff) -> None:
    agency_a, agency_b = personas["agency_a"], personas["agency_b"]
    case = no_consent_case(coordinator)
    meeting = support_meeting_on(coordinator, case)
    actions.record_pledge(agency_a, attend(coordinator, meeting, agency_a))
    for model, pk in ((Meeting, meeting.pk), (Case, case.pk)):
        with pytest.raises(Http404):
            access.get_for_user(agency_b, model, pk)
    assert not access.visible(agency_b, Meeting).exists()
    assert not access.visible(agency_b, AgendaItem).exists()
    assert case.pk not in _pks(agency_b, Case)


def test_anothers_pledge_does_not_open_mine(
    personas: dict[str, Staff], coordinator: Staff, make_staff: Callable[..., Staff]
) -> None:
    """Agency A's worker attends without a pledge; a colleague at the same meeting pledges.
    The colleague's pledge opens nothing for A's worker."""
    agency_a = personas["agency_a"]
    colleague = make_staff(Role.AGENCY, "houkatsu1")
    case = no_consent_case(coordinator)
    meeting = support_meeting_on(coordinator, case)
    attend(coordinator, meeting, agency_a)
    actions.record_pledge(colleague, attend(coordinator, meeting, colleague))
    assert access.can(colleague, access.MATERIALS, meeting)
    assert not access.can(colleague, access.VIEW, case)
    assert not access.can(agency_a, access.MATERIALS, meeting)
    assert not access.can(agency_a, access.VIEW, case)


def test_a_jusou_attendee_sees_the_consented_case_without_a_pledge(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_b = personas["agency_b"]
    case = case_at(coordinator, Stage.DRAFT_PLAN)  # consent given, agency B not on the team
    meeting = held_meeting(coordinator, Kind.JUSOU)
    actions.add_agenda_item(coordinator, meeting, case)
    assert not access.can(agency_b, access.VIEW, case)
    attend(coordinator, meeting, agency_b)
    assert access.can(agency_b, access.MATERIALS, meeting)
    assert access.can(agency_b, access.VIEW, case)
    assert not access.can(agency_b, access.NOTE, case)
    assert not access.can(agency_b, access.CHANGE, case)
    # Consent withdrawn: the 重層的支援会議 no longer opens it.
    withdraw(coordinator, case, on=timezone.localdate())
    assert not access.can(agency_b, access.VIEW, case)


def test_a_case_conference_attendee_sees_materials_without_a_pledge(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_b = personas["agency_b"]
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    meeting = held_meeting(coordinator, Kind.CASE_CONFERENCE)
    actions.add_agenda_item(coordinator, meeting, case)
    attend(coordinator, meeting, agency_b)
    assert access.can(agency_b, access.MATERIALS, meeting)
    assert access.can(agency_b, access.VIEW, case)


@pytest.mark.parametrize("consent", [ConsentState.NONE, ConsentState.PENDING])
def test_a_case_without_consent_is_discussed_only_in_a_support_meeting(
    coordinator: Staff, consent: str
) -> None:
    case = open_for(coordinator)
    if consent == ConsentState.NONE:
        set_consent(coordinator, case, consent, on=timezone.localdate())
        case.refresh_from_db()
    meeting = held_meeting(coordinator, Kind.CASE_CONFERENCE)
    with pytest.raises(ValidationError):
        actions.add_agenda_item(coordinator, meeting, case)
    assert not meeting.agenda.exists()


# --- pledge rules -----------------------------------------------------------------------------


def test_a_pledge_is_dated_once_and_not_in_the_future(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_a = personas["agency_a"]
    meeting = support_meeting_on(coordinator, no_consent_case(coordinator))
    attendance = attend(coordinator, meeting, agency_a)
    with pytest.raises(ValidationError, match="未来の日付"):
        actions.record_pledge(
            agency_a, attendance, signed_on=timezone.localdate() + timedelta(days=1)
        )
    assert not Pledge.objects.exists()
    assert not access.can(agency_a, access.MATERIALS, meeting)
    # The convener records a signed paper for the attendee.
    first = actions.record_pledge(coordinator, attendance)
    assert (first.recorded_by, first.signed_on) == (coordinator, timezone.localdate())
    with pytest.raises(ValidationError, match="既に記録"):
        actions.record_pledge(agency_a, attendance)
    assert Pledge.objects.count() == 1


def test_nobody_else_records_a_pledge(
    personas: dict[str, Staff], coordinator: Staff, make_staff: Callable[..., Staff]
) -> None:
    """Another attendee may not sign for A (403: sees the meeting); an outsider gets 404."""
    agency_a, agency_b = personas["agency_a"], personas["agency_b"]
    meeting = support_meeting_on(coordinator, no_consent_case(coordinator))
    attendance = attend(coordinator, meeting, agency_a)
    fellow = make_staff(Role.AGENCY, "kenri")
    attend(coordinator, meeting, fellow)
    with pytest.raises(PermissionDenied):
        actions.record_pledge(fellow, attendance)
    with pytest.raises(Http404):
        actions.record_pledge(agency_b, attendance)
    assert not Pledge.objects.exists()


def test_attendees_must_belong_to_their_agency_and_may_not_be_these_roles(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    meeting = support_meeting_on(coordinator, no_consent_case(coordinator))
    with pytest.raises(ValidationError, match="所属機関"):
        actions.add_attendee(
            coordinator, meeting, agency=agency("kenri"), staff=personas["agency_a"]
        )
    manager = personas["manager"]
    with pytest.raises(ValidationError, match="出席者にできません"):
        actions.add_attendee(coordinator, meeting, agency=agency("jusou"), staff=manager)
    attend(coordinator, meeting, personas["agency_a"])
    with pytest.raises(ValidationError, match="既に出席者"):
        attend(coordinator, meeting, personas["agency_a"])
    assert meeting.attendances.count() == 1
    assert not access.visible(manager, Meeting).exists()
