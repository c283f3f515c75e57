"""A household's family as plain data (:mod:`tomoni.people.kinship`), read through the access
policy: the ジェノグラム, the エコマップ's centre and the anonymiser start here.

Who is drawn: the household's current members (those who live together), taken from
``access.members`` with the fields the record they are seen through allows (a household's or
a case's composition: 続柄, name, age, sex — no birth date of a member the viewer cannot open);
then the people related to them and to those, two relations out, as far as the viewer may open
them (a relative registered by another agency stays out of the picture, as on the person
page). Ties come from ``people.Relation``: drawn ones only (a mistaken or dissolved entry is
history, not family).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Model, Q

from tomoni import access
from tomoni.cases.models import ENDED, Case
from tomoni.directory.models import Staff

from .kinship import Kin, Tie, labels
from .models import Household, Person, Relation, Relationship, today

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
    # The persons the viewer may open (choice lists, links).
    persons: dict[int, Person]
    # Every person drawn, for code that must know the record but never shows it (the
    # anonymiser removes their names, phones and birth dates from a text).
    records: dict[int, Person] = field(default_factory=dict)


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


def _member_kin(member: access.Member, is_subject: bool, on: date) -> Kin:
    person = member.person  # set only when the viewer may open the record
    about = None
    if person is None and member.age is not None:
        about = on.replace(year=on.year - member.age - 1, day=1)
    return Kin(
        id=member.person_id,
        name=member.name,
        sex=member.sex_code or "unknown",
        birth=person.birth_date if person is not None else None,
        age=person.age(on) if person is not None else member.age,
        deceased=member.deceased,
        lives_here=True,
        is_subject=is_subject,
        born_about=about,
    )


def _kin(person: Person, *, is_subject: bool, on: date) -> Kin:
    return Kin(
        id=person.pk,
        name=person.full_name,
        sex=person.sex,
        birth=person.birth_date,
        age=person.age(on),
        deceased=person.deceased,
        is_subject=is_subject,
    )


def family_of(
    user: Staff,
    household: Household,
    subject: Person | None = None,
    on: date | None = None,
    via: Model | None = None,
) -> FamilyData:
    """The family around ``household``; its members as seen through ``via`` (the household
    itself, or the case whose page or print shows them), which the caller has opened through
    the policy."""
    on = on or today()
    members = access.members(user, via or household, check=False)
    records = {m.person_id: access.record_of(m) for m in members}
    persons = {m.person_id: m.person for m in members if m.person is not None}
    if subject is None:
        subject = case_subject(user, household)
    if subject is None:
        head = next((m for m in members if m.relationship_code == Relationship.HEAD), None)
        subject = access.record_of(head or members[0]) if members else None
    subject_id = subject.pk if subject is not None else None
    kin = {m.person_id: _member_kin(m, m.person_id == subject_id, on) for m in members}
    relations: dict[int, Relation] = {}
    visible_people = access.visible(user, Person).filter(merged_into__isnull=True)
    visible_relations = access.visible(user, Relation).exclude(
        end_reason__in=[Relation.EndReason.DISSOLVED, Relation.EndReason.MISTAKE]
    )
    frontier = set(kin)
    for _ in range(HOPS):
        if not frontier or len(kin) >= MAX_PEOPLE:
            break
        found = list(
            visible_relations.filter(Q(from_person__in=frontier) | Q(to_person__in=frontier))
        )
        ends = {r.from_person_id for r in found} | {r.to_person_id for r in found}
        new_ids = sorted(ends - set(kin))[: MAX_PEOPLE - len(kin)]
        for person in visible_people.filter(pk__in=new_ids):
            persons[person.pk] = records[person.pk] = person
            kin[person.pk] = _kin(person, is_subject=person.pk == subject_id, on=on)
        for r in found:
            relations[r.pk] = r
        frontier = set(new_ids) & set(kin)
    # Ties among the people found last (a daughter's husband and their son) close the picture.
    ids = list(kin)
    for r in visible_relations.filter(from_person__in=ids, to_person__in=ids):
        relations.setdefault(r.pk, r)
    people = [kin[pid] for pid in sorted(kin)]
    ties = [
        Tie(r.from_person_id, r.to_person_id, r.kind, r.union)
        for r in sorted(relations.values(), key=lambda r: r.pk)
        if r.from_person_id in kin and r.to_person_id in kin
    ]
    return FamilyData(
        household,
        people,
        ties,
        labels(subject_id, people, ties),
        subject,
        persons,
        records,
    )
