"""A meeting's decisions: only on a case on its agenda, only once the meeting has begun;
終結 closes the case with a hand-off; decisions hand out tasks to an agency (and a person
there) by a date. A refusal leaves no decision, no task and no change to the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tomoni.cases.models import Case, Closure, Stage, Task
from tomoni.directory.models import Staff
from tomoni.meetings import actions
from tomoni.meetings.actions import TaskSpec
from tomoni.meetings.models import Decision, Kind, Meeting

from ..cases.conftest import agency, case_at, held_meeting

DUE = date(2026, 2, 27)


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


def on_agenda(coordinator: Staff, case: Case, kind: str = Kind.JUSOU) -> Meeting:
    meeting = held_meeting(coordinator, kind)
    actions.add_agenda_item(coordinator, meeting, case)
    return meeting


def unchanged(case: Case) -> tuple[str, int, int, int]:
    case.refresh_from_db()
    return (
        case.stage,
        case.version,
        Decision.objects.filter(case=case).count(),
        Task.objects.filter(case=case).count(),
    )


def test_a_decision_needs_the_case_on_the_agenda(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = held_meeting(coordinator, Kind.JUSOU)
    before = unchanged(case)
    with pytest.raises(ValidationError, match="議題にないケース"):
        actions.decide(coordinator, meeting, case, kind=Decision.Kind.OTHER, text="見守り")
    assert unchanged(case) == before


def test_a_meeting_in_the_future_decides_nothing(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = actions.schedule_meeting(
        coordinator,
        kind=Kind.JUSOU,
        title="来月の重層的支援会議",
        starts_at=timezone.now() + timedelta(days=30),
    )
    actions.add_agenda_item(coordinator, meeting, case)  # the agenda may be set beforehand
    before = unchanged(case)
    with pytest.raises(ValidationError, match="開催前"):
        actions.decide(coordinator, meeting, case, kind=Decision.Kind.OTHER, text="見守り")
    assert unchanged(case) == before
    meeting.refresh_from_db()
    assert not meeting.held


@pytest.mark.parametrize(("kind", "text"), [("verdict", "見守り"), (Decision.Kind.OTHER, "  ")])
def test_kind_and_text_are_required(coordinator: Staff, kind: str, text: str) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case)
    before = unchanged(case)
    with pytest.raises(ValidationError):
        actions.decide(coordinator, meeting, case, kind=kind, text=text)
    assert unchanged(case) == before


def test_a_close_decision_closes_the_case_with_a_handoff(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case)
    decision = actions.decide(
        coordinator,
        meeting,
        case,
        kind=Decision.Kind.CLOSE,
        text="役割分担が定着したため終結",
        handoff_agency=agency("houkatsu1"),
        tasks=[TaskSpec("見守りの継続", agency("houkatsu1"), DUE)],
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    closure = Closure.objects.get(case=case)
    assert closure.kind == Closure.Kind.CLOSED
    assert closure.handoff_agency == agency("houkatsu1")
    assert closure.on == timezone.localdate(meeting.starts_at)
    assert closure.reason == "役割分担が定着したため終結"
    assert case.team.get(end_on__isnull=True, role="lead").agency.code == "houkatsu1"
    # The hand-off work is handed out even though the case is now closed.
    assert [t.title for t in decision.tasks.all()] == ["見守りの継続"]
    meeting.refresh_from_db()
    assert meeting.held


def test_a_close_decision_without_a_handoff_changes_nothing(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case)
    before = unchanged(case)
    with pytest.raises(ValidationError, match="主担当機関"):
        actions.decide(coordinator, meeting, case, kind=Decision.Kind.CLOSE, text="終結")
    assert unchanged(case) == before
    assert not Closure.objects.filter(case=case).exists()


def test_close_and_suspend_are_not_for_a_case_conference(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case, Kind.CASE_CONFERENCE)
    before = unchanged(case)
    for kind in (Decision.Kind.CLOSE, Decision.Kind.SUSPEND):
        with pytest.raises(ValidationError, match="終結・中断は"):
            actions.decide(
                coordinator, meeting, case, kind=kind, text="x", handoff_agency=agency("houkatsu1")
            )
    assert unchanged(case) == before


def test_a_suspend_decision_at_a_support_meeting(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.ASSESSMENT)
    meeting = on_agenda(coordinator, case, Kind.SUPPORT)
    actions.decide(coordinator, meeting, case, kind=Decision.Kind.SUSPEND, text="入院のため中断")
    case.refresh_from_db()
    assert case.stage == Stage.SUSPENDED


def test_decisions_hand_out_tasks(personas: dict[str, Staff], coordinator: Staff) -> None:
    agency_a = personas["agency_a"]
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case)
    decision = actions.decide(
        coordinator,
        meeting,
        case,
        kind=Decision.Kind.ROLE_SPLIT,
        text="包括が訪問、医療機関が受診同行",
        tasks=[
            TaskSpec("自宅を訪問", agency("houkatsu1"), DUE, agency_a),
            TaskSpec("受診に同行", agency("iryo"), DUE + timedelta(days=7)),
        ],
    )
    tasks = list(Task.objects.filter(decision=decision).order_by("due_on"))
    assert [(t.title, t.owner_agency.code, t.owner, t.due_on, t.case) for t in tasks] == [
        ("自宅を訪問", "houkatsu1", agency_a, DUE, case),
        ("受診に同行", "iryo", None, DUE + timedelta(days=7), case),
    ]
    assert all(t.created_by == coordinator and t.done_at is None for t in tasks)


def test_a_task_owner_from_another_agency_refuses_the_whole_decision(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case)
    before = unchanged(case)
    with pytest.raises(ValidationError, match="担当機関の職員"):
        actions.decide(
            coordinator,
            meeting,
            case,
            kind=Decision.Kind.ROLE_SPLIT,
            text="役割分担",
            tasks=[
                TaskSpec("訪問", agency("houkatsu1"), DUE),
                TaskSpec("訪問", agency("houkatsu1"), DUE, personas["agency_b"]),
            ],
        )
    assert unchanged(case) == before


def test_only_a_coordinator_decides(personas: dict[str, Staff], coordinator: Staff) -> None:
    """An attendee, even pledged, records no decision."""
    agency_a = personas["agency_a"]
    case = case_at(coordinator, Stage.IN_SUPPORT)
    meeting = on_agenda(coordinator, case, Kind.SUPPORT)
    attendance = actions.add_attendee(
        coordinator, meeting, agency=agency("houkatsu1"), staff=agency_a
    )
    actions.record_pledge(agency_a, attendance)
    before = unchanged(case)
    with pytest.raises(PermissionDenied):
        actions.decide(agency_a, meeting, case, kind=Decision.Kind.OTHER, text="決めた")
    assert unchanged(case) == before
