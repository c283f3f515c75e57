"""Finding people by name, ふりがな (any script or width), birthdate (和暦/西暦) and phone,
within what the user may see; the view's full page, htmx partial and audit event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.models import Person, Relationship
from tomoni.people.search import search_people

from ..conftest import BrowserClient

TARO, HANAKO, ICHIRO = "山田 太郎", "山田 花子", "田中 一郎"


@pytest.fixture
def people(personas: dict[str, Staff]) -> None:
    """Two households the window registered: 山田 (太郎 and 花子) and 田中 (一郎, born the
    same day as 太郎)."""
    window = personas["window"]
    yamada = actions.register_household(window, phone="042-378-2111")
    tanaka = actions.register_household(window)
    rows = [
        (yamada, "山田", "太郎", "やまだ", "たろう", date(1975, 4, 3), "090-1234-5678"),
        (yamada, "山田", "花子", "ヤマダ", "ハナコ", date(2020, 3, 4), ""),
        (tanaka, "田中", "一郎", "たなか", "いちろう", date(1975, 4, 3), "080-9999-0000"),
    ]
    for household, family, given, family_kana, given_kana, born, phone in rows:
        data = {
            "family_name": family,
            "given_name": given,
            "family_kana": family_kana,
            "given_kana": given_kana,
            "birth_date": born,
            "phone": phone,
        }
        actions.register_person(window, data, household=household, relationship=Relationship.HEAD)


def _found(user: Staff, query: str) -> set[str]:
    return {p.full_name for p in search_people(user, query)}


FINDS = [
    # 氏名 (kanji): full, with and without a space, and the start of either part.
    ("山田 太郎", {TARO}),
    ("山田太郎", {TARO}),
    ("山田　太郎", {TARO}),
    ("山田", {TARO, HANAKO}),
    ("山", {TARO, HANAKO}),
    ("山田太", {TARO}),
    ("太郎", {TARO}),
    ("田中", {ICHIRO}),
    # ふりがな: hiragana, katakana and half-width katakana are the same search.
    ("やまだ", {TARO, HANAKO}),
    ("ヤマダ", {TARO, HANAKO}),
    ("ﾔﾏﾀﾞ", {TARO, HANAKO}),
    ("やまだ たろう", {TARO}),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", {TARO}),
    ("はなこ", {HANAKO}),
    ("ハナコ", {HANAKO}),
    ("ﾊﾅｺ", {HANAKO}),
    # 生年月日: 和暦 long and short, 西暦 with separators or none, full-width.
    ("昭和50年4月3日", {TARO, ICHIRO}),
    ("S50.4.3", {TARO, ICHIRO}),
    ("s50.4.3", {TARO, ICHIRO}),
    ("Ｓ５０．４．３", {TARO, ICHIRO}),
    ("1975-04-03", {TARO, ICHIRO}),
    ("1975/4/3", {TARO, ICHIRO}),
    ("1975年4月3日", {TARO, ICHIRO}),
    ("19750403", {TARO, ICHIRO}),
    ("１９７５ー０４ー０３", {TARO, ICHIRO}),
    ("令和2年3月4日", {HANAKO}),
    ("R2.3.4", {HANAKO}),
    # 電話: the person's own number, or their household's (which finds every member).
    ("090-1234-5678", {TARO}),
    ("09012345678", {TARO}),
    ("０９０－１２３４－５６７８", {TARO}),
    ("０９０１２３４５６７８", {TARO}),
    ("０９０ー１２３４ー５６７８", {TARO}),  # the IME's long-vowel mark as a dash
    ("090ｰ1234ｰ5678", {TARO}),
    ("042-378-2111", {TARO, HANAKO}),
    ("042-378", {TARO, HANAKO}),
    ("2111", {TARO, HANAKO}),
    # Words are ANDed.
    ("やまだ S50.4.3", {TARO}),
    ("たなか 昭和50年4月3日", {ICHIRO}),
    ("山田 1975-04-03", {TARO}),
    ("やまだ 080-9999-0000", set()),
    # Nothing to find.
    ("鈴木", set()),
    ("S50.4.4", set()),
    ("", set()),
    ("　", set()),
]


@pytest.mark.parametrize(("query", "expected"), FINDS, ids=[f"[{q}]" for q, _ in FINDS])
def test_search_people_finds(
    query: str, expected: set[str], people: None, personas: dict[str, Staff]
) -> None:
    """Every way staff type a name, date or number finds the same people."""
    assert _found(personas["window"], query) == expected


def test_variant_kanji_find_each_other(personas: dict[str, Staff]) -> None:
    """異体字: whoever registered 髙橋 or 渡邊, typing 高橋 or 渡辺 finds them, and back."""
    window = personas["window"]
    household = actions.register_household(window)
    for family, given in [("髙橋", "次郎"), ("渡辺", "三郎"), ("山﨑", "四郎")]:
        data = {"family_name": family, "given_name": given, "family_kana": "みほん"}
        actions.register_person(
            window, data, household=household, relationship=Relationship.UNKNOWN
        )
    assert _found(window, "高橋") == {"髙橋 次郎"}
    assert _found(window, "髙橋次郎") == {"髙橋 次郎"}
    assert _found(window, "渡邊") == {"渡辺 三郎"}
    assert _found(window, "渡邉 三郎") == {"渡辺 三郎"}
    assert _found(window, "山崎") == {"山﨑 四郎"}
    assert _found(window, "高田") == set()


def test_search_is_limited_to_visible_people(people: None, personas: dict[str, Staff]) -> None:
    """Agency B finds nobody the window registered; the coordinator finds them all."""
    for query in ("山田", "やまだ", "S50.4.3", "042-378-2111"):
        assert _found(personas["agency_b"], query) == set()
        assert _found(personas["coordinator"], query) == _found(personas["window"], query)


def test_each_person_is_listed_once(people: None, personas: dict[str, Staff]) -> None:
    """Someone in two households with the same number, matching through both, appears once."""
    window = personas["window"]
    taro = Person.objects.get(given_name="太郎")
    annex = actions.register_household(window, phone="042-378-2111")
    actions.add_membership(window, taro, annex, Relationship.HEAD)
    results = list(search_people(window, "042-378-2111"))
    assert sorted(p.full_name for p in results) == sorted([TARO, HANAKO])


@pytest.fixture
def window(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> BrowserClient:
    return as_user(personas["window"])


def test_search_page_lists_results(people: None, window: BrowserClient) -> None:
    """The full page shows each match with its household and records one `list` event."""
    before = AuditEvent.objects.count()
    response = window.get(reverse("people:search"), {"q": "やまだ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert TARO in body and HANAKO in body and ICHIRO not in body
    assert "2 件" in body
    assert "（世帯主）" in body
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq")[0]
    assert (event.action, event.object_type) == ("list", "people.person")
    assert event.actor_username == "window"
    yamada = Person.objects.filter(family_name="山田").values_list("pk", flat=True)
    assert sorted(event.detail["ids"]) == sorted(yamada)


def test_htmx_request_gets_only_the_results(people: None, window: BrowserClient) -> None:
    """With HX-Request the view answers with the results partial, not a whole page."""
    response = window.get(reverse("people:search"), {"q": "やまだ"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="results"')
    assert TARO in body and HANAKO in body


def test_no_results_says_so(people: None, window: BrowserClient) -> None:
    """A search that finds nobody says so, on the page and in the htmx partial."""
    for headers in ({}, {"HX-Request": "true"}):
        response = window.get(reverse("people:search"), {"q": "鈴木"}, headers=headers)
        body = response.content.decode()
        assert "該当する方は見つかりませんでした。" in body
        assert "0 件" in body


def test_empty_query_searches_nothing(people: None, window: BrowserClient) -> None:
    """Without a query the page shows the form only and records no event."""
    before = AuditEvent.objects.count()
    body = window.get(reverse("people:search")).content.decode()
    assert "閲覧できる範囲の方だけが表示されます。" in body
    assert TARO not in body
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("persona", "found"), [("agency_b", False), ("coordinator", True)])
def test_search_page_shows_only_visible_people(
    persona: str,
    found: bool,
    people: None,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """The page lists what the user may see: nothing for agency B, everyone for the
    coordinator."""
    body = as_user(personas[persona]).get(reverse("people:search"), {"q": "山田"}).content.decode()
    assert (TARO in body) is found
    assert ("該当する方は見つかりませんでした。" in body) is not found


def test_anonymous_search_is_not_audited(people: None, as_user: Callable[..., object]) -> None:
    """An anonymous search goes to the login page before any lookup or audit."""
    before = AuditEvent.objects.count()
    response = as_user(None).get(reverse("people:search"), {"q": "山田"})  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before
