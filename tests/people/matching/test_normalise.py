"""Japanese normalisation: the keys two registrations of one person share."""

from __future__ import annotations

from datetime import date

import jntajis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib import kanji
from tomoni.lib.wareki import WarekiError
from tomoni.people.matching import normalise as n


@pytest.mark.parametrize(
    ("variant", "standard"),
    [
        ("髙", "高"),
        ("﨑", "崎"),
        ("邊", "辺"),
        ("邉", "辺"),
        ("齋", "斎"),
        ("濵", "浜"),
        ("濱", "浜"),
        ("冨", "富"),
        ("嶋", "島"),
        ("澤", "沢"),
        ("德", "徳"),
        ("嶌", "島"),
    ],
)
def test_variant_kanji_fold_to_the_common_form(variant: str, standard: str) -> None:
    """The family-register variants and their common form give one key."""
    assert n.fold_kanji(variant) == standard
    assert n.fold_kanji(standard) == standard
    assert n.name_key(f"見本{variant} 太郎") == n.name_key(f"見本{standard}太郎")


@pytest.mark.parametrize("char", ["玉", "王", "功", "切", "書", "昼", "着", "著"])
def test_different_common_kanji_are_not_folded(char: str) -> None:
    """The MJ tables also link everyday kanji (玉→王, 功→切); those are different names."""
    assert n.fold_kanji(char) == char


def test_explicit_table_only_lets_through_what_jntajis_proposes() -> None:
    """The explicit table holds common kanji only (the rest is jntajis's), and each target
    is among jntajis's own candidates: the table widens nothing."""
    for variant, standard in kanji.VARIANTS_OF_COMMON.items():
        assert kanji._jis_level(variant) == 1
        assert standard in jntajis.mj_shrink_candidates(variant, kanji._COMBO)


def test_compatibility_ideographs_fold_via_nfkc() -> None:
    assert n.name_key("\uf9dc") == n.name_key("隆")


@pytest.mark.parametrize("kana", ["ユーコ", "ゆうこ", "ﾕｳｺ", "ユウコ", "ゆこ", "ﾕｰｺ"])
def test_kana_scripts_and_long_vowels_fold(kana: str) -> None:
    assert n.kana_fold(kana) == "ゆこ"


def test_small_kana_fold_for_legacy_systems() -> None:
    """キヨウコ (no small kana) and キョウコ are the same."""
    assert n.kana_fold("キヨウコ") == n.kana_fold("きょうこ") == n.kana_fold("ｷｮｰｺ")


def test_kana_parts_split_at_a_space_of_any_width() -> None:
    assert n.kana_parts("ミホン　タロウ") == ("みほん", "たろ")
    assert n.kana_parts("みほんたろう") == ("みほんたろ", "")
    assert n.name_parts("髙橋 一郎") == ("高橋", "一郎")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-19", date(2026, 2, 19)),
        ("2026/2/19", date(2026, 2, 19)),
        ("2026年2月19日", date(2026, 2, 19)),
        ("令和8年2月19日", date(2026, 2, 19)),
        ("R8.2.19", date(2026, 2, 19)),
        ("S50.4.3", date(1975, 4, 3)),
        ("２０２６／２／１９", date(2026, 2, 19)),
        ("", None),
        ("　", None),
    ],
)
def test_birthdates_in_every_format(text: str, expected: date | None) -> None:
    assert n.parse_birthdate(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "昭和65年1月1日", "きのう", "19/2/2026"])
def test_unreadable_birthdates_raise_a_japanese_message(text: str) -> None:
    with pytest.raises(WarekiError, match=r"日付|年"):
        n.parse_birthdate(text)


@pytest.mark.parametrize(
    "address",
    [
        "稲城市東長沼3-5-7",
        "東京都稲城市東長沼三丁目５番地７号",
        "稲城市東長沼3丁目5番7号",
        "稲城市東長沼３－５－７",
        "稲城市東長沼3ー5ー7",
        "稲城市東長沼3‐5‐7　見本ハイツ201",
        "稲城市東長沼3の5の7 見本ハイツ201号室",
        "稲城市 東長沼 3-5-7",
    ],
)
def test_address_forms_give_one_key(address: str) -> None:
    assert n.address_key(address) == "稲城市東長沼3-5-7"
    assert n.area_key(address) == "稲城市東長沼3"


def test_building_is_kept_apart() -> None:
    assert n.split_address("稲城市東長沼三丁目5番7号　見本ハイツ２０１") == (
        "稲城市東長沼3-5-7",
        "見本ハイツ201",
    )
    assert n.split_address("") == ("", "")


def test_place_names_with_kanji_numerals_stay() -> None:
    """Only numbers before 丁目/番地/号 are converted: 八王子 and 三鷹 are names."""
    assert n.address_key("八王子市三鷹町二丁目3番") == "八王子市三鷹町2-3"


@pytest.mark.parametrize(
    ("text", "value"), [("二十三", 23), ("百五", 105), ("十", 10), ("一〇五", 105)]
)
def test_kanji_numbers(text: str, value: int) -> None:
    assert n.kanji_number(text) == value


@pytest.mark.parametrize(
    "phone", ["042-378-2111", "０４２－３７８－２１１１", "(042)378-2111", "042 378 2111"]
)
def test_phones_keep_digits_only(phone: str) -> None:
    assert n.phone_key(phone) == "0423782111"


@pytest.mark.parametrize(
    ("text", "key"), [("男", "M"), ("女性", "F"), ("male", "M"), ("F", "F"), ("不明", ""), ("", "")]
)
def test_sex(text: str, key: str) -> None:
    assert n.sex_key(text) == key


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="あいうえおかきくけこゃゅょっーアイウエオァィｱｲｳｰ　 ", max_size=12))
def test_kana_fold_is_idempotent(text: str) -> None:
    assert n.kana_fold(n.kana_fold(text)) == n.kana_fold(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="見本髙高﨑崎邊邉辺齋斎濵浜冨富嶋島澤沢太郎 　ｱ", max_size=10))
def test_name_key_is_idempotent_and_variant_blind(text: str) -> None:
    key = n.name_key(text)
    assert n.name_key(key) == key
    assert n.name_key(text.replace("高", "髙").replace("崎", "﨑")) == key


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 99),
    st.integers(1, 99),
    st.sampled_from(["{c}-{b}-{g}", "{c}丁目{b}番{g}号", "{c}丁目{b}番地{g}", "{c}ー{b}ー{g}"]),
)
def test_address_key_ignores_the_notation(c: int, b: int, g: int, form: str) -> None:
    text = "稲城市見本町" + form.format(c=c, b=b, g=g)
    assert n.address_key(text) == f"稲城市見本町{c}-{b}-{g}"
    assert n.address_key(n.address_key(text)) == n.address_key(text)
