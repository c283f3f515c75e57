"""The labelled generator produces the variations and hard negatives it promises."""

from __future__ import annotations

from collections import Counter, defaultdict

from tomoni.people.matching import generator
from tomoni.people.matching.normalise import name_key


def test_deterministic_per_seed() -> None:
    assert generator.generate(200, seed=3) == generator.generate(200, seed=3)
    assert generator.generate(200, seed=3) != generator.generate(200, seed=4)


def test_every_surname_is_obviously_synthetic() -> None:
    prefixes = tuple(p for p, _ in generator._PREFIXES)
    for item in generator.generate(300, seed=1):
        assert item.record.name.startswith(prefixes), item.record.name


def test_it_has_the_variations_and_hard_negatives() -> None:
    """異体字, kana scripts, missing birthdates, maiden names, moves, twins, households."""
    items = generator.generate(3000, seed=5)
    records = [i.record for i in items]
    assert 4000 < len(items) < 8000
    variants = "".join(v for vs in generator.VARIANTS.values() for v in vs)
    assert any(c in variants for r in records for c in r.name)
    assert any("ｱ" <= c <= "ﾝ" for r in records for c in r.kana)
    assert any("ア" <= c <= "ン" for r in records for c in r.kana)
    assert sum(r.birthdate is None for r in records) > 100
    by_entity: dict[str, list[generator.Labelled]] = defaultdict(list)
    for item in items:
        by_entity[item.entity].append(item)
    surnames = set()
    moved = 0
    for recs in by_entity.values():
        keys = {name_key(r.record.name)[:3] for r in recs}
        surnames.add(len(keys) > 1)
        moved += len({r.record.phone[-4:] for r in recs if r.record.phone}) > 1
    assert True in surnames  # someone registered under a maiden name
    assert moved > 20
    # Twins: two persons of one household born on the same day.
    born = Counter((i.household, i.record.birthdate, i.entity) for i in items if i.record.birthdate)
    per_day = Counter((h, d) for h, d, _ in born)
    assert any(n >= 2 for n in per_day.values())
    # Households share surname, address and phone across persons.
    members = Counter(i.household for i in {(i.household, i.entity): i for i in items}.values())
    assert max(members.values()) >= 3


def test_truth_and_csv_rows_cover_every_record() -> None:
    items = generator.generate(100, seed=2)
    truth = generator.truth(items)
    rows = generator.csv_rows(items)
    assert len(truth) == len(rows) == len(items)
    assert {row[0] for row in rows} == set(truth)
