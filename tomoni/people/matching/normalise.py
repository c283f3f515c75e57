"""Japanese normalisation for 名寄せ: the keys two registrations of one person share.

Every function is pure and cheap (used per keystroke at intake) and returns "" for "not
recorded", which the model treats as unknown rather than as a disagreement.
"""

from __future__ import annotations

import re
from datetime import date

import jaconv

from tomoni.lib import textnorm
from tomoni.lib.kanji import fold_kanji, fold_variants
from tomoni.lib.wareki import WarekiError, parse_date

# ---------------------------------------------------------------- names and ふりがな

_SPACES = re.compile(r"[\s・·]+")
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_OLD_KANA = str.maketrans("ゐゑをぢづゔ", "いえおじずぶ")
_VOWEL_ROWS = {
    "あ": "あかさたなはまやらわがざだばぱ",
    "い": "いきしちにひみりぎじぢびぴ",
    "う": "うくすつぬふむゆるぐずづぶぷ",
    "え": "えけせてねへめれげぜでべぺ",
    "お": "おこそとのほもよろをごぞどぼぽ",
}
_VOWEL_OF = {k: v for v, row in _VOWEL_ROWS.items() for k in row}


def _split(s: str) -> tuple[str, str]:
    """(family, given) when typed with a space between them, else (whole, "")."""
    parts = [p for p in _SPACES.split(textnorm.nfkc(s).strip()) if p]
    if len(parts) >= 2:
        return parts[0], "".join(parts[1:])
    return ("".join(parts), "")


def name_key(s: str) -> str:
    """氏名 for comparison: NFKC, no spaces, 異体字 folded, kana as hiragana."""
    return fold_variants(textnorm.name_key(s))


def kana_fold(s: str) -> str:
    """ふりがな for comparison: hiragana, large kana, long vowels folded.

    Legacy systems lack small kana (キヨウコ for キョウコ) and staff write long vowels either
    way (ユーコ, ユウコ, ユコ), so all of those give the same key: ゆこ.
    """
    s = textnorm.kana_key(s).translate(_SMALL).translate(_OLD_KANA)
    out: list[str] = []
    for c in s:
        prev = out[-1] if out else ""
        vowel = _VOWEL_OF.get(prev, "")
        if c == "ー" and prev:
            continue
        if vowel and (c == vowel or (vowel == "お" and c == "う") or (vowel == "え" and c == "い")):
            continue
        out.append(c)
    return "".join(out)


def name_parts(s: str) -> tuple[str, str]:
    """(family, given) name keys when the name was typed with a space; given may be ""."""
    family, given = _split(s)
    return name_key(family), name_key(given)


def kana_parts(s: str) -> tuple[str, str]:
    """(family, given) ふりがな keys when typed with a space; given may be ""."""
    family, given = _split(jaconv.kata2hira(textnorm.nfkc(s)))
    return kana_fold(family), kana_fold(given)


# ---------------------------------------------------------------- dates, sex, phones


def parse_birthdate(s: str) -> date | None:
    """2026-02-19, 2026/2/19, 2026年2月19日, 令和8年2月19日, R8.2.19, S50.4.3 → date.

    Blank → None. Anything else raises WarekiError with a Japanese message.
    """
    text = textnorm.nfkc(s or "").strip()
    if not text:
        return None
    return parse_date(text)


def date_key(d: date | None) -> str:
    """YYYYMMDD, or "" when unknown."""
    return "" if d is None else d.strftime("%Y%m%d")


_SEX = {
    "男": "M",
    "男性": "M",
    "m": "M",
    "male": "M",
    "1": "M",
    "女": "F",
    "女性": "F",
    "f": "F",
    "female": "F",
    "2": "F",
}


def sex_key(s: str) -> str:
    """'M', 'F' or '' (unknown or other: never a reason against a match)."""
    return _SEX.get(textnorm.nfkc(s or "").strip().lower(), "")


def phone_key(s: str) -> str:
    """Digits only: ０４２－３７８－２１１１, (042)378-2111 → 0423782111."""
    return textnorm.digits_only(s or "")


# ---------------------------------------------------------------- addresses

_PREFECTURE = re.compile(
    r"^(北海道|東京都|京都府|大阪府|"
    r"(青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|"
    r"山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|"
    r"香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)"
)
_KANSUJI = "〇一二三四五六七八九"
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千]+(?=丁目|番地|番|号|の|-)")
_ADDRESS_DASHES = re.compile(r"(?<=[0-9])\s*[-‐‑‒–—―−ーｰ－の]\s*(?=[0-9])")
_UNITS = re.compile(r"(?<=[0-9])\s*(丁目|番地の?|番|号室|号)\s*")
_BLOCK = re.compile(r"^(?P<base>.*?[0-9]+(?:-[0-9]+){0,2})(?P<rest>.*)$")
_HEAD_SPACES = re.compile(r"\s+")


def kanji_number(s: str) -> int:
    """二十三 → 23, 百五 → 105, 一〇五 → 105 (digit by digit when there is no 十百千)."""
    if not any(c in "十百千" for c in s):
        return int("".join(str(_KANSUJI.index(c)) for c in s))
    total, current = 0, 0
    for c in s:
        if c in _KANSUJI:
            current = _KANSUJI.index(c)
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (current or 1) * unit
            current = 0
    return total + current


def split_address(s: str) -> tuple[str, str]:
    """(address key, building) — 東京都稲城市東長沼三丁目５番地７号　見本ハイツ２０１
    → ("稲城市東長沼3-5-7", "見本ハイツ201").

    NFKC (full-width digits), 漢数字 before 丁目/番地/号 as digits, every hyphen variant and
    丁目/番地/番/号/の between numbers as "-", the prefecture dropped (often left out), 異体字
    folded; whatever follows the block number is the building, kept apart because it is the
    part most often left out or abbreviated.
    """
    text = textnorm.nfkc(s or "").strip()
    if not text:
        return "", ""
    text = _KANJI_NUMBER.sub(lambda m: str(kanji_number(m[0])), text)
    text = _ADDRESS_DASHES.sub("-", text)
    text = _UNITS.sub(lambda m: "" if m[1] == "号" else m[1] if m[1] == "号室" else "-", text)
    text = _ADDRESS_DASHES.sub("-", text)
    text = _PREFECTURE.sub("", text)
    m = _BLOCK.match(text)
    if m is None:
        return fold_variants(_HEAD_SPACES.sub("", text)), ""
    base = _HEAD_SPACES.sub("", m["base"]).rstrip("-")
    building = _HEAD_SPACES.sub("", m["rest"]).strip("-").removesuffix("号室")
    return fold_variants(base), fold_variants(building)


def address_key(s: str) -> str:
    """The address key without the building (see split_address)."""
    return split_address(s)[0]


def area_key(s: str) -> str:
    """The address key up to the 丁目 (first number): the same neighbourhood."""
    base = address_key(s)
    m = re.match(r"^(.*?[0-9]+)", base)
    return m[1] if m else base


__all__ = [
    "WarekiError",
    "address_key",
    "area_key",
    "date_key",
    "fold_kanji",
    "fold_variants",
    "kana_fold",
    "kana_parts",
    "kanji_number",
    "name_key",
    "name_parts",
    "parse_birthdate",
    "phone_key",
    "sex_key",
    "split_address",
]
