"""Japanese text normalisation: input cleanup and the keys that search compares."""

from __future__ import annotations

import re
import unicodedata

import jaconv

from tomoni.lib.kanji import fold_variants

# Spaces and the middle dots used between given and family names (ジョン・スミス, ジョン·スミス).
_SEPARATORS = re.compile(r"[\s・·]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
# Hiragana letters (ぁ–ゖ), the iteration marks ゝゞ, and the long-vowel mark.
_KANA_ONLY = re.compile(r"[\u3041-\u3096\u309d\u309eー]+")


# Dashes that IMEs in 全角 mode type for "-" in numbers and dates; NFKC folds only "－".
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))


def unify_dashes(s: str) -> str:
    """Every dash-like character → "-". For numbers and dates only: kana keep their ー."""
    return s.translate(_DASHES)


def nfkc(s: str) -> str:
    """Unicode NFKC: full-width ASCII → ASCII, half-width katakana → full-width."""
    return unicodedata.normalize("NFKC", s)


def normalize_text(s: str) -> str:
    """General input cleanup: NFKC, every run of whitespace (incl. U+3000) → one space, strip."""
    return " ".join(nfkc(s).split())


def _fold(s: str) -> str:
    s = _SEPARATORS.sub("", jaconv.kata2hira(nfkc(s)).lower())
    # NFKC turns a spacing voicing mark into "space + combining mark" (カ゛ → カ ゙); once the
    # space is gone, composing again gives が, and applying the key twice changes nothing.
    return nfkc(s)


def kana_key(s: str) -> str:
    """Search key for ふりがな: ヤマダ　タロウ, やまだ たろう and ﾔﾏﾀﾞ ﾀﾛｳ all give やまだたろう."""
    return _fold(s)


def name_key(s: str) -> str:
    """Search key for 氏名: no spaces or dots, kana as hiragana, so 山田　太郎 = 山田太郎.

    Beyond kana_key's folding, 異体字 become their standard form (髙橋 = 高橋, 渡邊 = 渡辺),
    which must not touch ふりがな.
    """
    return fold_variants(_fold(s))


def digits_only(s: str) -> str:
    """Only the ASCII digits, after NFKC: ０４２-３７８-２１１１ → 0423782111."""
    return _NOT_DIGIT.sub("", nfkc(s))


def is_kana(s: str) -> bool:
    """True when s is non-empty ふりがな: only kana, long-vowel marks, spaces and dots."""
    return _KANA_ONLY.fullmatch(kana_key(s)) is not None
