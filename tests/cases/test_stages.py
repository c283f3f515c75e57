"""Stages of a case: every move from every stage, the preconditions of each step, closing,
suspending, reopening and what a closed case refuses. A refusal is a Japanese message and
changes nothing."""

from __future__ import annotations

import re
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.actions import MOVES
from tomoni.cases.models import Case, Closure, ConsentState, GoalTerm, Plan, Stage, StageChange
from tomoni.directory.models import Staff
from tomoni.lib.concurrency import ConflictError
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind
from tomoni.notes.actions import add_note
from tomoni.people.models import Consent

from ..conftest import as_seen_now
from ..consent import set_consent
from .conftest import (
    agency,
    approved_at_jusou,
    case_at,
    concern,
    held_meeting,
    household_of,
    members_of,
    open_for,
    to_meeting,
    with_consent,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


def snapshot(case: Case) -> tuple[str, int, int]:
    case.refresh_from_db()
    return case.stage, case.version, StageChange.objects.filter(case=case).count()


def refused(call: object, case: Case, match: str = "") -> str:
    """Run ``call``; it must raise a Japanese ValidationError and leave the case as it was."""
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    assert JAPANESE.search(message(caught.value)), message(caught.value)
    if match:
        assert match in message(caught.value)
    assert snapshot(case) == before
    return message(caught.value)


# --- every move from every stage ---------------------------------------------------------


@pytest.mark.parametrize(("stage", "name"), list(product(Stage.values, MOVES)))
def test_every_move_from_every_stage(coordinator: Staff, stage: str, name: str) -> None:
    """A move listed for the stage succeeds, with a StageChange and an audit event; any
    other is refused with a Japanese message and changes nothing."""
    case = case_at(coordinator, stage)
    move = MOVES[name]
    note = "再検討が必要になったため" if move.needs_note else ""
    changes = StageChange.objects.filter(case=case).count()
    if stage in move.sources:
        assert name in dict(actions.available_moves(case))
        version = case.version
        moved = actions.move_case(coordinator, case, name, note=note, version=version)
        case.refresh_from_db()
        assert case.stage == moved.stage == move.target
        assert case.version > version
        last = StageChange.objects.filter(case=case).last()
        assert last is not None
        assert (last.by, last.from_stage, last.to_stage) == (coordinator, stage, move.target)
        assert last.note == note
        assert StageChange.objects.filter(case=case).count() == changes + 1
        event = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).last()
        assert event is not None
        assert event.actor_id == coordinator.pk
        assert event.detail == {"stage": [stage, move.target], "move": name}
    else:
        assert name not in dict(actions.available_moves(case))
        refused(lambda: as_seen_now(actions.move_case, coordinator, case, name, note=note), case)


def test_an_unknown_move_is_refused(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.RECEIVED)
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "jump"),
        case,
        "この操作はありません",
    )


def test_every_stage_was_reached(coordinator: Staff) -> None:
    """case_at really builds each stage (the parametrised test above relies on it)."""
    for stage in Stage.values:
        assert case_at(coordinator, stage).stage == stage


# --- preconditions -------------------------------------------------------------------------


def test_assess_needs_a_lead(personas: dict[str, Staff], coordinator: Staff) -> None:
    """An agency's request waits unassigned; it cannot be assessed until a coordinator leads."""
    agency_a = personas["agency_a"]
    household = household_of(agency_a, ("見本", "花子", "1948-05-01", "head"))
    case = actions.open_case(agency_a, household=household, title="母の介護と長男のこと")
    assert case.lead is None
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "assess"),
        case,
        "担当コーディネーター",
    )
    actions.take_lead(coordinator, case)
    assert as_seen_now(actions.move_case, coordinator, case, "assess").stage == Stage.ASSESSMENT


def test_draft_needs_an_assessment(coordinator: Staff) -> None:
    case = open_for(coordinator)
    as_seen_now(actions.move_case, coordinator, case, "assess")
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "draft"),
        case,
        "アセスメントを記入",
    )
    actions.save_assessment(coordinator, case, {"work": "無職"}, version=None)
    assert as_seen_now(actions.move_case, coordinator, case, "draft").stage == Stage.DRAFT_PLAN


def test_to_meeting_needs_a_plan(coordinator: Staff) -> None:
    case = open_for(coordinator)
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"work": "無職"}, version=None)
    as_seen_now(actions.move_case, coordinator, case, "draft")
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "to_meeting"),
        case,
        "プラン案を作成",
    )


def test_decide_with_consent_needs_the_plan_approved(coordinator: Staff) -> None:
    case = to_meeting(coordinator, with_consent(coordinator, open_for(coordinator)))
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "decide"),
        case,
        "承認されている必要",
    )
    approved_at_jusou(coordinator, case)
    assert as_seen_now(actions.move_case, coordinator, case, "decide").stage == Stage.DECIDED


def test_decide_with_consent_pending_is_refused(coordinator: Staff) -> None:
    case = to_meeting(coordinator, open_for(coordinator))
    assert case.consent == ConsentState.PENDING
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "decide"), case, "本人同意を確認"
    )


def test_a_case_without_consent_is_never_decided(coordinator: Staff) -> None:
    """Without consent a 支援会議 (第106条の6) agrees how to approach the family — 見守り,
    アウトリーチ — and decides no support (issue 15, DOMAIN.md §1)."""
    case = open_for(coordinator)
    set_consent(coordinator, case, ConsentState.NONE, on=case.opened_on)
    case = to_meeting(coordinator, case)
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "decide"),
        case,
        "支援決定できません",
    )
    meeting = held_meeting(coordinator, Kind.SUPPORT)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    for kind in (Decision.Kind.SUPPORT_DECISION, Decision.Kind.PLAN_APPROVAL):
        refused(
            lambda kind=kind: meeting_actions.decide(
                coordinator, meeting, case, kind=kind, text="支援を決定する"
            ),
            case,
            "プラン承認・支援決定はできません" if kind == Decision.Kind.SUPPORT_DECISION else "",
        )
    for kind in (Decision.Kind.WATCH, Decision.Kind.OUTREACH):
        meeting_actions.decide(coordinator, meeting, case, kind=kind, text="見守りを続ける")
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, "decide"),
        case,
        "支援決定できません",
    )


@pytest.mark.parametrize("name", ["replan", "reassess"])
def test_going_back_needs_a_reason(coordinator: Staff, name: str) -> None:
    case = case_at(coordinator, Stage.MEETING)
    refused(
        lambda: as_seen_now(actions.move_case, coordinator, case, name, note="  "),
        case,
        "理由を入力",
    )
    moved = as_seen_now(actions.move_case, coordinator, case, name, note="状況が変わった")
    assert moved.stage == MOVES[name].target


def test_replan_copies_the_plan_forward_unapproved(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    approved = case.plans.get()
    assert approved.approved_at is not None
    as_seen_now(actions.move_case, coordinator, case, "replan", note="就労が決まった")
    latest, previous = list(case.plans.all())
    assert (latest.number, previous.number) == (2, 1)
    assert latest.approved_at is None and latest.approved_meeting is None
    assert previous.approved_at is not None  # the approved version stays as it was
    assert latest.summary == approved.summary
    assert [(g.term, g.text) for g in latest.goals.all()] == [
        (g.term, g.text) for g in approved.goals.all()
    ]
    assert [(a.what, a.agency) for a in latest.actions.all()] == [
        (a.what, a.agency) for a in approved.actions.all()
    ]


def test_a_stale_version_is_a_conflict(coordinator: Staff) -> None:
    """Two coordinators press 「アセスメントを開始」 from the same page: the second is told."""
    case = case_at(coordinator, Stage.RECEIVED)
    seen = case.version
    actions.take_lead(coordinator, case)  # somebody else changed the case meanwhile
    before = snapshot(case)
    with pytest.raises(ConflictError):
        actions.move_case(coordinator, case, "assess", version=seen)
    assert snapshot(case) == before


# --- closing, suspending, reopening --------------------------------------------------------


def test_close_from_received_is_refused_but_suspend_is_allowed(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.RECEIVED)
    refused(
        lambda: actions.close_case(
            coordinator, case, kind="closed", reason="解決", handoff_agency=agency("houkatsu1")
        ),
        case,
        "支援実施または評価",
    )
    assert not Closure.objects.filter(case=case).exists()
    closure = actions.close_case(coordinator, case, kind="suspended", reason="転居した")
    case.refresh_from_db()
    assert case.stage == Stage.SUSPENDED
    assert closure.handoff_agency is None
    assert case.closed_on == closure.on
    assert StageChange.objects.filter(case=case).last().to_stage == Stage.SUSPENDED  # type: ignore[union-attr]


def test_close_needs_a_handoff_agency_and_a_reason(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    refused(
        lambda: actions.close_case(coordinator, case, kind="closed", reason="解決"),
        case,
        "主担当機関を選んで",
    )
    refused(
        lambda: actions.close_case(
            coordinator, case, kind="closed", reason=" ", handoff_agency=agency("houkatsu1")
        ),
        case,
        "理由",
    )
    refused(lambda: actions.close_case(coordinator, case, kind="done", reason="解決"), case)
    assert not Closure.objects.filter(case=case).exists()
    actions.close_case(
        coordinator, case, kind="closed", reason="解決", handoff_agency=agency("houkatsu1")
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    lead = case.team.get(end_on__isnull=True, role="lead")
    assert lead.agency.code == "houkatsu1"


def _writes(coordinator: Staff, case: Case) -> dict[str, object]:
    person = members_of(case)[0]
    plan = case.plans.first()
    return {
        "save_assessment": lambda: actions.save_assessment(
            coordinator, case, {"wishes": "変えたい"}, version=case.assessment.version
        ),
        "save_plan": lambda: actions.save_plan(
            coordinator,
            case,
            base=plan.number if plan else 0,
            summary="新しい方向性",
            goals=[(GoalTerm.SHORT, "通院を続ける")],
            actions=[],
        ),
        "set_concern": lambda: actions.set_concern(
            coordinator, case, person=person, concern=concern("care")
        ),
        "add_team_member": lambda: actions.add_team_member(
            coordinator, case, agency("shogai-soudan")
        ),
        "record_consent": lambda: set_consent(
            coordinator, case, ConsentState.NONE, on=case.opened_on
        ),
        "add_note": lambda: add_note(coordinator, case, text="訪問した", method="home_visit"),
        "move_case": lambda: as_seen_now(actions.move_case, coordinator, case, "continue"),
        "take_lead": lambda: actions.take_lead(coordinator, case),
    }


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.SUSPENDED])
def test_an_ended_case_refuses_every_write(coordinator: Staff, stage: str) -> None:
    if stage == Stage.CLOSED:
        case = case_at(coordinator, Stage.CLOSED)
    else:  # suspended while its assessment sheet and plan were being written
        case = case_at(coordinator, Stage.DRAFT_PLAN)
        actions.close_case(coordinator, case, kind="suspended", reason="入院した")
        case.refresh_from_db()
    counts = (
        Plan.objects.filter(case=case).count(),
        case.concerns.count(),
        case.team.count(),
        Consent.objects.count(),
        case.notes.count(),
        case.assessment.version,
    )
    for name, call in _writes(coordinator, case).items():
        text = refused(call, case)
        assert "再開" in text or "終結" in text, (name, text)
    case.assessment.refresh_from_db()
    assert counts == (
        Plan.objects.filter(case=case).count(),
        case.concerns.count(),
        case.team.count(),
        Consent.objects.count(),
        case.notes.count(),
        case.assessment.version,
    )


def test_reopen_only_an_ended_case_with_a_reason(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    refused(lambda: actions.reopen_case(coordinator, case, reason="再び困りごと"), case, "再開")
    actions.close_case(
        coordinator, case, kind="closed", reason="解決", handoff_agency=agency("houkatsu1")
    )
    refused(lambda: actions.reopen_case(coordinator, case, reason="  "), case, "理由")
    actions.reopen_case(coordinator, case, reason="再び困りごと")
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    assert case.closed_on is None
    change = StageChange.objects.filter(case=case).last()
    assert change is not None
    assert (change.from_stage, change.to_stage, change.note) == (
        Stage.CLOSED,
        Stage.ASSESSMENT,
        "再び困りごと",
    )
    assert Closure.objects.get(case=case).reopened_at is not None
    # Open again: the writes work once more.
    add_note(coordinator, case, text="再開後に訪問", method="home_visit")


def test_reopen_a_suspended_case(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.SUSPENDED)
    actions.reopen_case(coordinator, case, reason="連絡が取れた")
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def test_only_a_coordinator_moves_a_case(personas: dict[str, Staff], coordinator: Staff) -> None:
    """A team agency sees the consented case but may not move it (403, not 404)."""
    case = case_at(coordinator, Stage.RECEIVED)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        as_seen_now(actions.move_case, personas["agency_a"], case, "assess")
    assert snapshot(case) == before


def test_a_case_closed_meanwhile_takes_no_note(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    page_copy = Case.objects.get(pk=case.pk)  # the note form was opened before the closure
    actions.close_case(
        coordinator, case, kind="closed", reason="解決", handoff_agency=agency("houkatsu1")
    )
    with pytest.raises(ValidationError):
        add_note(coordinator, page_copy, text="訪問した", method="home_visit")
    assert not case.notes.exists()
