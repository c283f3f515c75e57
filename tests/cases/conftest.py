"""Helpers for the case tests: a household, a case and meetings built through the actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, ConsentState, GoalTerm, Stage
from tomoni.directory.models import Agency, Concern, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind, Meeting
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, Person

from ..conftest import as_seen_now
from ..consent import set_consent


def household_of(actor: Staff, *members: tuple[str, str, str, str]) -> Household:
    """A household registered by ``actor``: members are (family, given, birth, 続柄)."""
    household = people_actions.register_household(actor, address="稲城市東長沼1-1-1")
    for family, given, birth, relationship in members:
        people_actions.register_person(
            actor,
            {
                "family_name": family,
                "given_name": given,
                "family_kana": "みほん",
                "given_kana": "たろう",
                "birth_date": birth,
            },
            household=household,
            relationship=relationship,
        )
    return household


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def open_for(coordinator: Staff, **fields: Any) -> Case:
    household = fields.pop("household", None) or household_of(
        coordinator, ("見本", "花子", "1948-05-01", "head"), ("見本", "太郎", "1976-09-10", "child")
    )
    return actions.open_case(coordinator, household=household, title="8050世帯の支援", **fields)


def with_consent(coordinator: Staff, case: Case) -> Case:
    set_consent(coordinator, case, ConsentState.GIVEN, on=timezone.localdate())
    case.refresh_from_db()
    return case


def to_meeting(coordinator: Staff, case: Case) -> Case:
    """受付 → アセスメント → プラン案 → 会議, with an assessment and a first plan."""
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"wishes": "母の介護を続けたい"}, version=None)
    as_seen_now(actions.move_case, coordinator, case, "draft")
    actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="母の介護と本人の就労準備を分けて支える",
        goals=[
            (GoalTerm.LONG, "親子が安心して暮らせる"),
            (GoalTerm.SHORT, "介護サービスにつながる"),
        ],
        actions=[
            actions.PlannedAction("介護保険の申請支援", agency("houkatsu1"), "地域包括", None)
        ],
    )
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    case.refresh_from_db()
    return case


def held_meeting(coordinator: Staff, kind: str = Kind.JUSOU) -> Meeting:
    return meeting_actions.schedule_meeting(
        coordinator,
        kind=kind,
        title="重層的支援会議" if kind == Kind.JUSOU else "支援会議",
        starts_at=timezone.now() - timedelta(hours=1),
    )


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


# --- Helpers for the action, access and tendency tests ---------------------------------

# A fixed opening day, so ages and dates never depend on today (and no 2/29 surprises).
OPENED_ON = date(2025, 6, 15)


def birth_for(age: int, on: date = OPENED_ON, *, days: int = 0) -> str:
    """The birth date of someone who turns ``age`` on ``on``; ``days=1`` makes them one day
    short of it (so ``birth_for(65, days=1)`` is 64 for one more day)."""
    return (on.replace(year=on.year - age) + timedelta(days=days)).isoformat()


def concern(code: str) -> Concern:
    return Concern.objects.get(code=code)


def members_of(case: Case) -> list[Person]:
    """The case's household members in the order they were registered."""
    return [m.person for m in case.household.memberships.select_related("person").order_by("pk")]


def approved_at_jusou(coordinator: Staff, case: Case) -> Meeting:
    """A held 重層的支援会議 that approves the case's newest plan (the case is at 会議)."""
    meeting = held_meeting(coordinator, Kind.JUSOU)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
    )
    return meeting


def case_at(coordinator: Staff, stage: str) -> Case:
    """A consented case driven through the actions to ``stage``, with every precondition of
    the next legal step in place (assessment written, plan saved and approved …)."""
    case = with_consent(coordinator, open_for(coordinator))
    if stage == Stage.RECEIVED:
        return case
    if stage == Stage.SUSPENDED:
        actions.close_case(coordinator, case, kind="suspended", reason="本人と連絡が取れない")
        case.refresh_from_db()
        return case
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"wishes": "母の介護を続けたい"}, version=None)
    if stage == Stage.ASSESSMENT:
        case.refresh_from_db()
        return case
    as_seen_now(actions.move_case, coordinator, case, "draft")
    actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="母の介護と本人の就労準備を分けて支える",
        goals=[(GoalTerm.LONG, "親子が安心して暮らせる")],
        actions=[actions.PlannedAction("介護保険の申請支援", agency("houkatsu1"))],
    )
    if stage == Stage.DRAFT_PLAN:
        case.refresh_from_db()
        return case
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    approved_at_jusou(coordinator, case)
    if stage == Stage.MEETING:
        case.refresh_from_db()
        return case
    for move, reached in (("decide", Stage.DECIDED), ("start", Stage.IN_SUPPORT)):
        case = as_seen_now(actions.move_case, coordinator, case, move)
        if stage == reached:
            return case
    if stage == Stage.CLOSED:
        actions.close_case(
            coordinator,
            case,
            kind="closed",
            reason="役割分担が定着",
            handoff_agency=agency("houkatsu1"),
        )
        case.refresh_from_db()
        return case
    assert stage == Stage.EVALUATION
    return as_seen_now(actions.move_case, coordinator, case, "evaluate")
