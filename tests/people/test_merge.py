"""Merging two records of one person, and undoing it: every reference moves, exactly those
rows move back, and each step is audited. Nothing merges without a person confirming."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.models import MatchReview, Membership, Merge, Person, Relation

from ..conftest import first_member, register_household
from .matching_helpers import known_everywhere, person, queue, referencing, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(personas: dict[str, Staff]) -> tuple[Person, Person]:
    coordinator = personas["coordinator"]
    survivor = first_member(register_household(coordinator, members=1))
    Person.objects.filter(pk=survivor.pk).update(birth_date=date(1976, 9, 10))
    survivor.refresh_from_db()
    return survivor, known_everywhere(coordinator, personas["outreach"], survivor)


def test_every_kind_of_reference_is_covered(pair: tuple[Person, Person]) -> None:
    """The duplicate is pointed at by every model that can point at a person — so the test
    below really checks them all (a new model pointing at persons fails here first)."""
    _, dup = pair
    pointing = {label.rsplit(".", 1)[0] for label in referencing(dup)}
    everything = {m._meta.label_lower for m, _ in actions.person_references()}
    assert everything - pointing == {"people.person"}  # merged_into: nobody merged into dup yet


def test_confirm_moves_every_reference_to_the_survivor(
    pair: tuple[Person, Person], personas: dict[str, Staff]
) -> None:
    survivor, dup = pair
    before = referencing(dup)
    review = queue(survivor, dup)
    merge = actions.confirm_match(personas["coordinator"], review, survivor)
    dup.refresh_from_db()
    review.refresh_from_db()
    assert dup.merged_into == survivor
    assert review.status == MatchReview.Status.CONFIRMED
    assert review.decided_by == personas["coordinator"]
    # Only the relation between the two records themselves stays (it would point at itself).
    assert referencing(dup) == {"people.relation.to_person_id": 1}
    kept = [m for m in merge.moves if m.get("kept")]
    assert [(m["model"]) for m in kept] == ["people.relation"]
    moved = len(merge.moves) - len(kept)
    assert moved == sum(before.values()) - 1
    # Both were current members of one household: the survivor's membership stands, the
    # duplicate's moved and ended, so the household lists the person once.
    assert Membership.current.filter(person=survivor).count() == 2
    assert Membership.objects.filter(person=survivor, end_reason="other").count() == 1
    assert Relation.objects.filter(from_person=survivor, kind=Relation.Kind.SIBLING).exists()


def test_unmerge_restores_exactly(pair: tuple[Person, Person], personas: dict[str, Staff]) -> None:
    survivor, dup = pair
    before = snapshot()
    merge = actions.confirm_match(personas["coordinator"], queue(survivor, dup), survivor)
    assert snapshot() != before
    actions.unmerge(personas["coordinator"], merge)
    assert snapshot() == before
    merge.refresh_from_db()
    assert merge.is_undone and merge.undone_by == personas["coordinator"]
    # The pair is back to 確認待ち: a person decides again.
    assert MatchReview.objects.get().status == MatchReview.Status.PENDING
    with pytest.raises(ValidationError, match="すでに取り消されています"):
        actions.unmerge(personas["coordinator"], merge)


def test_merge_and_unmerge_are_audited(
    pair: tuple[Person, Person], personas: dict[str, Staff]
) -> None:
    survivor, dup = pair
    start = AuditEvent.objects.count()
    merge = actions.confirm_match(personas["coordinator"], queue(survivor, dup), survivor)
    events = list(AuditEvent.objects.order_by("seq")[start:])
    assert [(e.action, e.object_type) for e in events] == [
        ("change", "people.matchreview"),
        ("create", "people.merge"),
        ("change", "people.person"),
    ]
    assert events[1].detail["survivor"] == survivor.pk and events[1].detail["kept"] == 1
    actions.unmerge(personas["coordinator"], merge)
    last = AuditEvent.objects.order_by("-seq")[:2]
    assert {(e.action, e.object_type) for e in last} == {
        ("change", "people.merge"),
        ("change", "people.person"),
    }
    assert all(e.actor_id == personas["coordinator"].pk for e in last)


def test_reject_keeps_both_records(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    a, b = person(coordinator), person(coordinator, given_name="次郎")
    review = actions.reject_match(coordinator, queue(a, b))
    assert review.status == MatchReview.Status.REJECTED
    assert not Merge.objects.exists()
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    with pytest.raises(ValidationError, match="すでに他の職員が判断しました"):
        actions.confirm_match(coordinator, review, a)


def test_survivor_must_be_one_of_the_pair(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    a, b, c = (person(coordinator, given_name=n) for n in ("一", "二", "三"))
    review = queue(a, b)
    with pytest.raises(ValidationError, match="どちらかを選んで"):
        actions.confirm_match(coordinator, review, c)
    review.refresh_from_db()
    assert review.status == MatchReview.Status.PENDING and not Merge.objects.exists()


def test_later_merge_must_be_undone_first(personas: dict[str, Staff]) -> None:
    """A → B, then B → C: undoing the first would tear rows out of C, so it waits."""
    coordinator = personas["coordinator"]
    home = register_household(coordinator, members=3)
    a, b, c = (m.person for m in home.memberships.order_by("pk"))
    first = actions.confirm_match(coordinator, queue(a, b), b)
    second = actions.confirm_match(coordinator, queue(b, c), c)
    a.refresh_from_db()
    assert a.merged_into == c  # the earlier merged record follows its survivor
    with pytest.raises(ValidationError, match="先にそちらを元に戻して"):
        actions.unmerge(coordinator, first)
    actions.unmerge(coordinator, second)
    actions.unmerge(coordinator, first)
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_window_merges_only_persons_in_its_scope(personas: dict[str, Staff]) -> None:
    window, agency = personas["window"], personas["agency_a"]
    mine = person(window)
    theirs = person(agency, given_name="太朗")
    review = queue(mine, theirs)
    with pytest.raises(Http404):
        actions.confirm_match(window, review, mine)
    with pytest.raises(Http404):
        actions.reject_match(window, review)
    # Even a pair it sees: both records must be its to change.
    also_mine = person(window, given_name="太朗")
    ok = queue(mine, also_mine)
    merge = actions.confirm_match(window, ok, mine)
    assert merge.merged == also_mine
    with pytest.raises(Http404):
        actions.unmerge(agency, merge)


def test_agency_cannot_review(personas: dict[str, Staff]) -> None:
    agency = personas["agency_a"]
    a, b = person(agency), person(agency, given_name="太朗")
    review = queue(a, b)
    with pytest.raises((Http404, PermissionDenied)):
        actions.confirm_match(agency, review, a)
    assert not Merge.objects.exists()
