"""Helpers for the case tests: a household, a case and meetings built through the actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, ConsentState, GoalTerm
from tomoni.directory.models import Agency, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind, Meeting
from tomoni.people import actions as people_actions
from tomoni.people.models import Household


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
    actions.record_consent(
        coordinator,
        case,
        state=ConsentState.GIVEN,
        on=timezone.localdate(),
        scope="チームの機関で共有",
    )
    case.refresh_from_db()
    return case


def to_meeting(coordinator: Staff, case: Case) -> Case:
    """受付 → アセスメント → プラン案 → 会議, with an assessment and a first plan."""
    actions.move_case(coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"wishes": "母の介護を続けたい"}, version=None)
    actions.move_case(coordinator, case, "draft")
    actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="母の介護と本人の就労準備を分けて支える",
        goals=[(GoalTerm.LONG, "親子が安心して暮らせる"), (GoalTerm.SHORT, "介護サービスにつながる")],
        actions=[actions.PlannedAction("介護保険の申請支援", agency("houkatsu1"), "地域包括", None)],
    )
    actions.move_case(coordinator, case, "to_meeting")
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
