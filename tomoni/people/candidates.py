"""Possible matches at intake (名寄せ candidates).

While a worker types a name, ふりがな or birth date on the 相談受付 screen, existing persons
who may be the same person are offered — from the whole register, not only the worker's
scope, because the point is to find the household another agency already knows. So only
name, ふりがな, age and 地区 are returned; the full record opens only once the worker links
the person to the consultation (which is audited).

The scorer here uses the foundation's normalised keys; the 名寄せ issue replaces it behind
the same ``find_candidates`` interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from tomoni import access
from tomoni.lib.textnorm import kana_key, name_key
from tomoni.lib.wareki import age_on

from .models import Membership, Person
from .search import prefix_q

LIMIT = 8


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    kana: str
    age: int | None
    district: str
    score: float
    reasons: list[str] = field(default_factory=list)


def find_candidates(
    user: object,
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
    lookups = Q()
    if family:
        lookups |= prefix_q("family_key", family)
    if kana_k:
        lookups |= prefix_q("kana_key", kana_k)
    if birth_date is not None:
        lookups |= Q(birth_date=birth_date)
    if not lookups or (not birth_date and len(family + kana_k) < 2):
        return []
    # The register as a whole, deliberately past the user's scope: see the module docstring.
    rows = list(
        Person.objects.filter(lookups)
        .only("pk", "family_name", "given_name", "family_kana", "given_kana", "birth_date")
        .order_by("kana_key", "pk")[:200]
    )
    districts = dict(
        Membership.current.filter(person__in=[p.pk for p in rows]).values_list(
            "person_id", "household__district__name"
        )
    )
    today = timezone.localdate()
    scored = []
    for person in rows:
        score, reasons = _score(person, family, given, kana_k, birth_date)
        if score <= 0:
            continue
        scored.append(
            Candidate(
                pk=person.pk,
                name=person.full_name,
                kana=person.full_kana,
                age=age_on(person.birth_date, today) if person.birth_date else None,
                district=districts.get(person.pk) or "",
                score=score,
                reasons=reasons,
            )
        )
    scored.sort(key=lambda c: (-c.score, c.kana, c.pk))
    return scored[:limit]


def _score(
    person: Person, family: str, given: str, kana: str, birth: date | None
) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    if family and name_key(person.family_name) == family:
        score += 2
        reasons.append("姓が一致")
    elif family and name_key(person.family_name).startswith(family):
        score += 1
        reasons.append("姓の前方が一致")
    if given and name_key(person.given_name) == given:
        score += 2
        reasons.append("名が一致")
    if kana and kana_key(person.family_kana + person.given_kana) == kana:
        score += 2
        reasons.append("ふりがなが一致")
    elif kana and kana_key(person.family_kana + person.given_kana).startswith(kana):
        score += 1
        reasons.append("ふりがなの前方が一致")
    if birth is not None and person.birth_date is not None:
        if person.birth_date == birth:
            score += 3
            reasons.append("生年月日が一致")
        else:
            score -= 2
            reasons.append("生年月日が異なる")
    return score, reasons
