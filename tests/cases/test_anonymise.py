"""The anonymiser for 事例共有: the register first, patterns second."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tomoni.cases.anonymise import Register, Someone, anonymise, folded

REGISTER = Register(
    people=(
        Someone("本人", "見本", "一郎", "みほん", "いちろう", date(1972, 3, 3), ("090-1234-5678",)),
        Someone("母", "見本", "幸子", "みほん", "さちこ", date(1944, 5, 5)),
        Someone("長女", "髙橋", "愛", "たかはし", "あい"),
        Someone("孫", "試野", "進", "ためしの", "すすむ"),
    ),
    addresses=("稲城市東長沼3丁目12番5号 見本ハイツ201",),
    phones=("042-377-1111",),
    names=(("稲城市地域包括支援センター", "A機関"), ("社協", "B機関")),
    towns=("東長沼", "稲城市"),
)


@pytest.mark.parametrize(
    "written",
    [
        "見本一郎",
        "見本 一郎",
        "見本　一郎",
        "ﾐﾎﾝ ｲﾁﾛｳ",
        "ミホン イチロウ",
        "みほんいちろう",
        "一郎さん",
        "見本さん",
        "イチロウくん",
        "高橋愛",  # 異体字: the register says 髙橋
        "愛さん",
        "愛が",
        "あいちゃん",
        "進は",
    ],
)
def test_every_way_of_writing_a_name_is_replaced(written: str) -> None:
    out = anonymise(f"本日、{written}と面談。", REGISTER)
    name = re.sub(r"(さん|くん|ちゃん|が|は)$", "", written)
    assert folded(name) not in folded(out), out


def test_short_names_inside_ordinary_words_are_left() -> None:
    """A one-kanji or two-kana name is replaced where it stands as a name only."""
    out = anonymise("話を進める。愛着がある。あいさつができる。", REGISTER)
    assert out == "話を進める。愛着がある。あいさつができる。"


def test_labels_replace_names_and_the_rest_stays_as_written() -> None:
    out = anonymise("見本一郎さんは母の見本幸子と暮らす。社協が訪問（４月）。", REGISTER)
    assert out == "本人は母の母と暮らす。B機関が訪問（４月）。"


@pytest.mark.parametrize(
    "written",
    [
        "東長沼3丁目12番5号",
        "東長沼３－１２－５",
        "東長沼三丁目12-5",
        "稲城市東長沼3-12",
        "見本ハイツ201号室",
    ],
)
def test_addresses_are_replaced(written: str) -> None:
    out = anonymise(f"住まいは{written}です。", REGISTER)
    assert out.startswith("住まいは（住所）") and "12" not in out and "ハイツ" not in out


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("０９０－１２３４－５６７８", "（電話番号）"),
        ("09012345678", "（電話番号）"),
        ("042(377)1111", "（電話番号）"),
        ("03-1234-5678", "（電話番号）"),  # not in the register: the pattern layer
        ("昭和47年3月3日", "（生年月日）"),
        ("S47.3.3", "（生年月日）"),
        ("1944/5/5", "（生年月日）"),
        ("〒206-0804", "（郵便番号）"),
    ],
)
def test_numbers_from_the_register_and_patterns(written: str, expected: str) -> None:
    assert anonymise(f"連絡先 {written} を確認。", REGISTER) == f"連絡先 {expected} を確認。"


def test_dates_that_are_not_birth_dates_stay() -> None:
    """Visit dates are the case's history; only birth dates (by the register or by the
    words around them) go."""
    text = "令和8年4月1日に訪問。1990年1月2日生まれの知人がいる。"
    assert anonymise(text, REGISTER) == "令和8年4月1日に訪問。（生年月日）生まれの知人がいる。"


def test_empty_text_and_empty_register() -> None:
    assert anonymise("", REGISTER) == ""
    assert anonymise("見本一郎さん", Register()) == "見本一郎さん"
