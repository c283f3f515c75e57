"""The intake matches panel, scored by the 名寄せ model: each candidate shows how likely it is
the same person and why, field by field, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.intake.forms import MATCH_FIELDS, PERSON_PREFIX
from tomoni.people import actions
from tomoni.people.candidates import find_candidates
from tomoni.people.models import MatchReview, Person

from ..conftest import BrowserClient
from ..people.matching_helpers import person, queue

pytestmark = pytest.mark.django_db

BIRTH = date(1976, 9, 10)


def _typed(**fields: str) -> dict[str, str]:
    data = {f"{PERSON_PREFIX}-{name}": "" for name in MATCH_FIELDS}
    data.update({f"{PERSON_PREFIX}-{k}": v for k, v in fields.items()})
    return data


def test_panel_shows_score_and_reasons(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    known = person(personas["agency_a"], birth_date=BIRTH, phone="090-0000-1111")
    person(
        personas["agency_a"], given_name="次郎", given_kana="じろう", birth_date=date(1980, 1, 1)
    )
    response = as_user(personas["window"]).get(
        reverse("intake:matches"),
        _typed(
            family_name="見本",
            given_name="太郎",
            family_kana="ミホン",
            given_kana="タロウ",
            birth_date="昭和51年9月10日",
        ),
    )
    body = response.content.decode()
    assert "同じ方の見込み" in body and "判断の根拠" in body
    found = find_candidates(
        personas["window"],
        family_name="見本",
        given_name="太郎",
        kana="ミホンタロウ",
        birth_date=BIRTH,
    )
    best = found[0]
    assert best.percent is not None
    assert best.pk == known.pk and best.percent >= 90
    # The family name alone reaches both; the birth date puts the right one first.
    wider = find_candidates(personas["window"], family_name="見本", birth_date=BIRTH)
    assert wider[0].pk == known.pk and len(wider) == 2
    assert wider[0].score is not None and wider[1].score is not None
    assert wider[0].score > wider[1].score
    assert any(r.startswith("生年月日: ") for r in best.reasons)
    assert any(r.startswith("氏名: ") for r in best.reasons)
    for reason in best.reasons:
        assert reason in body
    # Only what was typed is explained: nothing about the record's phone or address leaks.
    assert not any(r.startswith(("電話", "住所")) for r in best.reasons)
    assert "090" not in body


def test_surname_change_is_still_found(personas: dict[str, Staff]) -> None:
    """Blocking on the birth date survives a new surname after marriage."""
    known = person(personas["agency_a"], given_name="花子", given_kana="はなこ", birth_date=BIRTH)
    found = find_candidates(
        personas["window"], family_name="例示", given_name="花子", birth_date=BIRTH
    )
    assert [c.pk for c in found] == [known.pk]


def test_merged_records_are_not_offered(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    a, b = person(coordinator, birth_date=BIRTH), person(coordinator, birth_date=BIRTH)
    actions.confirm_match(coordinator, queue(a, b), a)
    found = find_candidates(personas["window"], family_name="見本", birth_date=BIRTH)
    assert [c.pk for c in found] == [a.pk]
    assert MatchReview.objects.get().status == "confirmed"


def test_query_count_does_not_grow_with_the_register(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]

    def queries_with(total: int) -> int:
        while Person.objects.count() < total:
            person(coordinator, given_name=f"太{Person.objects.count()}", birth_date=BIRTH)
        with CaptureQueriesContext(connection) as ctx:
            found = find_candidates(
                personas["window"], family_name="見本", kana="みほん", birth_date=BIRTH
            )
        assert found
        return len(ctx.captured_queries)

    small = queries_with(5)
    assert small == queries_with(80) and small <= 6


def test_only_the_family_name_typed_compares_the_family_name_and_withholds_the_score(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    """Review finding 10 (issue 20): with only 「高橋」 typed, 髙橋 見本子 showed
    「同じ方の見込み 0%」 beside 「氏名: 不一致」. The 姓 is what was typed: it is compared, and the
    score waits for a 名 or a birth date."""
    person(
        personas["agency_a"],
        family_name="髙橋",
        given_name="見本子",
        family_kana="たかはし",
        given_kana="みほんこ",
        sex="female",
    )
    client = as_user(personas["window"])
    body = client.get(
        reverse("intake:matches"), _typed(family_name="高橋", family_kana="たかはし")
    ).content.decode()
    assert "髙橋 見本子" in body
    assert "氏名: 姓が一致(異体字を同一視)" in body
    assert "ふりがな: 前方一致" in body
    assert "0%" not in body and "不一致" not in body
    assert "名か生年月日を入力すると" in body
    found = find_candidates(personas["window"], family_name="高橋", kana="たかはし")
    assert [(c.name, c.percent) for c in found] == [("髙橋 見本子", None)]
    # With the 名 typed the model scores the whole name again.
    whole = find_candidates(
        personas["window"], family_name="高橋", given_name="見本子", kana="たかはしみほんこ"
    )
    assert whole[0].percent is not None
    assert "氏名: 一致(異体字を同一視)" in whole[0].reasons
