"""The demo's families at a glance: relatives and informal supporters of the 8050 and the
ダブルケア households whose cases the demo follows, so that their ジェノグラム shows three
generations (a late father, a daughter living elsewhere, grandparents) and their エコマップ
the people around them (民生委員, neighbours, a strained tie to a relative).

Built through the actions, as a coordinator would enter them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tomoni.cases.models import Case
from tomoni.directory.models import Staff
from tomoni.ecomap.actions import add_tie
from tomoni.ecomap.models import Direction, InformalKind, Strength, TieKind
from tomoni.people import actions
from tomoni.people.models import Membership, Person, Relation, Relationship, Sex

from .city import REFERENCE_DATE


def _born(age: int) -> date:
    return date(REFERENCE_DATE.year - age, 6, 1)


def _person(
    family: str, kana: str, given: str, given_kana: str, sex: str, **extra: Any
) -> dict[str, Any]:
    return {
        "family_name": family,
        "given_name": given,
        "family_kana": kana,
        "given_kana": given_kana,
        "sex": sex,
        **extra,
    }


def _relative(actor: Staff, subject: Person, data: dict[str, Any], **how: Any) -> Person:
    """Register a relative and the tie; the new person, whichever side of the tie they are."""
    relation = actions.register_relative(actor, subject, data, **how)
    return relation.to_person if relation.from_person_id == subject.pk else relation.from_person


def _name(taken: set[str], *choices: tuple[str, str]) -> tuple[str, str]:
    """The first given name (and its kana) nobody in the family has yet: two 久美子 in one
    picture would confuse the reader."""
    pick = next((c for c in choices if c[0] not in taken), choices[-1])
    taken.add(pick[0])
    return pick


def _members(case: Case) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for m in (
        Membership.current.filter(household=case.household).select_related("person").order_by("pk")
    ):
        found.setdefault(m.relationship, m.person)
    return found


def _informal(
    actor: Staff,
    case: Case,
    kind: str,
    name: str,
    strength: str,
    direction: str,
    note: str = "",
    person: Person | None = None,
) -> None:
    add_tie(
        actor,
        case.household,
        {
            "kind": TieKind.INFORMAL,
            "informal_kind": kind,
            "name": name,
            "strength": strength,
            "direction": direction,
            "note": note,
            "person": person,
        },
    )


def _eight_fifty(actor: Staff, case: Case) -> None:
    members = _members(case)
    parent, son = members.get(Relationship.HEAD), members.get(Relationship.CHILD)
    if parent is None or son is None:
        return
    family, kana = parent.family_name, parent.family_kana
    taken = {parent.given_name, son.given_name}
    late_sex = Sex.MALE if parent.sex == Sex.FEMALE else Sex.FEMALE
    late_name = (
        _name(taken, ("茂", "しげる"), ("清", "きよし"))
        if late_sex == Sex.MALE
        else _name(taken, ("節子", "せつこ"), ("和子", "かずこ"))
    )
    late = _relative(
        actor,
        parent,
        _person(
            family,
            kana,
            *late_name,
            late_sex,
            birth_date=_born(88),
            deceased=True,
            deceased_on=date(2019, 11, 3),
        ),
        role="spouse",
        union=Relation.Union.BEREAVED,
    )
    actions.add_relation(actor, late, son, Relation.Kind.PARENT_CHILD)
    daughter = _relative(
        actor,
        parent,
        _person(
            family,
            kana,
            *_name(taken, ("久美子", "くみこ"), ("智子", "ともこ")),
            Sex.FEMALE,
            birth_date=_born(55),
        ),
        role="child",
    )
    actions.add_relation(actor, late, daughter, Relation.Kind.PARENT_CHILD)
    husband = _relative(
        actor,
        daughter,
        _person(
            "試野",
            "ためしの",
            *_name(taken, ("直樹", "なおき"), ("隆", "たかし")),
            Sex.MALE,
            birth_date=_born(57),
        ),
        role="spouse",
    )
    grandchild = _relative(
        actor,
        daughter,
        _person(
            "試野",
            "ためしの",
            *_name(taken, ("蓮", "れん"), ("翼", "つばさ")),
            Sex.MALE,
            birth_date=_born(26),
        ),
        role="child",
    )
    actions.add_relation(actor, husband, grandchild, Relation.Kind.PARENT_CHILD)
    _informal(
        actor,
        case,
        InformalKind.WELFARE_COMMISSIONER,
        "民生委員 例山さん",
        Strength.NORMAL,
        Direction.TO_FAMILY,
        "月1回の見守り訪問",
    )
    _informal(
        actor,
        case,
        InformalKind.NEIGHBOUR,
        "隣家の仮川さん",
        Strength.WEAK,
        Direction.BOTH,
        "ごみ出しの声かけ",
    )
    _informal(
        actor,
        case,
        InformalKind.RELATIVE,
        "長女（市外在住）",
        Strength.STRESSFUL,
        Direction.BOTH,
        "母の介護の分担をめぐって弟と対立",
        son,
    )
    _informal(
        actor,
        case,
        InformalKind.DOCTOR,
        "かかりつけ 見本内科",
        Strength.NORMAL,
        Direction.TO_FAMILY,
        "母の主治医",
        parent,
    )


def _double_care(actor: Staff, case: Case) -> None:
    members = _members(case)
    husband, wife = members.get(Relationship.HEAD), members.get(Relationship.SPOUSE)
    mother = members.get(Relationship.PARENT_IN_LAW)
    if husband is None or wife is None:
        return
    taken = {
        m.person.given_name
        for m in Membership.current.filter(household=case.household).select_related("person")
    }
    if mother is not None:
        late = _relative(
            actor,
            mother,
            _person(
                mother.family_name,
                mother.family_kana,
                *_name(taken, ("清", "きよし"), ("修", "おさむ")),
                Sex.MALE,
                birth_date=_born(84),
                deceased=True,
            ),
            role="spouse",
            union=Relation.Union.BEREAVED,
        )
        actions.add_relation(actor, late, wife, Relation.Kind.PARENT_CHILD)
    father_in_law = _relative(
        actor,
        husband,
        _person(
            husband.family_name,
            husband.family_kana,
            *_name(taken, ("勇", "いさむ"), ("進", "すすむ")),
            Sex.MALE,
            birth_date=_born(74),
        ),
        role="parent",
    )
    mother_in_law = _relative(
        actor,
        husband,
        _person(
            husband.family_name,
            husband.family_kana,
            *_name(taken, ("和子", "かずこ"), ("京子", "きょうこ")),
            Sex.FEMALE,
            birth_date=_born(72),
        ),
        role="parent",
    )
    actions.add_relation(
        actor, father_in_law, mother_in_law, Relation.Kind.SPOUSE, union=Relation.Union.MARRIED
    )
    sister = _relative(
        actor,
        husband,
        _person(
            husband.family_name,
            husband.family_kana,
            *_name(taken, ("由美", "ゆみ"), ("洋子", "ようこ")),
            Sex.FEMALE,
            birth_date=_born(40),
        ),
        role="sibling",
    )
    actions.add_relation(actor, father_in_law, sister, Relation.Kind.PARENT_CHILD)
    actions.add_relation(actor, mother_in_law, sister, Relation.Kind.PARENT_CHILD)
    _informal(
        actor,
        case,
        InformalKind.WORK_SCHOOL,
        "見本保育園",
        Strength.STRONG,
        Direction.TO_FAMILY,
        "下の子の一時保育",
        wife,
    )
    _informal(
        actor,
        case,
        InformalKind.FRIEND,
        "子育てサークルの友人",
        Strength.NORMAL,
        Direction.BOTH,
        "",
        wife,
    )
    _informal(
        actor,
        case,
        InformalKind.WELFARE_COMMISSIONER,
        "民生委員 試作さん",
        Strength.WEAK,
        Direction.TO_FAMILY,
    )
    _informal(
        actor,
        case,
        InformalKind.RELATIVE,
        "夫の母（市内別居）",
        Strength.STRESSFUL,
        Direction.FROM_FAMILY,
        "介護の手伝いを頼めず関係がぎくしゃく",
        wife,
    )


def load_glance(staff: dict[str, Staff]) -> dict[str, int]:
    """Runs inside ``load_city``'s transaction, after the cases exist."""
    actor = staff["kyodo"]
    done = 0
    for tag, build in (("8050", _eight_fifty), ("double-care", _double_care)):
        case = (
            Case.objects.filter(household__tags__code=tag, person__isnull=False)
            .select_related("household", "person")
            .order_by("pk")
            .first()
        )
        if case is not None:
            build(actor, case)
            done += 1
    return {"glance_households": done}
