"""Filling the review queue from the register (`tomoni dedupe --db`): new pairs become
確認待ち, decided pairs never come back, merged records take no part, nothing merges."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

import pytest

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.matching import engine
from tomoni.people.matching.records import Record
from tomoni.people.matching.review import person_records, queue_from_database
from tomoni.people.models import MatchReview, Merge, Person

from ..conftest import register_household
from .matching_helpers import person

pytestmark = pytest.mark.django_db

Pair = tuple[str, str, float, dict[str, str]]


@pytest.fixture
def engine_pairs(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The batch engine, replaced by one that pairs records of the same given name: this
    tests the queue, not the model (tests of the model live with the engine)."""
    seen: dict[str, object] = {}

    def predict(records: Iterable[Record], threshold: float = 0.9) -> list[Pair]:
        records = list(records)
        seen.update(records=records, threshold=threshold)
        pairs = []
        for i, a in enumerate(records):
            for b in records[i + 1 :]:
                if a.name.split()[-1] == b.name.split()[-1]:
                    pairs.append((a.record_id, b.record_id, 0.97, {"氏名": "一致"}))
        return pairs

    monkeypatch.setattr(engine, "predict_pairs", predict)
    return seen


def test_records_carry_the_current_address_and_phone(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    household = register_household(coordinator, members=1, phone="042-378-2111")
    solo = person(coordinator, given_name="一人", birth_date=date(1950, 1, 2), phone="")
    records = {r.record_id: r for r in person_records()}
    member = records[str(household.memberships.get().person_id)]
    assert (member.name, member.kana) == ("見本 太郎", "みほん たろう")
    assert (member.address, member.phone, member.sex) == (
        "稲城市東長沼1丁目1番1号",
        "042-378-2111",
        "male",
    )
    assert records[str(solo.pk)].birthdate == date(1950, 1, 2)
    assert records[str(solo.pk)].address == ""


def test_queue_adds_new_pairs_once_and_never_decided_ones(
    personas: dict[str, Staff], engine_pairs: dict[str, object]
) -> None:
    coordinator = personas["coordinator"]
    a, b, c = person(coordinator), person(coordinator), person(coordinator, given_name="次郎")
    d = person(coordinator, given_name="次郎")
    out = io.StringIO()
    assert queue_from_database(0.8, out) == 2
    assert engine_pairs["threshold"] == 0.8
    assert "新しく確認待ちに 2 組" in out.getvalue()
    pairs = set(MatchReview.objects.values_list("person_a", "person_b", "status"))
    assert pairs == {(a.pk, b.pk, "pending"), (c.pk, d.pk, "pending")}
    # Run again: nothing new; decide both; run again: still nothing new, nothing reopened.
    assert queue_from_database(None, io.StringIO()) == 0
    actions.reject_match(coordinator, MatchReview.objects.get(person_a=a))
    actions.confirm_match(coordinator, MatchReview.objects.get(person_a=c), c)
    assert queue_from_database(None, io.StringIO()) == 0
    assert MatchReview.objects.count() == 2
    assert set(MatchReview.objects.values_list("status", flat=True)) == {"rejected", "confirmed"}
    # The merged record d took no part in the last run.
    assert str(d.pk) not in {r.record_id for r in engine_pairs["records"]}  # type: ignore[attr-defined]
    assert Merge.objects.count() == 1  # the one a person confirmed; the engine merged nothing


def test_queue_run_is_audited(personas: dict[str, Staff], engine_pairs: dict[str, object]) -> None:
    person(personas["coordinator"]), person(personas["coordinator"])
    queue_from_database(None, io.StringIO())
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_type) == ("create", "people.matchreview")
    assert event.detail["added"] == 1 and event.detail["persons"] == 2
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.matching
def test_dedupe_db_command_queues_an_obvious_duplicate(personas: dict[str, Staff]) -> None:
    """`tomoni dedupe --db` with the real engine: a record typed twice is queued, a family
    member sharing surname, address and phone is not; nothing is merged."""
    from django.core.management import call_command

    coordinator = personas["coordinator"]
    home = register_household(coordinator, members=2, phone="042-378-2111")
    taro = home.memberships.order_by("pk")[0].person
    Person.objects.filter(pk=taro.pk).update(birth_date=date(1976, 9, 10))
    again = person(
        personas["agency_a"],
        family_kana="ミホン",
        given_kana="タロウ",
        birth_date=date(1976, 9, 10),
        phone="042(378)2111",
    )
    for i in range(30):  # a register to compare against
        person(
            coordinator,
            given_name=f"試{i}",
            given_kana="ため",
            birth_date=date(1950, 1, 1 + i % 28),
        )
    out = io.StringIO()
    call_command("dedupe", "--db", stdout=out)
    pairs = set(MatchReview.objects.values_list("person_a", "person_b"))
    assert (taro.pk, again.pk) in pairs
    hanako = home.memberships.order_by("pk")[1].person
    assert not any(hanako.pk in pair for pair in pairs)
    assert not Merge.objects.exists()
