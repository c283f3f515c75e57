"""和暦 (Japanese era dates): parse what staff type, format what they read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from .textnorm import unify_dashes


@dataclass(frozen=True, slots=True)
class Era:
    """One 元号: its kanji name, the letter used in short forms, and its first day."""

    name: str
    letter: str
    start: date


# 明治 starts on the day of the 改元 (1868-10-23, Gregorian). Dates before 1873 were
# officially lunisolar; like every municipal system we map them on the proleptic Gregorian
# calendar, which only matters for nobody alive.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("令和", "R", date(2019, 5, 1)),
)

_ERA_BY_KEY: dict[str, Era] = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}
# Last day of each era but the current one.
_ERA_END: dict[str, date] = {era.name: nxt.start - timedelta(days=1) for era, nxt in pairwise(ERAS)}

_HINT = "（例: 令和8年2月19日、R8.2.19、2026-02-19）"

_DATE_TAIL = (
    r"\s*(?:年\s*(?P<m1>[0-9]{1,2})\s*月\s*(?P<d1>[0-9]{1,2})\s*日"
    r"|(?P<sep>[./-])\s*(?P<m2>[0-9]{1,2})\s*(?P=sep)\s*(?P<d2>[0-9]{1,2}))"
)
_ERA_RE = re.compile(
    r"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*(?P<y>元|[0-9]{1,3})" + _DATE_TAIL
)
_WESTERN_RE = re.compile(r"(?P<y>[0-9]{4})" + _DATE_TAIL)
_COMPACT_RE = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")


class WarekiError(ValueError):
    """A date that cannot be read or written as 和暦; the message is shown to staff."""


def _year_label(year: int) -> str:
    return "元" if year == 1 else str(year)


def _era_year(era: Era, d: date) -> int:
    return d.year - era.start.year + 1


def _make_date(y: int, m: int, d: int, shown: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise WarekiError(f"日付として正しくありません: {shown}") from None


def _from_era(era: Era, year: int, month: int, day: int) -> date:
    if year < 1:
        raise WarekiError(f"{era.name}{year}年という年はありません")
    shown = f"{era.name}{_year_label(year)}年{month}月{day}日"
    end = _ERA_END.get(era.name)
    # Check the year first so 平成32年 gets the clearer message even on an invalid day.
    if end is not None and year > _era_year(era, end):
        raise WarekiError(f"{era.name}{year}年は存在しません{_until(era, end)}")
    result = _make_date(era.start.year + year - 1, month, day, shown)
    if result < era.start:
        since = f"（{era.name}は元年{era.start.month}月{era.start.day}日から）"
        raise WarekiError(f"{shown}は存在しません{since}")
    if end is not None and result > end:
        raise WarekiError(f"{shown}は存在しません{_until(era, end)}")
    return result


def _until(era: Era, end: date) -> str:
    return f"（{era.name}は{_year_label(_era_year(era, end))}年{end.month}月{end.day}日まで）"


def parse_date(text: str) -> date:
    """Read a date typed as 和暦 (令和8年2月19日, R8.2.19) or 西暦 (2026-02-19, 20260219)."""
    # NFKC makes full-width digits/letters ASCII and splits ㋿/㍻ into 令和/平成.
    s = unify_dashes(unicodedata.normalize("NFKC", text)).strip()
    if not s:
        raise WarekiError("日付を入力してください")
    if m := _ERA_RE.fullmatch(s.upper()):
        era = _ERA_BY_KEY[m["era"]]
        year = 1 if m["y"] == "元" else int(m["y"])
        return _from_era(era, year, int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"]))
    if m := _WESTERN_RE.fullmatch(s):
        y, mo, d = int(m["y"]), int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"])
    elif m := _COMPACT_RE.fullmatch(s):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    else:
        raise WarekiError(f"日付の形式が分かりません: {text.strip()}{_HINT}")
    return _make_date(y, mo, d, f"{y}年{mo}月{d}日")


def parse_date_or_none(text: str | None) -> date | None:
    """Like parse_date, but blank (or None) means "no date" instead of an error."""
    if text is None or not unicodedata.normalize("NFKC", text).strip():
        return None
    return parse_date(text)


def era_of(d: date) -> Era:
    """The era in force on d."""
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise WarekiError(f"明治より前の日付は和暦で表せません: {d.isoformat()}")


def to_wareki(d: date, *, short: bool = False) -> str:
    """令和8年2月19日 (year 1 as 元年), or R8.2.19 when short."""
    era = era_of(d)
    year = _era_year(era, d)
    if short:
        return f"{era.letter}{year}.{d.month}.{d.day}"
    return f"{era.name}{_year_label(year)}年{d.month}月{d.day}日"


def format_month(d: date) -> str:
    """令和8年12月: a month, for tables counted by month."""
    era = era_of(d)
    return f"{era.name}{_year_label(_era_year(era, d))}年{d.month}月"


def format_date(d: date | None) -> str:
    """The display form used across the UI: long 和暦, or '' when there is no date."""
    return "" if d is None else to_wareki(d)


def age_on(birth: date, on: date) -> int:
    """Completed years on `on`, counting up on the birthday.

    Someone born on 2/29 turns a year older on 3/1 in common years, which is also what
    年齢計算ニ関スル法律 gives (the age is reached at the end of the day before, 2/28).
    """
    if on < birth:
        raise ValueError("生年月日が基準日より後です")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
