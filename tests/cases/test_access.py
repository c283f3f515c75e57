"""Who sees which cases, meetings, tasks and case notes (tomoni.access): a team agency while
consent allows, a pledged 支援会議 attendee whatever the consent, coordinators everything,
and nobody else anything — in lists exactly as in single-object checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.cases import actions
from tomoni.cases.models import Assessment, Case, ConsentState, Plan, Stage, Task, TeamMember
from tomoni.directory.models import Agency, Role, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind, Meeting
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility

from ..conftest import PERSONAS, as_seen_now
from ..consent import set_consent
from .conftest import agency, case_at, held_meeting, open_for

ALL = (access.VIEW, access.CHANGE, access.NOTE)


def rights(user: Staff, obj: Model, actions_: tuple[str, ...] = ALL) -> set[str]:
    return {a for a in actions_ if access.can(user, a, obj)}


def consented_with_team(coordinator: Staff, *codes: str) -> Case:
    case = case_at(coordinator, Stage.ASSESSMENT)
    for code in codes:
        actions.add_team_member(coordinator, case, agency(code))
    return case


# --- team agencies -------------------------------------------------------------------------


def test_team_agency_with_consent_views_and_notes_but_does_not_change(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_a = personas["agency_a"]
    case = consented_with_team(coordinator, "houkatsu1")
    assert rights(agency_a, case) == {access.VIEW, access.NOTE}
    note = add_note(agency_a, case, text="自宅を訪問した", method="home_visit")
    assert note.agency == agency("houkatsu1")
    with pytest.raises(PermissionDenied):  # sees it, so 403 rather than 404
        actions.save_assessment(agency_a, case, {"work": "無職"}, version=1)
    with pytest.raises(PermissionDenied):
        actions.add_team_member(agency_a, case, agency("kenri"))
    # What hangs off the case follows it.
    assert access.visible(agency_a, Assessment).filter(case=case).exists()
    assert access.visible(agency_a, Plan).filter(case=case).count() == 0  # none yet
    assert access.visible(agency_a, TeamMember).filter(case=case).count() == 1


@pytest.mark.parametrize("consent", [ConsentState.NONE, ConsentState.PENDING])
def test_team_agency_without_consent_gets_nothing(
    personas: dict[str, Staff], coordinator: Staff, consent: str
) -> None:
    agency_a = personas["agency_a"]
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    if consent == ConsentState.NONE:
        set_consent(coordinator, case, consent, on=timezone.localdate())
    case.refresh_from_db()
    assert case.consent == consent
    assert rights(agency_a, case) == set()
    assert not access.visible(agency_a, Case).filter(pk=case.pk).exists()
    assert not access.visible(agency_a, TeamMember).filter(case=case).exists()
    with pytest.raises(Http404):
        add_note(agency_a, case, text="記録", method="phone")


def test_an_agency_that_left_the_team_loses_the_case(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    case = consented_with_team(coordinator, "houkatsu1")
    member = case.team.get(agency__code="houkatsu1")
    actions.end_team_member(coordinator, member, end_on=member.start_on)
    assert rights(personas["agency_a"], case) == set()


def test_an_outsider_gets_nothing_of_the_case(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    """Agency B is neither on the team nor at a meeting: the case, its plan, assessment,
    team and notes are all invisible, and by key they are 404."""
    agency_b = personas["agency_b"]
    case = case_at(coordinator, Stage.MEETING)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    note = add_note(coordinator, case, text="本人と面談", method="visit")
    plan = case.plans.get()
    assert rights(agency_b, case) == set()
    for model, obj in (
        (Case, case),
        (Plan, plan),
        (Assessment, case.assessment),
        (TeamMember, case.team.first()),
        (Note, note),
    ):
        assert obj is not None
        assert not access.visible(agency_b, model).filter(pk=obj.pk).exists(), model
        assert not access.can(agency_b, access.VIEW, obj)
        with pytest.raises(Http404):
            access.get_for_user(agency_b, model, obj.pk)
    with pytest.raises(Http404):
        as_seen_now(actions.move_case, agency_b, case, "decide")


def test_coordinators_see_and_change_every_case(make_staff: Callable[..., Staff]) -> None:
    builder = make_staff(Role.COORDINATOR, "jusou")
    other = make_staff(Role.COORDINATOR, "shakyo")
    case = open_for(builder)  # consent pending, not led by ``other``
    assert rights(other, case) == set(ALL)
    assert access.visible(other, Case).filter(pk=case.pk).exists()


@pytest.mark.parametrize("persona", ["manager", "auditor", "admin", "community"])
def test_these_roles_see_no_case(
    persona: str, personas: dict[str, Staff], coordinator: Staff
) -> None:
    user = personas[persona]
    case = consented_with_team(coordinator, "chiikifukushi-co", "jusou")
    add_note(coordinator, case, text="記録", method="phone")
    assert rights(user, case) == set()
    assert not access.visible(user, Case).exists()
    assert not access.visible(user, Note).exists()
    assert not access.visible(user, Plan).exists()


def test_a_pledged_community_attendee_still_sees_no_case(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    community = personas["community"]
    case = open_for(coordinator)
    meeting = held_meeting(coordinator, Kind.SUPPORT)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    attendance = meeting_actions.add_attendee(
        coordinator, meeting, agency=agency("chiikifukushi-co"), staff=community
    )
    meeting_actions.record_pledge(community, attendance)
    assert access.can(community, access.MATERIALS, meeting)
    assert not access.can(community, access.VIEW, case)


# --- notes kept to one agency, break-glass ---------------------------------------------------


def test_own_agency_notes_stay_in_the_agency(
    personas: dict[str, Staff], coordinator: Staff, make_staff: Callable[..., Staff]
) -> None:
    agency_a, agency_b = personas["agency_a"], personas["agency_b"]
    case = consented_with_team(coordinator, "houkatsu1", "shogai-soudan")
    kept = add_note(
        agency_a, case, text="家族関係の機微な話", method="visit", visibility=Visibility.OWN_AGENCY
    )
    shared = add_note(agency_a, case, text="訪問した", method="home_visit")
    colleague = make_staff(Role.AGENCY, "houkatsu1")
    assert access.can(colleague, access.VIEW, kept)
    assert access.can(agency_b, access.VIEW, shared)
    assert not access.can(agency_b, access.VIEW, kept)
    assert set(access.visible(agency_b, Note).filter(case=case).values_list("pk", flat=True)) == {
        shared.pk
    }
    assert not access.can(coordinator, access.VIEW, kept)  # the 社協 is another agency too
    for user in (agency_a, colleague, coordinator):
        assert not access.can(user, access.CHANGE, kept)  # notes are never edited


def test_break_glass_on_a_case_gives_view_only(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    agency_b = personas["agency_b"]
    case = open_for(coordinator)
    assert rights(agency_b, case) == set()
    open_break_glass(agency_b, "cases.case", case.pk, "夜間に本人の安否確認が必要なため")
    assert rights(agency_b, case) == {access.VIEW}
    with pytest.raises(PermissionDenied):
        add_note(agency_b, case, text="記録", method="phone")


# --- lists answer exactly as single checks -----------------------------------------------------


class World:
    """Cases, meetings, tasks and notes placed around one user ("mine" is the user's agency,
    or 教育委員会 for roles without one; 権利擁護センター is another agency)."""

    def __init__(self, user: Staff, make_staff: Callable[..., Staff]) -> None:
        self.user = user
        self.builder = make_staff(Role.COORDINATOR, "jusou")
        self.mine: Agency = user.agency or agency("kyoiku")
        self.other = agency("kenri")
        self.colleague = make_staff(Role.AGENCY, self.mine.code)
        self.stranger = make_staff(Role.AGENCY, self.other.code)
        self.attends = user.agency is not None and user.role not in (
            Role.ADMIN,
            Role.AUDITOR,
            Role.MANAGER,
        )
        b = self.builder
        self.cases: dict[str, Case] = {
            "team_consent": self._case(ConsentState.GIVEN, self.mine, self.other),
            "team_pending": self._case(ConsentState.PENDING, self.mine),
            "team_none": self._case(ConsentState.NONE, self.mine),
            "team_ended": self._case(ConsentState.GIVEN, self.mine),
            "support_pledged": self._case(ConsentState.NONE),
            "support_unpledged": self._case(ConsentState.NONE),
            "jusou_attended": self._case(ConsentState.GIVEN),
            "stranger": self._case(ConsentState.GIVEN, self.other),
        }
        ended = self.cases["team_ended"].team.get(agency=self.mine)
        actions.end_team_member(b, ended, end_on=ended.start_on)
        self.meetings = {
            "support_pledged": self._meeting(Kind.SUPPORT, "support_pledged", pledge=True),
            "support_unpledged": self._meeting(Kind.SUPPORT, "support_unpledged", pledge=False),
            "jusou_attended": self._meeting(Kind.JUSOU, "jusou_attended", pledge=False),
            "not_attended": meeting_actions.schedule_meeting(
                b, kind=Kind.JUSOU, title="別の会議", starts_at=timezone.now()
            ),
        }
        consent_case = self.cases["team_consent"]
        self.notes = {
            "shared_by_other": add_note(self.stranger, consent_case, text="共有", method="visit"),
            "own_by_other": add_note(
                self.stranger, consent_case, text="自機関", method="visit", visibility="own_agency"
            ),
            "own_by_mine": add_note(
                self.colleague, consent_case, text="自機関", method="visit", visibility="own_agency"
            ),
            "on_support_case": add_note(
                b, self.cases["support_pledged"], text="支援会議の案件", method="meeting"
            ),
            "on_stranger_case": add_note(b, self.cases["stranger"], text="他", method="phone"),
        }
        due = date(2026, 2, 1)
        self.tasks = {
            "mine": actions.add_task(
                b, title="自機関の作業", owner_agency=self.mine, due_on=due, case=consent_case
            ),
            "mine_colleague": actions.add_task(
                b, title="同僚の作業", owner_agency=self.mine, owner=self.colleague, due_on=due
            ),
            "other": actions.add_task(
                b, title="他機関の作業", owner_agency=self.other, due_on=due, case=consent_case
            ),
        }

    def _case(self, consent: str, *team: Agency) -> Case:
        case = open_for(self.builder)
        for member in team:
            actions.add_team_member(self.builder, case, member)
        if consent == ConsentState.GIVEN or consent == ConsentState.NONE:
            set_consent(self.builder, case, consent, on=timezone.localdate())
        case.refresh_from_db()
        return case

    def _meeting(self, kind: str, case_key: str, *, pledge: bool) -> Meeting:
        b = self.builder
        meeting = held_meeting(b, kind)
        meeting_actions.add_agenda_item(b, meeting, self.cases[case_key])
        # Somebody else's pledge never stands in for the user's.
        other = meeting_actions.add_attendee(b, meeting, agency=self.other, staff=self.stranger)
        meeting_actions.record_pledge(self.stranger, other)
        if self.attends:
            assert self.user.agency is not None
            mine = meeting_actions.add_attendee(
                b, meeting, agency=self.user.agency, staff=self.user
            )
            if pledge:
                meeting_actions.record_pledge(self.user, mine)
        return meeting


EXPECTED_CASES: dict[str, str | set[str]] = {
    Role.COORDINATOR: "all",
    # A pledge at a 支援会議 shares the meeting's snapshot, never the case (issue 15).
    Role.WINDOW: {"team_consent", "jusou_attended"},
    Role.AGENCY: {"team_consent", "jusou_attended"},
    Role.OUTREACH: {"team_consent", "jusou_attended"},
}
# Notes follow the case, minus own-agency notes of another agency (coordinators included).
TEAM_NOTES = frozenset({"shared_by_other", "own_by_mine"})
EXPECTED_NOTES: dict[str, frozenset[str]] = {
    # Notes on a no-consent case stay with the coordinators, whoever attended its 支援会議.
    Role.COORDINATOR: TEAM_NOTES | {"on_stranger_case", "on_support_case"},
    Role.WINDOW: TEAM_NOTES,
    Role.AGENCY: TEAM_NOTES,
    Role.OUTREACH: frozenset(),  # DESIGN.md §5: outreach workers read no case notes
}
ATTENDING_ROLES = (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)


def _listed(user: Staff, model: type[Model], made: dict[str, Model]) -> set[str]:
    pks = set(access.visible(user, model).values_list("pk", flat=True))
    return {key for key, obj in made.items() if obj.pk in pks}


def _checked(user: Staff, made: dict[str, Model]) -> set[str]:
    return {key for key, obj in made.items() if access.can(user, access.VIEW, obj)}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_lists_follow_the_single_checks(persona: str, make_staff: Callable[..., Staff]) -> None:
    """visible() lists exactly what can(VIEW) allows, and both say what the policy says."""
    role, code = PERSONAS[persona]
    user = make_staff(role, code)
    world = World(user, make_staff)
    groups: list[tuple[type[Model], dict[str, Model], set[str]]] = []

    cases = EXPECTED_CASES.get(role, set())
    groups.append((Case, dict(world.cases), set(world.cases) if cases == "all" else set(cases)))
    if role == Role.COORDINATOR:
        meetings = set(world.meetings)
    elif role in ATTENDING_ROLES:
        meetings = set(world.meetings) - {"not_attended"}
    else:
        meetings = set()
    groups.append((Meeting, dict(world.meetings), meetings))
    if role == Role.COORDINATOR:
        tasks = set(world.tasks)
    elif role in ATTENDING_ROLES:
        tasks = {"mine", "mine_colleague"}
    else:
        tasks = set()
    groups.append((Task, dict(world.tasks), tasks))
    groups.append((Note, dict(world.notes), set(EXPECTED_NOTES.get(role, set()))))

    for model, made, expected in groups:
        assert _listed(user, model, made) == _checked(user, made) == expected, model.__name__
