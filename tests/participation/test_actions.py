"""The rules of a match: 候補 → 体験 → 定着 (or 見送り). Each refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.lib.concurrency import ConflictError
from tomoni.outreach.actions import open_engagement
from tomoni.participation import actions
from tomoni.participation.models import FollowUp, Match, ParticipationPlan, Place, Trial

from ..conftest import first_member, register_household
from .test_matching import THU, TUE, place, plan_for


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


@pytest.fixture
def plan(coordinator: Staff) -> ParticipationPlan:
    return plan_for(coordinator)


@pytest.fixture
def farm(coordinator: Staff) -> Place:
    return place(coordinator, "押立の畑", days=[TUE, THU], interests=["園芸"])


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def test_pick_keeps_score_and_reasons(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    match = actions.pick_place(coordinator, plan, farm)
    assert match.state == Match.State.PICKED
    assert match.reasons == ["地区が同じ（押立）", "曜日が合う（火・木）", "興味: 園芸"]


def test_picking_the_same_place_twice_is_refused(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    actions.pick_place(coordinator, plan, farm)
    with pytest.raises(ValidationError, match="既に候補に入っています"):
        actions.pick_place(coordinator, plan, farm)
    assert Match.objects.filter(plan=plan).count() == 1


def test_picking_an_excluded_place_is_refused(coordinator: Staff, plan: ParticipationPlan) -> None:
    costly = place(coordinator, "陶芸教室", cost=1000)
    with pytest.raises(ValidationError, match="条件に合いません"):
        actions.pick_place(coordinator, plan, costly)
    assert not Match.objects.exists()


def test_trial_on_a_dropped_match_is_refused(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    match = actions.pick_place(coordinator, plan, farm)
    actions.drop_match(coordinator, match, reason="本人が遠いと感じた")
    with pytest.raises(ValidationError, match="見送り"):
        actions.record_trial(coordinator, match, on=_yesterday(), outcome=Trial.Outcome.GOOD)
    assert not Trial.objects.exists()


def test_settling_needs_a_trial_that_went_well(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    match = actions.pick_place(coordinator, plan, farm)
    with pytest.raises(ValidationError, match="体験の後"):
        actions.settle(coordinator, match, on=_yesterday())
    actions.record_trial(coordinator, match, on=_yesterday(), outcome=Trial.Outcome.NOT_FIT)
    with pytest.raises(ValidationError, match="また行きたい"):
        actions.settle(coordinator, match, on=_yesterday())
    match.refresh_from_db()
    assert match.state == Match.State.TRIAL and match.settled_on is None

    actions.record_trial(coordinator, match, on=_yesterday(), outcome=Trial.Outcome.GOOD)
    actions.settle(coordinator, match, on=_yesterday())
    match.refresh_from_db()
    plan.refresh_from_db()
    assert match.state == Match.State.SETTLED
    assert plan.status == ParticipationPlan.Status.SETTLED


def test_follow_up_before_settling_is_refused_but_host_contact_is_not(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    match = actions.pick_place(coordinator, plan, farm)
    with pytest.raises(ValidationError, match="定着の後"):
        actions.add_follow_up(
            coordinator, match, kind=FollowUp.Kind.FOLLOW_UP, on=_yesterday(), note="様子を聞いた"
        )
    assert not FollowUp.objects.exists()
    actions.add_follow_up(
        coordinator, match, kind=FollowUp.Kind.HOST, on=_yesterday(), note="受け入れをお願いした"
    )
    assert FollowUp.objects.get().kind == FollowUp.Kind.HOST


def test_an_ended_plan_refuses_everything(
    coordinator: Staff, plan: ParticipationPlan, farm: Place
) -> None:
    match = actions.pick_place(coordinator, plan, farm)
    actions.record_trial(coordinator, match, on=_yesterday(), outcome=Trial.Outcome.GOOD)
    other = place(coordinator, "ふれあいセンター")
    actions.end_plan(coordinator, plan)
    plan.refresh_from_db()
    ended = "終了しています"
    attempts: list[Callable[[], object]] = [
        lambda: actions.pick_place(coordinator, plan, other),
        lambda: actions.record_trial(
            coordinator, match, on=_yesterday(), outcome=Trial.Outcome.GOOD
        ),
        lambda: actions.settle(coordinator, match, on=_yesterday()),
        lambda: actions.drop_match(coordinator, match, reason="終了のため"),
        lambda: actions.add_follow_up(
            coordinator, match, kind=FollowUp.Kind.HOST, on=_yesterday(), note="連絡"
        ),
        lambda: actions.update_plan(
            coordinator, plan, {"goal": "新しい目標"}, version=plan.version
        ),
        lambda: actions.end_plan(coordinator, plan),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=ended):
            attempt()
    match.refresh_from_db()
    assert match.state == Match.State.TRIAL
    assert Match.objects.count() == 1 and Trial.objects.count() == 1
    assert not FollowUp.objects.exists()


def test_a_stale_version_conflicts(coordinator: Staff, plan: ParticipationPlan) -> None:
    stale = plan.version
    actions.update_plan(coordinator, plan, {"goal": "月に二度、朝市に行く"}, version=stale)
    with pytest.raises(ConflictError):
        actions.update_plan(coordinator, plan, {"goal": "古い画面からの変更"}, version=stale)
    plan.refresh_from_db()
    assert plan.goal == "月に二度、朝市に行く"
    assert plan.version == stale + 1


def test_a_plan_through_an_engagement_without_a_person_needs_a_household_member(
    personas: dict[str, Staff],
) -> None:
    coordinator, outreach = personas["coordinator"], personas["outreach"]
    household = register_household(coordinator, members=1)
    stranger = first_member(register_household(coordinator, members=1))
    engagement = open_engagement(
        coordinator, household=household, reason="isolation", workers=[outreach]
    )
    with pytest.raises(ValidationError, match="世帯員から選んでください"):
        actions.create_plan(outreach, stranger, {"goal": "外に出る"}, engagement=engagement)
    assert not ParticipationPlan.objects.exists()
