"""Family ties as plain data, and what each person is to the 本人 (長男, 妻, 義母 …).

Pure functions over :class:`Kin` and :class:`Tie`: no database. The ジェノグラム writes the
labels under its symbols and the anonymiser puts them in place of names, so both say the same
thing about the same family. :func:`family_of` (in ``genogram_data``) builds these from the
register through ``tomoni.access``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MALE, FEMALE = "male", "female"
PARENT_CHILD, SPOUSE, SIBLING, GRANDPARENT = "parent_child", "spouse", "sibling", "grandparent"
FAMILY_APART, RELATIVE = "family_apart", "relative"
DIVORCED, BEREAVED, COMMON_LAW = "divorced", "bereaved", "common_law"

_NUMBERS = ("長", "次", "三", "四", "五", "六", "七", "八", "九", "十")


@dataclass(frozen=True)
class Kin:
    """One person as the family picture needs them."""

    id: int
    name: str
    sex: str = "unknown"
    birth: date | None = None
    age: int | None = None
    deceased: bool = False
    lives_here: bool = False  # a current member of the household drawn
    is_subject: bool = False  # the 本人
    # When the birth date may not be shown (a member the viewer cannot open), a date that
    # orders people as their ages do: siblings and children still stand oldest first.
    born_about: date | None = None

    @property
    def seniority(self) -> date | None:
        return self.birth or self.born_about


@dataclass(frozen=True)
class Tie:
    """A drawn relation: ``a`` → ``b`` for 親子 and 祖父母・孫 (``a`` the elder)."""

    a: int
    b: int
    kind: str
    union: str = ""


def _by_sex(sex: str, male: str, female: str, other: str) -> str:
    return male if sex == MALE else female if sex == FEMALE else other


def _birth_order(people: Iterable[Kin]) -> list[Kin]:
    return sorted(people, key=lambda k: (k.seniority is None, k.seniority or date.max, k.id))


class Family:
    """Indexes over the ties: parents, children, spouses and siblings of each person."""

    def __init__(self, people: Iterable[Kin], ties: Iterable[Tie]) -> None:
        self.people = {k.id: k for k in people}
        self.parents: dict[int, set[int]] = defaultdict(set)
        self.children: dict[int, set[int]] = defaultdict(set)
        self.grandparents: dict[int, set[int]] = defaultdict(set)
        self.grandchildren: dict[int, set[int]] = defaultdict(set)
        self.spouses: dict[int, dict[int, str]] = defaultdict(dict)
        self.siblings: dict[int, set[int]] = defaultdict(set)
        self.apart: dict[int, set[int]] = defaultdict(set)
        for t in ties:
            if t.a not in self.people or t.b not in self.people or t.a == t.b:
                continue
            if t.kind == PARENT_CHILD:
                self.children[t.a].add(t.b)
                self.parents[t.b].add(t.a)
            elif t.kind == GRANDPARENT:
                self.grandchildren[t.a].add(t.b)
                self.grandparents[t.b].add(t.a)
            elif t.kind == SPOUSE:
                self.spouses[t.a][t.b] = t.union
                self.spouses[t.b][t.a] = t.union
            elif t.kind == SIBLING:
                self.siblings[t.a].add(t.b)
                self.siblings[t.b].add(t.a)
            elif t.kind in (FAMILY_APART, RELATIVE):
                self.apart[t.a].add(t.b)
                self.apart[t.b].add(t.a)

    def siblings_of(self, pid: int) -> set[int]:
        """Recorded siblings and anyone sharing a recorded parent."""
        found = set(self.siblings[pid])
        for parent in self.parents[pid]:
            found |= self.children[parent]
        found.discard(pid)
        return found


def _children_labels(family: Family, children: Iterable[int]) -> dict[int, str]:
    """長男, 次男, 長女 … by birth order within each sex; 子 when the sex is not known."""
    labels: dict[int, str] = {}
    counters = {MALE: 0, FEMALE: 0}
    for kin in _birth_order(family.people[c] for c in children):
        if kin.sex in counters:
            n = counters[kin.sex]
            counters[kin.sex] += 1
            prefix = _NUMBERS[n] if n < len(_NUMBERS) else f"第{n + 1}"
            labels[kin.id] = prefix + ("男" if kin.sex == MALE else "女")
        else:
            labels[kin.id] = "子"
    return labels


def _spouse_label(kin: Kin, union: str) -> str:
    base = _by_sex(kin.sex, "夫", "妻", "配偶者")
    return ("元" + base) if union == DIVORCED else base


def labels(subject_id: int | None, people: Iterable[Kin], ties: Iterable[Tie]) -> dict[int, str]:
    """What each person is to the 本人: 本人, 妻, 長男, 母, 兄, 祖母, 孫, 義父, 長男の妻 …

    People with no recorded path to the 本人 get no label (the caller decides: 世帯員A …).
    """
    family = Family(people, ties)
    if subject_id is None or subject_id not in family.people:
        return {}
    me = family.people[subject_id]
    found: dict[int, str] = {subject_id: "本人"}

    def put(pid: int, label: str) -> None:
        found.setdefault(pid, label)

    for sid, union in family.spouses[subject_id].items():
        put(sid, _spouse_label(family.people[sid], union))
    children = _children_labels(family, family.children[subject_id])
    for cid, label in children.items():
        put(cid, label)
    for pid in family.parents[subject_id]:
        put(pid, _by_sex(family.people[pid].sex, "父", "母", "親"))
    for sib in family.siblings_of(subject_id):
        kin = family.people[sib]
        mine, theirs = me.seniority, kin.seniority
        older = theirs is not None and mine is not None and theirs < mine
        younger = theirs is not None and mine is not None and theirs > mine
        if older:
            put(sib, _by_sex(kin.sex, "兄", "姉", "きょうだい"))
        elif younger:
            put(sib, _by_sex(kin.sex, "弟", "妹", "きょうだい"))
        else:
            put(sib, "きょうだい")
    grandparents = set(family.grandparents[subject_id])
    for pid in family.parents[subject_id]:
        grandparents |= family.parents[pid]
    for gid in grandparents:
        put(gid, _by_sex(family.people[gid].sex, "祖父", "祖母", "祖父母"))
    grandchildren = set(family.grandchildren[subject_id])
    for cid in family.children[subject_id]:
        grandchildren |= family.children[cid]
    for gid in grandchildren:
        put(gid, "孫")
    for cid, label in children.items():
        for sid, union in family.spouses[cid].items():
            put(sid, f"{label}の{_spouse_label(family.people[sid], union)}")
    for sib in family.siblings_of(subject_id):
        for sid, union in family.spouses[sib].items():
            sibling = found.get(sib, "きょうだい")
            put(sid, f"{sibling}の{_spouse_label(family.people[sid], union)}")
    for sid in family.spouses[subject_id]:
        for pid in family.parents[sid]:
            put(pid, _by_sex(family.people[pid].sex, "義父", "義母", "義理の親"))
        partner = family.people[sid]
        for sib in family.siblings_of(sid):
            kin = family.people[sib]
            theirs, partners = kin.seniority, partner.seniority
            if theirs is not None and partners is not None and theirs != partners:
                word = (
                    _by_sex(kin.sex, "兄", "姉", "きょうだい")
                    if theirs < partners
                    else _by_sex(kin.sex, "弟", "妹", "きょうだい")
                )
            else:
                word = "きょうだい"
            put(sib, f"{_spouse_label(partner, family.spouses[subject_id][sid])}の{word}")
        for cid in family.children[sid]:
            put(cid, "配偶者の子")
    for pid in family.parents[subject_id]:
        for aunt in family.siblings_of(pid):
            put(aunt, _by_sex(family.people[aunt].sex, "おじ", "おば", "おじ・おば"))
    for sib in family.siblings_of(subject_id):
        for nephew in family.children[sib]:
            put(nephew, _by_sex(family.people[nephew].sex, "おい", "めい", "おい・めい"))
    for other in family.apart[subject_id]:
        put(other, "別居の家族")
    return found
