"""A household's family as plain data (:mod:`tomoni.people.kinship`), read through the access
policy: the ジェノグラム, the エコマップ's centre and the anonymiser start here.

Who is drawn: the household's current members (those who live together), then the people
related to them and to those, two steps out, as far as the viewer may see them (a relative
registered by another agency stays out of the picture, as on the person page). Ties come from
``people.Relation``: drawn ones only (a mistaken or dissolved entry is history, not family).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from tomoni import access
from tomoni.cases.models import ENDED, Case
from tomoni.directory.models import Staff

from .kinship import Kin, Tie, labels
from .models import Household, Membership, Person, Relation, Relationship, today

# Enough for three generations of a large family; beyond it the picture stops being read.
MAX_PEOPLE = 30
HOPS = 2


@dataclass
class FamilyData:
    household: Household
    people: list[Kin]
    ties: list[Tie]
    labels: dict[int, str]
    subject: Person | None
    persons: dict[int, Person]


def current_members(household: Household) -> list[Membership]:
    """The household's current members. The household itself was opened through the access
    policy by the caller; its members are shown with it (DESIGN.md §5). The one read of
    members in the pictures' code: when ``tomoni.access`` offers the members a viewer may see
    through a household (issue 14), this is where it plugs in."""
    return list(
        Membership.current.filter(household=household).select_related("person").order_by("pk")
    )


def _kin(person: Person, *, lives_here: bool, is_subject: bool, on: date) -> Kin:
    return Kin(
        id=person.pk,
        name=person.full_name,
        sex=person.sex,
        birth=person.birth_date,
        age=person.age(on),
        deceased=person.deceased,
        lives_here=lives_here,
        is_subject=is_subject,
    )


def case_subject(user: Staff, household: Household) -> Person | None:
    """The 本人 of the household's newest open case the viewer may see (None: no case)."""
    case = (
        access.visible(user, Case)
        .filter(household=household, person__isnull=False)
        .exclude(stage__in=ENDED)
        .select_related("person")
        .order_by("-opened_on", "-pk")
        .first()
    )
    return case.person if case else None


def family_of(
    user: Staff, household: Household, subject: Person | None = None, on: date | None = None
) -> FamilyData:
    on = on or today()
    members = current_members(household)
    persons: dict[int, Person] = {m.person_id: m.person for m in members}
    if subject is None:
        subject = case_subject(user, household)
    if subject is None:
        head = next((m for m in members if m.relationship == Relationship.HEAD), None)
        subject = head.person if head else (members[0].person if members else None)
    if subject is not None:
        persons.setdefault(subject.pk, subject)
    relations: dict[int, Relation] = {}
    visible_people = access.visible(user, Person).filter(merged_into__isnull=True)
    visible_relations = access.visible(user, Relation).exclude(
        end_reason__in=[Relation.EndReason.DISSOLVED, Relation.EndReason.MISTAKE]
    )
    frontier = set(persons)
    for _ in range(HOPS):
        if not frontier or len(persons) >= MAX_PEOPLE:
            break
        found = list(
            visible_relations.filter(Q(from_person__in=frontier) | Q(to_person__in=frontier))
        )
        ends = {r.from_person_id for r in found} | {r.to_person_id for r in found}
        new_ids = sorted(ends - set(persons))[: MAX_PEOPLE - len(persons)]
        for person in visible_people.filter(pk__in=new_ids):
            persons[person.pk] = person
        for r in found:
            relations[r.pk] = r
        frontier = set(new_ids) & set(persons)
    # Ties among the people found last (a daughter's husband and their son) close the picture.
    ids = list(persons)
    for r in visible_relations.filter(from_person__in=ids, to_person__in=ids):
        relations.setdefault(r.pk, r)
    living = {m.person_id for m in members}
    subject_id = subject.pk if subject is not None else None
    people = [
        _kin(p, lives_here=pid in living, is_subject=pid == subject_id, on=on)
        for pid, p in sorted(persons.items())
    ]
    ties = [
        Tie(r.from_person_id, r.to_person_id, r.kind, r.union)
        for r in sorted(relations.values(), key=lambda r: r.pk)
        if r.from_person_id in persons and r.to_person_id in persons
    ]
    return FamilyData(household, people, ties, labels(subject_id, people, ties), subject, persons)
