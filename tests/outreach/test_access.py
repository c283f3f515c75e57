"""Who sees an engagement: coordinators, and the outreach workers assigned to it. Nobody else —
not the community coordinator, not another outreach worker of the same 社協. Its contacts and
steps follow it, and ``visible()`` agrees with ``can()`` everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from tomoni import access
from tomoni.directory.models import Role, Staff
from tomoni.outreach import actions
from tomoni.outreach.models import (
    Contact,
    ContactMethod,
    ContactOutcome,
    Engagement,
    EngagementStep,
    Reason,
)

from ..conftest import as_seen_now, first_member, register_household

INSIDERS = ("coordinator", "outreach")
OUTSIDERS = ("window", "agency_a", "agency_b", "community", "manager", "auditor", "admin")


@pytest.fixture
def engagement(personas: dict[str, Staff]) -> Engagement:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    household = register_household(coordinator)
    engagement = actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=[worker],
        opened_on=timezone.localdate() - timedelta(days=10),
    )
    as_seen_now(actions.move_engagement, worker, engagement, "attempt")
    actions.record_contact(
        worker,
        engagement,
        on=timezone.localdate(),
        method=ContactMethod.LETTER,
        outcome=ContactOutcome.NO_REPLY,
    )
    return Engagement.objects.get(pk=engagement.pk)


@pytest.fixture
def users(personas: dict[str, Staff], make_staff: Callable[..., Staff]) -> dict[str, Staff]:
    """The personas, a second coordinator of the city (another agency), and an outreach
    worker of the same 社協 who is not assigned."""
    return {
        **personas,
        "city_coordinator": make_staff(Role.COORDINATOR, "jusou"),
        "unassigned": make_staff(Role.OUTREACH, "shakyo"),
    }


def _records(engagement: Engagement) -> list[Model]:
    return [
        engagement,
        *Contact.objects.filter(engagement=engagement),
        *EngagementStep.objects.filter(engagement=engagement),
    ]


def _sees(user: Staff, obj: Model) -> bool:
    return access.visible(user, type(obj)).filter(pk=obj.pk).exists()


@pytest.mark.parametrize("name", [*INSIDERS, "city_coordinator"])
def test_coordinators_and_the_assigned_worker_see_and_change_it(
    name: str, users: dict[str, Staff], engagement: Engagement
) -> None:
    user = users[name]
    records = _records(engagement)
    assert len(records) == 4  # the engagement, one contact, two steps
    for obj in records:
        assert access.can(user, access.VIEW, obj), obj
        assert _sees(user, obj), obj
    assert access.can(user, access.CHANGE, engagement)
    assert access.get_for_user(user, Engagement, engagement.pk) == engagement


@pytest.mark.parametrize("name", [*OUTSIDERS, "unassigned"])
def test_everyone_else_sees_nothing_of_it(
    name: str, users: dict[str, Staff], engagement: Engagement
) -> None:
    user = users[name]
    for obj in _records(engagement):
        assert not access.can(user, access.VIEW, obj), obj
        assert not access.can(user, access.CHANGE, obj), obj
        assert not _sees(user, obj), obj
    assert not access.visible(user, Engagement).exists()
    with pytest.raises(Http404):
        access.get_for_user(user, Engagement, engagement.pk)
    with pytest.raises(Http404):
        access.require(user, access.CHANGE, engagement)


def test_reassigning_moves_the_access(users: dict[str, Staff], engagement: Engagement) -> None:
    """The worker who hands over loses sight of it; the one who takes over gains it."""
    before, after = users["outreach"], users["unassigned"]
    actions.assign_workers(users["coordinator"], engagement, [after])
    assert not access.can(before, access.VIEW, engagement)
    assert not _sees(before, engagement)
    assert access.can(after, access.VIEW, engagement)
    assert _sees(after, engagement)
    contact = Contact.objects.get(engagement=engagement)
    assert access.can(after, access.VIEW, contact) and not access.can(before, access.VIEW, contact)


def test_a_worker_sees_only_their_own_engagements(
    users: dict[str, Staff], engagement: Engagement
) -> None:
    coordinator, other = users["coordinator"], users["unassigned"]
    household = register_household(coordinator)
    theirs = actions.open_engagement(
        coordinator, household=household, reason=Reason.ISOLATION, workers=[other]
    )
    both = actions.open_engagement(
        coordinator,
        household=household,
        reason=Reason.SELF_NEGLECT,
        workers=[other, users["outreach"]],
    )
    assert set(access.visible(users["outreach"], Engagement)) == {engagement, both}
    assert set(access.visible(other, Engagement)) == {theirs, both}
    assert set(access.visible(coordinator, Engagement)) == {engagement, theirs, both}


def test_visible_agrees_with_can_for_every_user_and_record(
    users: dict[str, Staff], engagement: Engagement
) -> None:
    """The list query and the single-object check are one rule: they never disagree."""
    coordinator = users["coordinator"]
    other = actions.open_engagement(
        coordinator,
        household=register_household(coordinator),
        reason=Reason.ISOLATION,
        workers=[users["unassigned"]],
    )
    records = _records(engagement) + _records(other)
    for name, user in users.items():
        for obj in records:
            for action in (access.VIEW, access.CHANGE):
                listed = access.for_action(user, type(obj), action).filter(pk=obj.pk).exists()
                assert listed == access.can(user, action, obj), (name, obj, action)
