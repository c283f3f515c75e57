"""The model's comparisons, written once for DuckDB SQL and once for Python.

Each comparison level has an SQL condition (Splink evaluates it in DuckDB) and a Python
predicate (the scorer evaluates it at intake) that must decide the same; the tests check
that both give the same probability. Levels are tried in order, first match wins, like a
SQL CASE; the first level of each comparison is its "nothing to compare" (null) level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tomoni.lib import textnorm

from . import normalise as n
from .records import Record


@dataclass(frozen=True, slots=True)
class Prepared:
    """A Record's comparison keys; None means not recorded (NULL in DuckDB)."""

    unique_id: str
    name_f: str | None  # 氏名, 異体字 folded, no spaces
    giv_n: str | None  # given name, when typed after a space
    kana_f: str | None  # ふりがな folded
    giv_k: str | None
    dob: str | None  # YYYYMMDD
    sex: str | None  # M / F
    addr: str | None  # address up to the 号, no building
    area: str | None  # address up to the 丁目
    phone: str | None  # digits only


COLUMNS = tuple(Prepared.__slots__)


def _v(s: str) -> str | None:
    return s or None


def prepare(r: Record) -> Prepared:
    """The keys of one record (see normalise.py for each)."""
    _, giv_n = n.name_parts(r.name)
    _, giv_k = n.kana_parts(r.kana)
    phone = n.phone_key(r.phone)
    return Prepared(
        unique_id=r.record_id,
        name_f=_v(n.name_key(r.name)),
        giv_n=_v(giv_n),
        kana_f=_v(n.kana_fold(r.kana)),
        giv_k=_v(giv_k),
        dob=_v(n.date_key(r.birthdate)),
        sex=_v(n.sex_key(r.sex)),
        addr=_v(n.address_key(r.address)),
        area=_v(n.area_key(r.address)),
        # Fewer than 6 digits is not a phone number anyone can be reached at.
        phone=phone if len(phone) >= 6 else None,
    )


def levenshtein(a: str, b: str) -> int:
    """Edit distance in characters, as DuckDB's levenshtein()."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# Python counterparts of the SQL building blocks below.
def _eq(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a == b


def _null(a: str | None, b: str | None) -> bool:
    return a is None or b is None


def _lev1(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and levenshtein(a, b) <= 1


def _ne(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def _eq_sql(c: str) -> str:
    return f"({c}_l = {c}_r)"


def _null_sql(c: str) -> str:
    return f"({c}_l IS NULL OR {c}_r IS NULL)"


def _lev1_sql(c: str) -> str:
    return f"(levenshtein({c}_l, {c}_r) <= 1)"


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _other_given(x: str | None, y: str | None) -> bool:
    """Given names that share nothing in place (翔/蓮, 太郎/花子): not a typo of each other."""
    return _ne(x, y) and levenshtein(x or "", y or "") >= min(len(x or ""), len(y or ""))


def _other_given_sql(c: str) -> str:
    return f"({c}_l <> {c}_r AND levenshtein({c}_l, {c}_r) >= least(length({c}_l), length({c}_r)))"


def _other_rest(a: str | None, b: str | None) -> bool:
    """Same start (the surname, typed without a space) and then nothing in common:
    標本川清 / 標本川湊, 模範原太郎 / 模範原浩. One edit apart (見本太郎 / 見本大郎) is not."""
    if a is None or b is None:
        return False
    p = _common_prefix(a, b)
    x, y = a[p:], b[p:]
    return p >= 1 and bool(x) and bool(y) and levenshtein(x, y) >= min(len(x), len(y))


def _other_rest_sql(c: str) -> str:
    p = (
        f"len(list_filter(range(1, least(length({c}_l), length({c}_r)) + 1),"
        f" lambda i: substr({c}_l, 1, i) = substr({c}_r, 1, i)))"
    )
    x, y = f"substr({c}_l, {p} + 1)", f"substr({c}_r, {p} + 1)"
    return (
        f"({p} >= 1 AND length({x}) >= 1 AND length({y}) >= 1"
        f" AND levenshtein({x}, {y}) >= least(length({x}), length({y})))"
    )


Pred = Callable[[Prepared, Prepared], bool]


@dataclass(frozen=True)
class Level:
    label: str  # label_for_charts in the model JSON: the key the scorer matches levels by
    sql: str
    test: Pred
    is_null: bool = False
    tf_column: str | None = None
    fixed_m: float | None = None  # set by knowledge, not by EM (see the level)


@dataclass(frozen=True)
class Comparison:
    column: str  # output_column_name
    levels: tuple[Level, ...]


def _simple(column: str, *, typo: bool = False) -> Comparison:
    def null(a: Prepared, b: Prepared) -> bool:
        return _null(getattr(a, column), getattr(b, column))

    def eq(a: Prepared, b: Prepared) -> bool:
        return _eq(getattr(a, column), getattr(b, column))

    levels = [
        Level(f"{column} null", _null_sql(column), null, is_null=True),
        Level(f"{column} exact", _eq_sql(column), eq),
    ]
    if typo:
        levels.append(
            Level(
                f"{column} one edit",
                _lev1_sql(column),
                lambda a, b: _lev1(getattr(a, column), getattr(b, column)),
            )
        )
    levels.append(Level(f"{column} else", "ELSE", lambda a, b: True))
    return Comparison(column, tuple(levels))


def _name_null(a: Prepared, b: Prepared) -> bool:
    return _null(a.name_f, b.name_f) and _null(a.kana_f, b.kana_f)


def _name_exact(a: Prepared, b: Prepared) -> bool:
    return (_eq(a.name_f, b.name_f) or _null(a.name_f, b.name_f)) and (
        _eq(a.kana_f, b.kana_f) or _null(a.kana_f, b.kana_f)
    )


def _name_one_typo(a: Prepared, b: Prepared) -> bool:
    return (_eq(a.name_f, b.name_f) and _lev1(a.kana_f, b.kana_f)) or (
        _eq(a.kana_f, b.kana_f) and _lev1(a.name_f, b.name_f)
    )


NAME = Comparison(
    "name",
    (
        Level("name null", f"{_null_sql('name_f')} AND {_null_sql('kana_f')}", _name_null, True),
        Level(
            "name exact",
            f"({_eq_sql('name_f')} OR {_null_sql('name_f')})"
            f" AND ({_eq_sql('kana_f')} OR {_null_sql('kana_f')})",
            _name_exact,
            tf_column="name_f",
        ),
        Level(
            "name one typo",
            f"({_eq_sql('name_f')} AND {_lev1_sql('kana_f')})"
            f" OR ({_eq_sql('kana_f')} AND {_lev1_sql('name_f')})",
            _name_one_typo,
        ),
        Level(
            "given name exact",
            f"{_eq_sql('giv_n')} OR {_eq_sql('giv_k')}",
            lambda a, b: _eq(a.giv_n, b.giv_n) or _eq(a.giv_k, b.giv_k),
        ),
        # Given names that have nothing in common (翔/蓮, 太郎/花子), whether typed after a
        # space or after the same surname: siblings, twins, a parent. Before "name similar",
        # since twins with one-kanji names are one edit apart. EM cannot learn how rare this
        # is among matches, because twins agree on everything else and look like matches to
        # it; so m is fixed.
        Level(
            "given name differs",
            f"{_other_given_sql('giv_n')} OR {_other_given_sql('giv_k')}"
            f" OR {_other_rest_sql('name_f')} OR {_other_rest_sql('kana_f')}",
            lambda a, b: (
                _other_given(a.giv_n, b.giv_n)
                or _other_given(a.giv_k, b.giv_k)
                or _other_rest(a.name_f, b.name_f)
                or _other_rest(a.kana_f, b.kana_f)
            ),
            fixed_m=0.00001,
        ),
        # One edit in one field and nothing to check it against in the other. One edit in
        # both is what siblings look like (太郎/次郎, たろう/じろう), so it is not here.
        Level(
            "name similar",
            f"({_lev1_sql('name_f')} AND {_null_sql('kana_f')})"
            f" OR ({_lev1_sql('kana_f')} AND {_null_sql('name_f')})",
            lambda a, b: (
                (_lev1(a.name_f, b.name_f) and _null(a.kana_f, b.kana_f))
                or (_lev1(a.kana_f, b.kana_f) and _null(a.name_f, b.name_f))
            ),
        ),
        Level("name else", "ELSE", lambda a, b: True),
    ),
)

# Address and phone in one comparison: household members share both, and counting them as
# two independent agreements would let a household's twins outscore their different names.
CONTACT = Comparison(
    "contact",
    (
        Level(
            "contact null",
            f"{_null_sql('addr')} AND {_null_sql('phone')}",
            lambda a, b: _null(a.addr, b.addr) and _null(a.phone, b.phone),
            True,
        ),
        Level(
            "address and phone exact",
            f"{_eq_sql('addr')} AND {_eq_sql('phone')}",
            lambda a, b: _eq(a.addr, b.addr) and _eq(a.phone, b.phone),
        ),
        Level(
            "address or phone exact",
            f"{_eq_sql('addr')} OR {_eq_sql('phone')}",
            lambda a, b: _eq(a.addr, b.addr) or _eq(a.phone, b.phone),
        ),
        Level("area exact", _eq_sql("area"), lambda a, b: _eq(a.area, b.area)),
        Level("contact else", "ELSE", lambda a, b: True),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (
    NAME,
    _simple("dob", typo=True),
    _simple("sex"),
    CONTACT,
)

# Pairs the batch engine compares at all. All but the first two survive a surname change
# (marriage): the given name (typed after a space, or the name's last two characters) with
# the birthdate; birthdate and phone or address; the given name's kana and the phone when
# the birthdate is unknown.
BLOCKING_RULES: tuple[str, ...] = (
    "l.name_f = r.name_f",
    "l.kana_f = r.kana_f",
    "l.dob = r.dob AND l.giv_k = r.giv_k",
    "l.dob = r.dob AND l.giv_n = r.giv_n",
    "l.dob = r.dob AND right(l.name_f, 2) = right(r.name_f, 2)",
    "l.dob = r.dob AND l.phone = r.phone",
    "l.dob = r.dob AND l.addr = r.addr",
    "l.phone = r.phone AND l.giv_k = r.giv_k",
)


def level_index(comparison: Comparison, a: Prepared, b: Prepared) -> int:
    """Which level of comparison the pair falls in (first true test, like SQL CASE)."""
    for i, level in enumerate(comparison.levels):
        if level.test(a, b):
            return i
    return len(comparison.levels) - 1


# ---------------------------------------------------------------- reasons shown to staff


def reasons(ra: Record, rb: Record, a: Prepared, b: Prepared) -> dict[str, str]:
    """Field label → a short Japanese explanation of how the two records compare."""
    out: dict[str, str] = {}
    if _null(a.name_f, b.name_f):
        out["氏名"] = "記録なし"
    elif _eq(a.name_f, b.name_f):
        # As typed, up to width, kana and spaces (kana_key), before 異体字 folding.
        same = textnorm.kana_key(ra.name) == textnorm.kana_key(rb.name)
        out["氏名"] = "一致" if same else "一致(異体字を同一視)"
    elif _eq(a.giv_n, b.giv_n):
        out["氏名"] = "名が一致(姓が異なる)"
    elif _other_given(a.giv_n, b.giv_n) or _other_rest(a.name_f, b.name_f):
        out["氏名"] = "名が異なる"
    elif _lev1(a.name_f, b.name_f):
        out["氏名"] = "1文字違い"
    else:
        out["氏名"] = "不一致"
    if _null(a.kana_f, b.kana_f):
        out["ふりがな"] = "記録なし"
    elif _eq(a.kana_f, b.kana_f):
        same = textnorm.kana_key(ra.kana) == textnorm.kana_key(rb.kana)
        out["ふりがな"] = "一致" if same else "一致(長音・小書きの違いを同一視)"
    elif _eq(a.giv_k, b.giv_k):
        out["ふりがな"] = "名が一致(姓が異なる)"
    elif _other_given(a.giv_k, b.giv_k) or _other_rest(a.kana_f, b.kana_f):
        out["ふりがな"] = "名が異なる"
    elif _lev1(a.kana_f, b.kana_f):
        out["ふりがな"] = "1文字違い"
    else:
        out["ふりがな"] = "不一致"
    out["生年月日"] = _plain(a.dob, b.dob, typo=True)
    out["性別"] = _plain(a.sex, b.sex)
    if not _null(a.addr, b.addr) and not _eq(a.addr, b.addr) and _eq(a.area, b.area):
        out["住所"] = "丁目まで一致"
    else:
        out["住所"] = _plain(a.addr, b.addr)
    out["電話"] = _plain(a.phone, b.phone)
    return out


def _plain(x: str | None, y: str | None, *, typo: bool = False) -> str:
    if _null(x, y):
        return "記録なし"
    if _eq(x, y):
        return "一致"
    if typo and _lev1(x, y):
        return "1文字違い"
    return "不一致"
