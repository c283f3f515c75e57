"""Plans: every save is a new, readable version; a stale editor is told of the conflict;
approval only at a 重層的支援会議 with consent; after 支援決定 only 再プラン makes a new one."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tomoni import access
from tomoni.cases import actions
from tomoni.cases.actions import PlannedAction
from tomoni.cases.models import Case, GoalTerm, Plan, PlanGoal, Stage
from tomoni.directory.models import Staff
from tomoni.lib.concurrency import ConflictError
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind

from ..conftest import as_seen_now
from ..consent import withdraw
from .conftest import agency, case_at, held_meeting, with_consent

LONG, SHORT = GoalTerm.LONG, GoalTerm.SHORT


def save(coordinator: Staff, case: Case, base: int, goal: str = "安心して暮らせる") -> Plan:
    return actions.save_plan(
        coordinator,
        case,
        base=base,
        summary=f"第{base + 1}版の方向性",
        goals=[(LONG, goal), (SHORT, "通院を再開する")],
        actions=[PlannedAction("受診同行", agency("iryo"), "医療連携室", date(2026, 3, 31))],
        review_on=date(2026, 3, 31),
    )


def test_versions_stay_readable(personas: dict[str, Staff], coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.DRAFT_PLAN)  # version 1 saved already
    save(coordinator, case, 1, "仕事を見つける")
    save(coordinator, case, 2, "家計を立て直す")
    plans = {p.number: p for p in Plan.objects.filter(case=case)}
    assert sorted(plans) == [1, 2, 3]
    assert [g.text for g in plans[2].goals.all()] == ["仕事を見つける", "通院を再開する"]
    assert [g.text for g in plans[3].goals.all()] == ["家計を立て直す", "通院を再開する"]
    assert plans[1].goals.get().text == "親子が安心して暮らせる"
    assert [(a.what, a.agency.code) for a in plans[3].actions.all() if a.agency] == [
        ("受診同行", "iryo")
    ]
    case.refresh_from_db()
    assert case.review_on == date(2026, 3, 31)
    # Every version is readable to whoever sees the case — a consented team agency too.
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    for user in (coordinator, personas["agency_a"]):
        visible = set(access.visible(user, Plan).filter(case=case).values_list("number", flat=True))
        assert visible == {1, 2, 3}
        assert access.visible(user, PlanGoal).filter(plan__case=case).count() == 5
    assert not access.visible(personas["agency_b"], Plan).filter(case=case).exists()


def test_a_stale_base_is_a_conflict(coordinator: Staff) -> None:
    """Two coordinators open version 1; the second save is told, and nothing is lost."""
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    save(coordinator, case, 1, "先に保存した目標")
    with pytest.raises(ConflictError, match="第2版"):
        save(coordinator, case, 1, "後から保存した目標")
    assert Plan.objects.filter(case=case).count() == 2
    assert case.plans.first().goals.first().text == "先に保存した目標"  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        save(coordinator, case, 5)  # a base from the future is no better
    assert Plan.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "goals",
    [[], [(LONG, "  "), (SHORT, "")]],
    ids=["none", "blank"],
)
def test_goals_are_required(coordinator: Staff, goals: list[tuple[str, str]]) -> None:
    case = case_at(coordinator, Stage.ASSESSMENT)
    with pytest.raises(ValidationError, match="目標を1つ以上"):
        actions.save_plan(coordinator, case, base=0, summary="方向性", goals=goals, actions=[])
    assert not Plan.objects.filter(case=case).exists()


def test_a_plan_cannot_be_saved_before_assessment(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.RECEIVED)
    with pytest.raises(ValidationError, match="再プラン"):
        save(coordinator, case, 0)
    assert not Plan.objects.filter(case=case).exists()


@pytest.mark.parametrize("stage", [Stage.DECIDED, Stage.IN_SUPPORT, Stage.EVALUATION])
def test_after_approval_a_new_plan_needs_replan(coordinator: Staff, stage: str) -> None:
    case = case_at(coordinator, stage)
    with pytest.raises(ValidationError, match="再プラン"):
        save(coordinator, case, 1)
    assert Plan.objects.filter(case=case).count() == 1
    if stage == Stage.DECIDED:  # 再プラン is a step of 支援実施, 評価 and 会議
        as_seen_now(actions.move_case, coordinator, case, "start")
    as_seen_now(actions.move_case, coordinator, case, "replan", note="就労が決まった")
    assert save(coordinator, case, 2).number == 3  # replan copied v1 forward as v2


def _approve(coordinator: Staff, meeting_kind: str, case: Case) -> Decision:
    meeting = held_meeting(coordinator, meeting_kind)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    return meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
    )


@pytest.mark.parametrize("kind", [Kind.SUPPORT, Kind.PLENARY, Kind.CASE_CONFERENCE])
def test_approval_only_at_a_jusou_meeting(coordinator: Staff, kind: str) -> None:
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    with pytest.raises(ValidationError, match="重層的支援会議で行います"):
        _approve(coordinator, kind, case)
    plan = case.plans.get()
    assert plan.approved_at is None and plan.approved_meeting is None
    assert not Decision.objects.filter(case=case).exists()


def test_approval_at_a_jusou_meeting(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    decision = _approve(coordinator, Kind.JUSOU, case)
    plan = case.plans.get()
    assert plan.approved_at is not None
    assert plan.approved_meeting == decision.meeting
    assert decision.plan == plan
    # The same version is not approved twice.
    with pytest.raises(ValidationError, match="既に承認"):
        meeting_actions.decide(
            coordinator,
            decision.meeting,
            case,
            kind=Decision.Kind.PLAN_APPROVAL,
            text="もう一度承認",
        )


def test_approval_needs_the_meeting_stage(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    with pytest.raises(ValidationError, match="「会議」の段階"):
        _approve(coordinator, Kind.JUSOU, case)
    assert case.plans.get().approved_at is None


def test_approval_refused_when_consent_was_withdrawn_after_the_agenda(
    coordinator: Staff,
) -> None:
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    meeting = held_meeting(coordinator, Kind.JUSOU)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    withdraw(coordinator, case, on=timezone.localdate())
    with pytest.raises(ValidationError, match="重層的支援会議では扱えません"):
        meeting_actions.decide(
            coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
        )
    assert case.plans.get().approved_at is None
    assert not Decision.objects.filter(case=case).exists()


def test_a_new_version_after_approval_needs_approval_again(coordinator: Staff) -> None:
    """At 会議 a coordinator may still edit: the edit is a new, unapproved version, and
    支援決定 waits for it to be approved."""
    case = case_at(coordinator, Stage.MEETING)  # v1 approved
    save(coordinator, case, 1)
    with pytest.raises(ValidationError, match="承認されている必要"):
        as_seen_now(actions.move_case, coordinator, case, "decide")
    _approve(coordinator, Kind.JUSOU, case)
    assert as_seen_now(actions.move_case, coordinator, case, "decide").stage == Stage.DECIDED


def test_no_consent_case_plan_reaches_only_the_support_meeting(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    """A case without consent cannot even be put before a 重層的支援会議."""
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    withdraw(coordinator, case, on=timezone.localdate())
    case = as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    meeting = held_meeting(coordinator, Kind.JUSOU)
    with pytest.raises(ValidationError, match="重層的支援会議では扱えません"):
        meeting_actions.add_agenda_item(coordinator, meeting, case)
    assert not meeting.agenda.exists()
    case = with_consent(coordinator, case)  # consent given again: now it may
    meeting_actions.add_agenda_item(coordinator, meeting, case)


def test_agenda_sees_a_withdrawal_made_meanwhile(coordinator: Staff) -> None:
    """The page that adds the case to a 重層的支援会議 was opened before another coordinator
    recorded the withdrawal: the action must check the consent as it is now."""
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    page_copy = Case.objects.get(pk=case.pk)  # what the agenda page loaded
    withdraw(coordinator, case, on=timezone.localdate())
    meeting = held_meeting(coordinator, Kind.JUSOU)
    with pytest.raises(ValidationError, match="重層的支援会議では扱えません"):
        meeting_actions.add_agenda_item(coordinator, meeting, page_copy)
    assert not meeting.agenda.exists()
