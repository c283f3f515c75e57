"""Labelled synthetic registrations for tests and benchmarks of 名寄せ.

Persons live in households; each person is registered once or several times, as different
agencies would: with 異体字, kana in any script and with long-vowel/small-kana variations,
dates and addresses in any format, typos, missing fields, a maiden surname, an old address.
Hard negatives come for free: household members share surname, address and phone; twins
share a birthdate too; namesakes share a full name. Every surname is obviously synthetic
(見本高, 試験崎 …): no generated record can be mistaken for a resident.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from tomoni.lib.synthetic_names import BUILDINGS, FEMALE, MALE
from tomoni.lib.wareki import to_wareki

from .records import Record

_PREFIXES = [
    ("見本", "みほん"),
    ("試験", "しけん"),
    ("仮", "かり"),
    ("例", "れい"),
    ("架空", "かくう"),
    ("模擬", "もぎ"),
    ("想定", "そうてい"),
    ("試作", "しさく"),
    ("演習", "えんしゅう"),
    ("標本", "ひょうほん"),
    ("練習", "れんしゅう"),
    ("試行", "しこう"),
    ("模範", "もはん"),
    ("検証", "けんしょう"),
    ("見習", "みならい"),
]
# Suffixes with a well-known 異体字 first, so that many surnames can be written two ways.
_SUFFIXES = [
    ("高", "たか"),
    ("崎", "さき"),
    ("辺", "べ"),
    ("斎", "さい"),
    ("浜", "はま"),
    ("富", "とみ"),
    ("島", "しま"),
    ("沢", "さわ"),
    ("田", "た"),
    ("山", "やま"),
    ("川", "かわ"),
    ("野", "の"),
    ("谷", "や"),
    ("村", "むら"),
    ("本", "もと"),
    ("井", "い"),
    ("木", "き"),
    ("原", "はら"),
    ("森", "もり"),
    ("岡", "おか"),
]
SURNAMES = [(p + s, pk + sk) for p, pk in _PREFIXES for s, sk in _SUFFIXES]
VARIANTS = {
    "高": "髙",
    "崎": "﨑",
    "辺": "邊邉",
    "斎": "齋",
    "浜": "濵",
    "富": "冨",
    "島": "嶋",
    "沢": "澤",
}
TOWNS = ["見本町", "試験台", "仮野", "例ヶ丘", "架空坂", "模擬原", "想定台", "演習町"]
# Wrong kanji of the same reading: the usual typo in a name, which leaves the kana alone.
_KANJI_TYPOS = {
    "太": "大",
    "郎": "朗",
    "子": "児",
    "美": "実",
    "一": "市",
    "健": "建",
    "浩": "弘",
    "恵": "惠",
    "和": "倭",
    "智": "知",
    "誠": "誡",
    "直": "真",
    "幸": "孝",
}
_KANA_LETTERS = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
)
_KANSUJI = "〇一二三四五六七八九"


@dataclass(frozen=True, slots=True)
class Person:
    entity: str
    household: str
    surname: tuple[str, str]
    given: tuple[str, str]
    sex: str
    birthdate: date
    maiden: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Household:
    key: str
    town: str
    block: tuple[int, int, int]
    building: str
    phone: str


@dataclass(frozen=True, slots=True)
class Labelled:
    """A generated record and the truth: which person (entity) it registers."""

    record: Record
    entity: str
    household: str


def _household(rng: random.Random, key: str) -> Household:
    building = ""
    if rng.random() < 0.35:
        building = f"{rng.choice(BUILDINGS)}{rng.randint(1, 5)}0{rng.randint(1, 9)}"
    return Household(
        key=key,
        town=rng.choice(TOWNS),
        block=(rng.randint(1, 6), rng.randint(1, 40), rng.randint(1, 30)),
        building=building,
        phone=f"0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
    )


def _birthdate(rng: random.Random, low: int, high: int) -> date:
    return date(low, 1, 1) + timedelta(
        days=rng.randrange((date(high, 12, 31) - date(low, 1, 1)).days)
    )


def _people(rng: random.Random, persons: int) -> tuple[list[Person], dict[str, Household]]:
    out: list[Person] = []
    households: dict[str, Household] = {}
    while len(out) < persons:
        hkey = f"H{len(households):07d}"
        home = _household(rng, hkey)
        households[hkey] = home
        surname = rng.choice(SURNAMES)
        kind = rng.random()

        def add(
            sex: str,
            born: date,
            given: tuple[str, str] | None = None,
            *,
            hkey: str = hkey,
            surname: tuple[str, str] = surname,
        ) -> Person:
            pool = MALE if sex == "M" else FEMALE
            maiden = None
            if sex == "F" and born.year < 1995 and rng.random() < 0.5:
                maiden = rng.choice(SURNAMES)
            p = Person(
                entity=f"E{len(out):07d}",
                household=hkey,
                surname=surname,
                given=given or rng.choice(pool),
                sex=sex,
                birthdate=born,
                maiden=maiden if maiden != surname else None,
            )
            out.append(p)
            return p

        head_sex = rng.choice("MF")
        head = add(head_sex, _birthdate(rng, 1935, 1995))
        if kind < 0.3:
            continue  # one-person household
        spouse_born = head.birthdate + timedelta(days=rng.randint(-2000, 2000))
        add("F" if head_sex == "M" else "M", spouse_born)
        if kind < 0.55:
            continue
        low = min(head.birthdate.year + 22, 2020)
        high = min(head.birthdate.year + 40, 2022)
        parents = {head.given, out[-1].given}
        if kind < 0.58:
            # Twins: same day, same home, different given names.
            born = _birthdate(rng, low, high)
            sex = rng.choice("MF")
            first = add(
                sex,
                born,
                rng.choice([g for g in (MALE if sex == "M" else FEMALE) if g not in parents]),
            )
            pool = MALE if first.sex == "M" else FEMALE
            other = rng.choice([g for g in pool if g != first.given and g not in parents])
            add(first.sex, born, other)
        else:
            used = set(parents)
            for _ in range(rng.randint(1, 3)):
                sex = rng.choice("MF")
                pool = [g for g in (MALE if sex == "M" else FEMALE) if g not in used]
                given = rng.choice(pool)
                used.add(given)
                add(sex, _birthdate(rng, low, high), given)
    return out[:persons], households


# ---------------------------------------------------------------- how agencies write things


def _variant_name(rng: random.Random, s: str) -> str:
    return "".join(
        rng.choice(VARIANTS[c]) if c in VARIANTS and rng.random() < 0.5 else c for c in s
    )


def _katakana(s: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in s)


def _kana_style(rng: random.Random, s: str) -> str:
    import jaconv

    if rng.random() < 0.25:  # long vowels written with ー
        s = s.replace("おう", "おー").replace("ゆう", "ゆー").replace("きょう", "きょー")
    if rng.random() < 0.1:  # a legacy system without small kana
        s = s.translate(str.maketrans("ゃゅょっ", "やゆよつ"))
    pick = rng.random()
    if pick < 0.45:
        return _katakana(s)
    if pick < 0.6:
        return jaconv.z2h(_katakana(s), kana=True, ascii=False, digit=False)
    return s


def _space(rng: random.Random) -> str:
    return rng.choice([" ", "　", "　", ""])


def _typo_kanji(rng: random.Random, given: str) -> str | None:
    spots = [i for i, c in enumerate(given) if c in _KANJI_TYPOS]
    if not spots:
        return None
    i = rng.choice(spots)
    return given[:i] + _KANJI_TYPOS[given[i]] + given[i + 1 :]


def _typo_kana(rng: random.Random, given: str) -> str:
    i = rng.randrange(len(given))
    return given[:i] + rng.choice(_KANA_LETTERS) + given[i + 1 :]


def _kansuji(n: int) -> str:
    if n < 10:
        return _KANSUJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANSUJI[tens]) + "十" + ("" if ones == 0 else _KANSUJI[ones])


def _full_width(s: str) -> str:
    return s.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))


def _address(rng: random.Random, home: Household) -> str:
    c, b, g = home.block
    head = rng.choice(["", "東京都", "東京都稲城市", "稲城市"])
    if head in ("", "東京都"):
        head += "稲城市"
    style = rng.random()
    if style < 0.35:
        block = f"{c}-{b}-{g}"
    elif style < 0.5:
        block = f"{c}丁目{b}番{g}号"
    elif style < 0.6:
        block = f"{_kansuji(c)}丁目{b}番地{g}"
    elif style < 0.75:
        block = _full_width(f"{c}-{b}-{g}")
    elif style < 0.85:
        block = f"{c}ー{b}ー{g}"
    else:
        block = f"{c}‐{b}‐{g}"
    building = ""
    if home.building and rng.random() < 0.8:
        building = rng.choice([" ", "　", ""]) + (
            _full_width(home.building) if rng.random() < 0.3 else home.building
        )
    return f"{head}{home.town}{block}{building}"


def _phone(rng: random.Random, phone: str) -> str:
    style = rng.random()
    if style < 0.4:
        return phone
    if style < 0.6:
        return phone.replace("-", "")
    if style < 0.75:
        return _full_width(phone)
    a, b, c = phone.split("-")
    return f"({a}){b}-{c}"


def _record(
    rng: random.Random,
    rid: str,
    p: Person,
    home: Household,
    *,
    duplicate: bool,
    surname: tuple[str, str] | None = None,
) -> Record:
    fam, fam_k = surname or p.surname
    giv, giv_k = p.given
    if duplicate and rng.random() < 0.06:
        if rng.random() < 0.5 and (typo := _typo_kanji(rng, giv)) is not None:
            giv = typo
        else:
            giv_k = _typo_kana(rng, giv_k)
    name = _variant_name(rng, fam) + _space(rng) + giv
    kana = ""
    if rng.random() < (0.8 if duplicate else 0.95):
        kana = _kana_style(rng, fam_k + _space(rng) + giv_k)
    birthdate: date | None = p.birthdate
    if rng.random() < (0.15 if duplicate else 0.04):
        birthdate = None
    elif duplicate and rng.random() < 0.03:
        birthdate = _date_typo(rng, p.birthdate)
    sex = p.sex if rng.random() < 0.8 else ""
    address = _address(rng, home) if rng.random() < 0.92 else ""
    phone = _phone(rng, home.phone) if rng.random() < 0.7 else ""
    return Record(rid, name, kana, birthdate, sex, address, phone)


def _date_typo(rng: random.Random, d: date) -> date:
    for _ in range(10):
        candidate = d + timedelta(days=rng.choice([1, -1, 10, -10]))
        if candidate != d:
            return candidate
    return d


def generate(persons: int, *, seed: int = 0, duplicates: float = 0.6) -> list[Labelled]:
    """About persons × (1 + duplicates × 1.5) records, shuffled, ids R0000001 …

    A duplicated person gets 1–3 more records; 15 % of those record a move (another home's
    address and phone), and a married woman's extra record often carries her maiden name.
    """
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    people, households = _people(rng, persons)
    homes = list(households.values())
    drafts: list[tuple[Person, Household, bool, tuple[str, str] | None]] = []
    for p in people:
        home = households[p.household]
        drafts.append((p, home, False, None))
        if rng.random() < duplicates:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                where = home
                if rng.random() < 0.15:
                    where = rng.choice(homes)  # moved: another address and phone
                surname = p.maiden if p.maiden and rng.random() < 0.4 else None
                drafts.append((p, where, True, surname))
    rng.shuffle(drafts)
    out = []
    for i, (p, home, dup, surname) in enumerate(drafts, 1):
        record = _record(rng, f"R{i:07d}", p, home, duplicate=dup, surname=surname)
        out.append(Labelled(record, p.entity, p.household))
    return out


def format_date(rng: random.Random, d: date | None) -> str:
    """A birthdate as some agency typed it: 西暦 or 和暦, long or short."""
    if d is None:
        return ""
    pick = rng.random()
    if pick < 0.3:
        return d.isoformat()
    if pick < 0.5:
        return f"{d.year}/{d.month}/{d.day}"
    if pick < 0.65:
        return f"{d.year}年{d.month}月{d.day}日"
    if pick < 0.85 and d >= date(1868, 10, 23):
        return to_wareki(d)
    if d >= date(1868, 10, 23):
        return to_wareki(d, short=True)
    return d.isoformat()


def csv_rows(labelled: Iterable[Labelled], *, seed: int = 0) -> list[list[str]]:
    """The records as CSV cells (record_id,name,kana,birthdate,sex,address,phone)."""
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    rows = []
    for item in labelled:
        r = item.record
        sex = {"M": rng.choice(["男", "男性", "M"]), "F": rng.choice(["女", "女性", "F"])}
        rows.append(
            [
                r.record_id,
                r.name,
                r.kana,
                format_date(rng, r.birthdate),
                sex.get(r.sex, ""),
                r.address,
                r.phone,
            ]
        )
    return rows


def truth(labelled: Iterable[Labelled]) -> dict[str, str]:
    """record_id → entity: the true clusters."""
    return {item.record.record_id: item.entity for item in labelled}
