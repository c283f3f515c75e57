"""名寄せ carries relations: after a merge the survivor holds the duplicate's family ties
(both directions) and the ジェノグラム draws them; an undo puts each tie back."""

from __future__ import annotations

import pytest

from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.family import family_of
from tomoni.people.models import Person, Relation

from ..conftest import register_household
from .matching_helpers import person, queue

pytestmark = pytest.mark.django_db


def test_merge_moves_relations_both_ways_and_unmerge_restores(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    household = register_household(coordinator, members=1)
    survivor = household.memberships.get().person
    dup = person(coordinator, given_name="太朗")
    mother = person(coordinator, given_name="幸子", sex="female")
    son = person(coordinator, given_name="蓮")
    up = actions.add_relation(coordinator, mother, dup, Relation.Kind.PARENT_CHILD)
    down = actions.add_relation(coordinator, dup, son, Relation.Kind.PARENT_CHILD)

    merge = actions.confirm_match(coordinator, queue(survivor, dup), survivor)
    up.refresh_from_db()
    down.refresh_from_db()
    assert (up.from_person_id, up.to_person_id) == (mother.pk, survivor.pk)
    assert (down.from_person_id, down.to_person_id) == (survivor.pk, son.pk)
    family = family_of(coordinator, household)
    assert family.labels[mother.pk] == "母" and family.labels[son.pk] == "長男"

    actions.unmerge(coordinator, merge)
    up.refresh_from_db()
    down.refresh_from_db()
    assert up.to_person_id == dup.pk and down.from_person_id == dup.pk
    assert family_of(coordinator, household).labels == {survivor.pk: "本人"}


def test_a_merge_cannot_create_an_ancestor_loop_silently(personas: dict[str, Staff]) -> None:
    """When the duplicate is recorded as the survivor's own parent, that tie would point at
    itself after the merge: it stays on the merged record (kept), never a loop."""
    coordinator = personas["coordinator"]
    survivor = person(coordinator)
    dup = person(coordinator, given_name="太朗")
    tie = actions.add_relation(coordinator, dup, survivor, Relation.Kind.PARENT_CHILD)
    merge = actions.confirm_match(coordinator, queue(survivor, dup), survivor)
    tie.refresh_from_db()
    assert tie.from_person_id == dup.pk
    assert [m["model"] for m in merge.moves if m.get("kept")] == ["people.relation"]
    assert not Relation.objects.filter(from_person=survivor, to_person=survivor).exists()
    assert Person.objects.get(pk=dup.pk).merged_into_id == survivor.pk
