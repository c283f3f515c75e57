"""Who sees 参加支援: the places catalog is a directory every working role reads and the
community side keeps; a plan and its matches belong to coordinators and the agency whose
worker runs it. A community coordinator runs matches for a person from a case, yet never
sees the case or its notes. ``visible()`` agrees with ``can()`` everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.cases import actions as case_actions
from tomoni.cases.models import Case
from tomoni.directory.models import District, Role, Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, NoteMethod, Visibility
from tomoni.outreach import actions as outreach_actions
from tomoni.outreach.models import Engagement, Reason
from tomoni.participation import actions
from tomoni.participation.models import (
    FollowUp,
    Match,
    ParticipationPlan,
    Place,
    Trial,
)

from ..conftest import first_member, register_household

PLACE_READERS = (
    "window",
    "agency_a",
    "agency_b",
    "outreach",
    "manager",
    "community",
    "coordinator",
)
PLACE_KEEPERS = ("community", "coordinator")


def _yesterday() -> Any:
    return timezone.localdate() - timedelta(days=1)


def _sees(user: Staff, obj: Model) -> bool:
    return access.visible(user, type(obj)).filter(pk=obj.pk).exists()


@pytest.fixture
def place(personas: dict[str, Staff]) -> Place:
    return actions.save_place(
        personas["community"],
        None,
        {
            "name": "押立朝市",
            "kind": "market",
            "host": "押立朝市実行委員会",
            "district": District.objects.get(code="oshitate"),
            "days": [6],
            "cost": 0,
            "interests": ["園芸"],
        },
    )


@pytest.fixture
def users(personas: dict[str, Staff], make_staff: Callable[..., Staff]) -> dict[str, Staff]:
    """The personas, plus a colleague of the community coordinator (same agency), a
    生活支援コーディネーター of another agency, and a second outreach worker of the 社協."""
    return {
        **personas,
        "community_colleague": make_staff(Role.COMMUNITY, "chiikifukushi-co"),
        "other_community": make_staff(Role.COMMUNITY, "seikatsushien-co"),
        "outreach_colleague": make_staff(Role.OUTREACH, "shakyo"),
    }


@pytest.fixture
def case(personas: dict[str, Staff]) -> Case:
    """A 多機関協働 case with a shared note on it."""
    coordinator = personas["coordinator"]
    household = register_household(coordinator)
    case = case_actions.open_case(
        coordinator, household=household, person=first_member(household), title="8050世帯の支援"
    )
    add_note(
        coordinator,
        case,
        text="母と面談。長男の生活の様子を聞いた。",
        method=NoteMethod.HOME_VISIT,
        visibility=Visibility.SHARED,
    )
    return case


def _run(plan: ParticipationPlan, place: Place) -> list[Model]:
    """Pick, try, settle and follow up, as the plan's worker: every record a plan grows."""
    worker = plan.worker
    match = actions.pick_place(worker, plan, place)
    trial = actions.record_trial(worker, match, on=_yesterday(), outcome=Trial.Outcome.GOOD)
    actions.settle(worker, match, on=_yesterday())
    host = actions.add_follow_up(
        worker, match, kind=FollowUp.Kind.HOST, on=_yesterday(), note="受け入れのお礼を伝えた"
    )
    follow = actions.add_follow_up(
        worker, match, kind=FollowUp.Kind.FOLLOW_UP, on=_yesterday(), note="通えている"
    )
    return [ParticipationPlan.objects.get(pk=plan.pk), match, trial, host, follow]


@pytest.fixture
def community_plan(
    personas: dict[str, Staff], case: Case, place: Place
) -> tuple[ParticipationPlan, list[Model]]:
    """A plan from the case, run by the community coordinator."""
    assert case.person is not None
    plan = actions.create_plan(
        personas["coordinator"],
        case.person,
        {"interests": ["園芸"], "goal": "週1回、朝市の手伝いに行く"},
        case=case,
        worker=personas["community"],
    )
    return plan, _run(plan, place)


@pytest.fixture
def outreach_plan(
    personas: dict[str, Staff], place: Place
) -> tuple[ParticipationPlan, list[Model]]:
    """A plan from an engagement, run by the outreach worker."""
    coordinator, worker = personas["coordinator"], personas["outreach"]
    household = register_household(coordinator)
    engagement = outreach_actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=[worker],
    )
    plan = actions.create_plan(
        coordinator,
        first_member(household),
        {"interests": ["園芸"], "goal": "家の外で過ごす時間をつくる"},
        engagement=engagement,
        worker=worker,
    )
    return plan, _run(plan, place)


# --- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PLACE_READERS)
def test_every_working_role_reads_the_places(
    name: str, personas: dict[str, Staff], place: Place
) -> None:
    user = personas[name]
    assert access.can(user, access.VIEW, place)
    assert _sees(user, place)
    assert access.can(user, access.CHANGE, place) == (name in PLACE_KEEPERS)
    assert access.can_create(user, Place) == (name in PLACE_KEEPERS)


@pytest.mark.parametrize("name", ["auditor", "admin"])
def test_auditor_and_admin_see_no_places(
    name: str, personas: dict[str, Staff], place: Place
) -> None:
    user = personas[name]
    assert not access.can(user, access.VIEW, place)
    assert not access.can(user, access.CHANGE, place)
    assert not access.visible(user, Place).exists()
    assert not access.can_create(user, Place)
    with pytest.raises(Http404):
        access.get_for_user(user, Place, place.pk)


@pytest.mark.parametrize("name", ["window", "agency_a", "outreach", "manager"])
def test_readers_cannot_change_a_place(name: str, personas: dict[str, Staff], place: Place) -> None:
    """Read-only: 403, not 404, and the place is unchanged."""
    with pytest.raises(PermissionDenied):
        actions.save_place(personas[name], place, {"name": "書き換え"})
    with pytest.raises(PermissionDenied):
        actions.save_place(personas[name], None, {"name": "新しい場所", "kind": "salon"})
    assert Place.objects.get(pk=place.pk).name == "押立朝市"
    assert Place.objects.count() == 1


@pytest.mark.parametrize("name", PLACE_KEEPERS)
def test_keepers_change_a_place(name: str, personas: dict[str, Staff], place: Place) -> None:
    actions.save_place(personas[name], place, {"atmosphere": "協議体で復活した朝市"})
    assert Place.objects.get(pk=place.pk).atmosphere == "協議体で復活した朝市"


# --- plans and matches ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("coordinator", True),
        ("community", True),
        ("community_colleague", True),
        ("other_community", False),
        ("outreach", False),
        ("window", False),
        ("agency_a", False),
        ("manager", False),
        ("auditor", False),
        ("admin", False),
    ],
)
def test_community_plan_is_seen_by_coordinators_and_the_running_agency(
    name: str,
    sees: bool,
    users: dict[str, Staff],
    community_plan: tuple[ParticipationPlan, list[Model]],
) -> None:
    user = users[name]
    for obj in community_plan[1]:
        assert access.can(user, access.VIEW, obj) == sees, obj
        assert access.can(user, access.CHANGE, obj) == sees, obj
        assert _sees(user, obj) == sees, obj


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("coordinator", True),
        ("outreach", True),
        ("outreach_colleague", True),
        ("community", False),
        ("agency_b", False),
        ("manager", False),
    ],
)
def test_outreach_plan_is_seen_by_coordinators_and_the_running_agency(
    name: str,
    sees: bool,
    users: dict[str, Staff],
    outreach_plan: tuple[ParticipationPlan, list[Model]],
) -> None:
    user = users[name]
    for obj in outreach_plan[1]:
        assert access.can(user, access.VIEW, obj) == sees, obj
        assert _sees(user, obj) == sees, obj


def test_community_runs_matches_but_never_sees_the_case_or_its_notes(
    personas: dict[str, Staff], case: Case, community_plan: tuple[ParticipationPlan, list[Model]]
) -> None:
    community = personas["community"]
    plan, _ = community_plan
    assert plan.case == case
    assert access.can(community, access.CHANGE, plan)
    assert set(access.visible(community, Match)) == set(plan.matches.all())
    assert Note.objects.filter(case=case).exists()
    assert not access.visible(community, Note).exists()
    assert not access.can(community, access.VIEW, case)
    assert not access.visible(community, Case).exists()
    for note in Note.objects.filter(case=case):
        assert not access.can(community, access.VIEW, note)
    with pytest.raises(Http404):
        access.get_for_user(community, Case, case.pk)


def test_community_does_not_see_the_engagement_behind_a_plan(
    personas: dict[str, Staff], place: Place
) -> None:
    coordinator = personas["coordinator"]
    household = register_household(coordinator)
    engagement = outreach_actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.ISOLATION,
        workers=[personas["outreach"]],
    )
    plan = actions.create_plan(
        coordinator,
        first_member(household),
        {"goal": "サロンに通う"},
        engagement=engagement,
        worker=personas["community"],
    )
    community = personas["community"]
    assert access.can(community, access.VIEW, plan)
    assert not access.can(community, access.VIEW, engagement)
    assert not access.visible(community, Engagement).exists()


def test_outsiders_cannot_act_on_a_plan(
    users: dict[str, Staff], community_plan: tuple[ParticipationPlan, list[Model]], place: Place
) -> None:
    plan, records = community_plan
    match = records[1]
    assert isinstance(match, Match)
    for name in ("outreach", "other_community", "agency_a"):
        with pytest.raises(Http404):
            actions.update_plan(users[name], plan, {"goal": "書き換え"}, version=plan.version)
        with pytest.raises(Http404):
            actions.add_follow_up(
                users[name], match, kind=FollowUp.Kind.HOST, on=_yesterday(), note="連絡"
            )
    assert ParticipationPlan.objects.get(pk=plan.pk).goal == "週1回、朝市の手伝いに行く"
    assert FollowUp.objects.filter(match=match).count() == 2


def test_visible_agrees_with_can_for_every_user_and_record(
    users: dict[str, Staff],
    place: Place,
    community_plan: tuple[ParticipationPlan, list[Model]],
    outreach_plan: tuple[ParticipationPlan, list[Model]],
) -> None:
    """The list query and the single-object check are one rule: they never disagree."""
    records = [place, *community_plan[1], *outreach_plan[1]]
    for name, user in users.items():
        for obj in records:
            for action in (access.VIEW, access.CHANGE):
                listed = access.for_action(user, type(obj), action).filter(pk=obj.pk).exists()
                assert listed == access.can(user, action, obj), (name, obj, action)
