"""A few obvious duplicates, so the 名寄せ review queue of the demo city has work.

Each copies a person of the city as another agency would have registered them on their own,
without a household — ふりがな in katakana, the phone with other punctuation, sometimes no
birth date or a new surname after marriage — and queues the pair as 確認待ち with the
model's score. Runs inside ``load_city``'s transaction.
"""

from __future__ import annotations

import math

from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.people.matching.records import Record
from tomoni.people.matching.scorer import score_pair
from tomoni.people.models import MatchReview, Membership, Person, Relationship, Sex

COUNT = 6


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _record(person: Person, address: str) -> Record:
    return Record(
        record_id=str(person.pk),
        name=person.full_name,
        kana=person.full_kana,
        birthdate=person.birth_date,
        sex="" if person.sex == Sex.UNKNOWN else person.sex,
        address=address,
        phone=person.phone,
    )


def load_duplicates(staff: dict[str, Staff]) -> dict[str, int]:
    originals = list(
        Membership.current.filter(
            person__birth_date__isnull=False,
            relationship=Relationship.HEAD,
            household__code__startswith="D",
        )
        .select_related("person", "household")
        .order_by("household__code")[: COUNT * 7 : 7]
    )
    now = timezone.now()
    reviews = []
    for index, membership in enumerate(originals):
        original, home = membership.person, membership.household
        registrar = staff["madoguchi"] if index % 3 == 0 else staff["houkatsu"]
        copy = Person(
            family_name=original.family_name,
            given_name=original.given_name,
            family_kana=_katakana(original.family_kana),
            given_kana=_katakana(original.given_kana),
            birth_date=None if index == 2 else original.birth_date,
            sex=original.sex,
            phone=original.phone.replace("-", " "),
            created_by=registrar,
            created_at=now,
            updated_at=now,
        )
        if index == 4:  # married since: a new surname, the rest the same
            copy.family_name, copy.family_kana = "例野", "レイノ"
        copy.save()
        a, b = sorted((original, copy), key=lambda p: p.pk)
        scored = score_pair(_record(original, home.address), _record(copy, ""))
        p = min(max(scored.probability, 1e-9), 1 - 1e-9)
        reviews.append(
            MatchReview(
                person_a=a,
                person_b=b,
                probability=scored.probability,
                match_weight=math.log2(p / (1 - p)),
                reasons=scored.reasons,
            )
        )
    MatchReview.objects.bulk_create(reviews)
    record(
        Action.CREATE,
        actor=None,
        username="tomoni demo",
        object_type="people.matchreview",
        detail={"duplicates": len(reviews)},
    )
    return {"duplicates": len(reviews)}
