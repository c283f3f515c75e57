"""The review queue: the batch engine run over the register (`tomoni dedupe --db`).

Pairs the engine finds become 確認待ち rows (``MatchReview``) for staff to confirm or reject
(tomoni.people.actions). A pair already decided — 同一人物 or 別人 — is never queued again;
one still waiting gets the new score. Merged records take no part.
"""

from __future__ import annotations

import math
from typing import TextIO

from django.db import transaction

from tomoni.audit.log import Action, record
from tomoni.people.models import MatchReview, Membership, Person, Sex

from .records import Record


def person_records() -> list[Record]:
    """Every person not merged away, as the engine compares them: name, ふりがな, birth date,
    sex, and the address and phone of the household they currently live in."""
    homes: dict[int, tuple[str, str]] = {}
    for person_id, address, phone in (
        Membership.current.filter(person__merged_into__isnull=True)
        .order_by("person_id", "-start_date", "-pk")
        .values_list("person_id", "household__address", "household__phone")
        .iterator(chunk_size=5000)
    ):
        homes.setdefault(person_id, (address, phone))
    records = []
    for pk, family, given, family_kana, given_kana, birth, sex, phone in (
        Person.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "family_name",
            "given_name",
            "family_kana",
            "given_kana",
            "birth_date",
            "sex",
            "phone",
        )
        .iterator(chunk_size=5000)
    ):
        address, home_phone = homes.get(pk, ("", ""))
        records.append(
            Record(
                record_id=str(pk),
                name=f"{family} {given}".strip(),
                kana=f"{family_kana} {given_kana}".strip(),
                birthdate=birth,
                sex="" if sex == Sex.UNKNOWN else sex,
                address=address,
                phone=phone or home_phone,
            )
        )
    return records


def _weight(probability: float) -> float:
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def queue_from_database(threshold: float | None, stdout: TextIO) -> int:
    """Run the engine over the register and queue new pairs; returns how many were added."""
    from . import engine

    records = person_records()
    stdout.write(f"{len(records)} 人を照合します。\n")
    if threshold is None:
        pairs = engine.predict_pairs(records)
    else:
        pairs = engine.predict_pairs(records, threshold=threshold)
    found: dict[tuple[int, int], tuple[float, dict[str, str]]] = {}
    for left, right, probability, reasons in pairs:
        a, b = sorted((int(left), int(right)))
        if a != b:
            found[(a, b)] = (probability, dict(reasons))
    with transaction.atomic():
        existing = {
            (r.person_a_id, r.person_b_id): r
            for r in MatchReview.objects.filter(status=MatchReview.Status.PENDING)
        }
        decided = set(
            MatchReview.objects.exclude(status=MatchReview.Status.PENDING).values_list(
                "person_a_id", "person_b_id"
            )
        )
        new, updated = [], []
        for (a, b), (probability, reasons) in found.items():
            if (a, b) in decided:
                continue
            review = existing.get((a, b))
            if review is None:
                new.append(
                    MatchReview(
                        person_a_id=a,
                        person_b_id=b,
                        probability=probability,
                        match_weight=_weight(probability),
                        reasons=reasons,
                    )
                )
            else:
                review.probability, review.reasons = probability, reasons
                review.match_weight = _weight(probability)
                updated.append(review)
        MatchReview.objects.bulk_create(new, batch_size=2000)
        MatchReview.objects.bulk_update(
            updated, ["probability", "match_weight", "reasons"], batch_size=2000
        )
        record(
            Action.CREATE,
            object_type="people.matchreview",
            username="tomoni dedupe --db",
            detail={
                "persons": len(records),
                "pairs": len(found),
                "added": len(new),
                "updated": len(updated),
            },
        )
    stdout.write(
        f"候補 {len(found)} 組: 新しく確認待ちに {len(new)} 組、確認待ちの更新 {len(updated)} 組"
        f"（判断済みの組は追加しません）。\n"
    )
    return len(new)
