"""Possible matches at intake (名寄せ candidates).

While a worker types a name, ふりがな or birth date on the 相談受付 screen, existing persons
who may be the same person are offered — from the whole register, not only the worker's
scope, because the point is to find the household another agency already knows. So only
name, ふりがな, age and 地区 are returned, with the match score and why; the full record opens
only once the worker links the person to the consultation (which is audited).

Two steps, so that the answer takes the same few queries however large the register is:
blocking in SQL on indexed keys (the birth date with any part of the name, which survives a
change of surname; the birth date alone; the start of the family name; the start of the
ふりがな), a few rows per key; then the 名寄せ model's pure-Python scorer
(``matching.scorer.score_pair``) ranks those few.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from tomoni import access
from tomoni.lib.textnorm import kana_key, name_key
from tomoni.lib.wareki import age_on

from .matching.records import Record
from .matching.scorer import score_pair
from .models import Membership, Person, Sex
from .search import prefix_q

LIMIT = 8
# Rows per blocking key: at most 20 + 3 × 12 = 56 persons to score.
PRECISE = 20
BLOCK = 12


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    kana: str
    age: int | None
    district: str
    # The model's probability that this is the person being typed (0–1); None while only a
    # 姓 (and its ふりがな) is typed: the model compares whole names, and 「高橋」 against
    # 髙橋 見本子 is no evidence either way.
    score: float | None
    # 「生年月日: 一致」…: only for what the worker typed, so nothing else about the record shows.
    reasons: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


def _blocks(
    family: str, given: str, kana: str, birth_date: date | None
) -> list[tuple[Q, str, int]]:
    """(filter, the indexed column it ranges over, how many rows to take), most precise first.

    Ordering by the indexed column lets the database walk the index and stop after the limit
    instead of sorting every namesake. The first block — the birth date with any part of the
    name or ふりがな — reads only the few persons born that day and survives a change of
    surname (the given name still agrees); the others catch a wrong or missing birth date."""
    names = Q()
    if family:
        names = prefix_q("family_key", family)
        if given:
            names &= prefix_q("given_key", given)
    blocks = []
    if birth_date is not None:
        same_day = Q(birth_date=birth_date)
        parts = [prefix_q(k, v) for k, v in (("family_key", family), ("given_key", given)) if v]
        if kana:
            parts.append(prefix_q("kana_key", kana))
        if parts:
            any_part = parts[0]
            for part in parts[1:]:
                any_part |= part
            blocks.append((same_day & any_part, "birth_date", PRECISE))
        blocks.append((same_day, "birth_date", BLOCK))
    if family:
        blocks.append((names, "family_key", BLOCK))
    if kana:
        blocks.append((prefix_q("kana_key", kana), "kana_key", BLOCK))
    return blocks


def _block_ids(blocks: list[tuple[Q, str, int]]) -> list[int]:
    ids: dict[int, None] = {}
    for q, column, limit in blocks:
        # Merged records (名寄せ) are history: they are found through their survivor.
        rows = (
            Person.objects.filter(q, merged_into__isnull=True)
            .order_by(column, "pk")
            .values_list("pk", flat=True)
        )
        ids.update(dict.fromkeys(rows[:limit]))
    return list(ids)


def _record(person: Person) -> Record:
    return Record(
        record_id=str(person.pk),
        name=person.full_name,
        kana=person.full_kana,
        birthdate=person.birth_date,
        sex="" if person.sex == Sex.UNKNOWN else person.sex,
    )


def find_candidates(
    user: access.Viewer | None,
    *,
    family_name: str = "",
    given_name: str = "",
    kana: str = "",
    birth_date: date | None = None,
    limit: int = LIMIT,
) -> list[Candidate]:
    """Persons who may be the one being registered, best first; [] if the user may not take
    consultations or too little was typed to tell anyone apart."""
    from tomoni.intake.models import Consultation

    if not access.can_create(user, Consultation):
        return []
    family, given, kana_k = name_key(family_name), name_key(given_name), kana_key(kana)
    if not birth_date and len(family + kana_k) < 2:
        return []
    ids = _block_ids(_blocks(family, given, kana_k, birth_date))
    if not ids:
        return []
    # The register as a whole, deliberately past the user's scope: see the module docstring.
    rows = list(
        Person.objects.filter(pk__in=ids).only(
            "pk", "family_name", "given_name", "family_kana", "given_kana", "birth_date", "sex"
        )
    )
    districts = dict(
        Membership.current.filter(person__in=ids).values_list(
            "person_id", "household__district__name"
        )
    )
    typed = Record(
        record_id="typed",
        name=f"{family_name} {given_name}".strip(),
        kana=kana,
        birthdate=birth_date,
    )
    shown = {"氏名": bool(family or given), "ふりがな": bool(kana_k), "生年月日": bool(birth_date)}
    family_only = not given and not birth_date
    today = timezone.localdate()
    found = []
    for person in rows:
        if family_only:
            score = None
            reasons = _family_reasons(person, family_name, kana)
        else:
            scored = score_pair(typed, _record(person))
            score = scored.probability
            reasons = {k: v for k, v in scored.reasons.items() if shown.get(k)}
        found.append(
            Candidate(
                pk=person.pk,
                name=person.full_name,
                kana=person.full_kana,
                age=age_on(person.birth_date, today) if person.birth_date else None,
                district=districts.get(person.pk) or "",
                score=score,
                reasons=[f"{k}: {v}" for k, v in reasons.items()],
            )
        )
    found.sort(key=lambda c: (-(c.score or 0), c.kana, c.pk))
    return found[:limit]


def _family_reasons(person: Person, family_name: str, kana: str) -> dict[str, str]:
    """How the 姓 and ふりがな typed so far compare with the start of the person's."""
    reasons = {}
    if name_key(family_name):
        if name_key(family_name) == name_key(person.family_name):
            same = kana_key(family_name) == kana_key(person.family_name)
            reasons["氏名"] = "姓が一致" if same else "姓が一致(異体字を同一視)"
        elif name_key(person.family_name).startswith(name_key(family_name)):
            reasons["氏名"] = "姓が前方一致"
        else:
            reasons["氏名"] = "姓が異なる"
    if kana_key(kana):
        theirs = kana_key(person.full_kana)
        if kana_key(kana) == theirs:
            reasons["ふりがな"] = "一致"
        else:
            reasons["ふりがな"] = "前方一致" if theirs.startswith(kana_key(kana)) else "異なる"
    return reasons


def describe(person: Person) -> Candidate:
    """A picked candidate as the matches panel showed them: name, kana, age and 地区 only."""
    membership = (
        Membership.current.filter(person=person).select_related("household__district").first()
    )
    district = membership.household.district if membership else None
    return Candidate(
        pk=person.pk,
        name=person.full_name,
        kana=person.full_kana,
        age=person.age(),
        district=district.name if district else "",
        score=0,
    )
