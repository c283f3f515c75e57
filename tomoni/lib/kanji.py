"""異体字 (variant kanji) folding for names: 髙→高, 﨑→崎, 邊/邉→辺, 齋→斎, 濵→浜, 澤→沢 …

Used by the search keys (tomoni.lib.textnorm.name_key) and by 名寄せ, so that a person
registered as 髙橋 is found by typing 高橋 and the other way round.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import jntajis

_COMBO = (
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)

# Common (JIS 第1水準) kanji are never folded by the MJ tables: those tables also link
# everyday characters that are different names (玉→王, 功→切, 書→昼, 着→著). Only these
# pairs, which the family-register scheme proposes too and which name registers treat as
# one name, are let through. Every other fold comes from jntajis (髙→高, 﨑→崎, 邊/邉→辺,
# 齋→斎, 濵/濱→浜, 澤→沢, 嶌→島 …; the tests list them).
VARIANTS_OF_COMMON: dict[str, str] = {
    "冨": "富",
    "嶋": "島",
    "埜": "野",
    "峯": "峰",
    "曾": "曽",
    "瀧": "滝",
    "舘": "館",
    "薗": "園",
    "栢": "柏",
    "祢": "禰",
    "穐": "秋",
    "苅": "刈",
    "楳": "梅",
    "駈": "駆",
}


def _jis_level(c: str) -> int:
    """1 for JIS X 0208 第1水準, 2 for 第2水準, 3 for other CP932 kanji, 9 outside CP932."""
    try:
        b = c.encode("cp932")
    except UnicodeEncodeError:
        return 9
    if len(b) != 2:
        return 0
    v = int.from_bytes(b, "big")
    if 0x889F <= v <= 0x9872:
        return 1
    if 0x989F <= v <= 0xEAA4:
        return 2
    return 3


@lru_cache(maxsize=8192)
def fold_kanji(c: str) -> str:
    """One character's standard form: 髙→高, 﨑→崎, 邊/邉→辺, 齋→斎, 濵→浜, 澤→沢 …

    The MJ 縮退マップ (family-register scheme) gives candidates; the most common one (JIS
    level 1 first, then the table's order) wins. Level-1 kanji stay as they are except for
    VARIANTS_OF_COMMON, so ordinary different names never collapse. A few variants fold in
    two steps (𤁍→澀→渋): folding repeats until the form no longer changes, so a key folded
    twice is the key folded once.
    """
    for _ in range(4):
        folded = _fold_once(c)
        if folded == c:
            break
        c = folded
    return c


def _fold_once(c: str) -> str:
    if c in VARIANTS_OF_COMMON:
        return VARIANTS_OF_COMMON[c]
    if ord(c) < 0x3400 or _jis_level(c) <= 1:
        return c
    candidates = jntajis.mj_shrink_candidates(c, _COMBO)
    if not candidates:
        return c
    best = min(range(len(candidates)), key=lambda i: (_jis_level(candidates[i]), i))
    return VARIANTS_OF_COMMON.get(candidates[best], candidates[best])


def fold_variants(s: str) -> str:
    """fold_kanji over a whole string (after NFKC, which maps CJK compatibility forms)."""
    return "".join(fold_kanji(c) for c in unicodedata.normalize("NFKC", s))
