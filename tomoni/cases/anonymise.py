"""Anonymise a case's free text for 事例共有 (the 全体会), using the register itself.

:func:`anonymise` is a pure function: the text and a :class:`Register` (the household's
members and relatives with their role labels, addresses, phone numbers, birth dates,
agencies and other named people) in, the text with each of them replaced out. Patterns alone
miss names, so the register comes first: every member's name is looked for as written in the
register and as people type it — full name, family name alone, given name alone, with or
without spaces, full- or half-width, katakana or hiragana, 異体字 (髙/高, 邊/辺 via
``tomoni.lib.kanji``). Phone numbers and dates are then caught by patterns as a second layer.

Matching runs on a folded copy of the text (NFKC, kana as hiragana, 異体字 folded, spaces and
中黒 dropped) that keeps, for every folded character, where it came from, so the replacement
is made in the original text and everything else stays exactly as written.

Short names are the hard part: a one-kanji given name (誠, 進, 愛) or a two-kana one (あい)
is also an ordinary word. Such a name is replaced only where it stands as a name: not inside a
longer run of kanji or kana, and followed by an honorific (さん, くん …), a particle (が, は,
の …), punctuation or the end. Longer names are replaced wherever they appear; an
over-replaced word costs readability, a missed name costs privacy.

:func:`register_for_case` builds the register of a case from the database, through
``tomoni.access``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import jaconv

from tomoni import access
from tomoni.directory.models import Agency, District, Staff
from tomoni.ecomap.models import EcomapTie
from tomoni.lib.kanji import fold_kanji
from tomoni.lib.wareki import WarekiError, parse_date
from tomoni.people.family import family_of
from tomoni.people.models import Household

from .models import Case, TeamMember

HONORIFICS = ("さん", "さま", "様", "氏", "くん", "君", "ちゃん", "殿")
PARTICLES = "はがをにとのもへやでねよ"
PUNCTUATION = "、。，．,.!?！？」』）)]】〉》:：;；/\n"
_DROPPED = set(" \t\r\u3000・･·")
_HALF_VOICING = {"\uff9e": "\u3099", "\uff9f": "\u309a"}
_NUMERALS = "〇一二三四五六七八九"

PHONE = "（電話番号）"
ADDRESS = "（住所）"
BIRTH = "（生年月日）"
EMAIL = "（メール）"
POSTAL = "（郵便番号）"


@dataclass(frozen=True)
class Someone:
    """A person to hide, and the role label that takes their place (本人, 長男, 妻 …)."""

    label: str
    family_name: str = ""
    given_name: str = ""
    family_kana: str = ""
    given_kana: str = ""
    birth_date: date | None = None
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Register:
    people: tuple[Someone, ...] = ()
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    # (name, label): agencies as A機関, B機関 …; staff as 担当者; supporters as 民生委員 …
    names: tuple[tuple[str, str], ...] = ()
    # Place names that begin an address (地区, 町名): "<town>3丁目…" is an address.
    towns: tuple[str, ...] = ()
    emails: tuple[str, ...] = field(default=())


# --- the folded view ------------------------------------------------------------------------


def _fold_char(c: str) -> str:
    if c in _DROPPED or c.isspace():
        return ""
    s = jaconv.kata2hira(unicodedata.normalize("NFKC", c)).lower()
    return "".join(fold_kanji(ch) for ch in s if not ch.isspace())


def fold(text: str) -> tuple[str, list[int], list[int]]:
    """The folded text, and for each of its characters the start and end of the original
    characters it came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        if c in _HALF_VOICING and out:  # ﾀﾞ: the voicing mark joins the kana before it
            out[-1] = unicodedata.normalize("NFC", out[-1] + _HALF_VOICING[c])
            ends[-1] = i + 1
            continue
        for ch in _fold_char(c):
            out.append(ch)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def folded(text: str) -> str:
    return fold(text)[0]


# --- names --------------------------------------------------------------------------------

_KANJI = r"\u3400-\u9fff\uf900-\ufaff々〆"
_HIRA = r"\u3041-\u309f"
_AFTER_WEAK = (
    "(?=" + "|".join(map(re.escape, HONORIFICS)) + f"|[{PARTICLES}]|[{re.escape(PUNCTUATION)}]|$)"
)
_HONORIFIC = re.compile("|".join(map(re.escape, HONORIFICS)))


def _is_kana(s: str) -> bool:
    return bool(s) and all("\u3041" <= c <= "\u309f" or c == "ー" for c in s)


def _strong(token: str) -> bool:
    """Replace anywhere: long enough not to be an ordinary word."""
    if _is_kana(token):
        return len(token) >= 4
    return len(token) >= 2


def _name_tokens(register: Register) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for person in register.people:
        variants = (
            person.family_name + person.given_name,
            person.family_kana + person.given_kana,
            person.family_name,
            person.given_name,
            person.family_kana,
            person.given_kana,
        )
        for variant in variants:
            key = folded(variant)
            if key:
                tokens.setdefault(key, person.label)  # the first listed (the 本人) wins
    for name, label in register.names:
        key = folded(name)
        if len(key) >= 2:
            tokens.setdefault(key, label)
    return tokens


def _alternation(tokens: Iterable[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(tokens, key=lambda t: (-len(t), t)))


Span = tuple[int, int, str]  # folded start, folded end, replacement


def _name_spans(view: str, register: Register) -> list[Span]:
    tokens = _name_tokens(register)
    spans: list[Span] = []
    strong = [t for t in tokens if _strong(t)]
    weak = [t for t in tokens if not _strong(t)]
    patterns = []
    if strong:
        patterns.append(re.compile(f"(?:{_alternation(strong)})"))
    for group, before in (
        ([t for t in weak if not _is_kana(t)], f"(?<![{_KANJI}])"),
        ([t for t in weak if _is_kana(t)], f"(?<![{_HIRA}])"),
    ):
        if group:
            patterns.append(re.compile(f"{before}(?:{_alternation(group)}){_AFTER_WEAK}"))
    for pattern in patterns:
        for m in pattern.finditer(view):
            end = m.end()
            honorific = _HONORIFIC.match(view, end)
            if honorific:
                end = honorific.end()
            spans.append((m.start(), end, tokens[m.group(0)]))
    return spans


# --- numbers: phones, addresses, dates ----------------------------------------------------

_SEP = r"[-‐‑‒–—―−ー()（）.]?"


def _digits_pattern(digits: str) -> str:
    return _SEP.join(digits)


def _phone_spans(view: str, register: Register) -> list[Span]:
    numbers = {re.sub(r"\D", "", folded(p)) for p in register.phones}
    for person in register.people:
        numbers |= {re.sub(r"\D", "", folded(p)) for p in person.phones}
    spans: list[Span] = []
    for digits in sorted(n for n in numbers if len(n) >= 6):
        for m in re.finditer(f"(?<!\\d){_digits_pattern(digits)}(?!\\d)", view):
            spans.append((m.start(), m.end(), PHONE))
    return spans


_GENERIC_PHONE = re.compile(
    r"(?<![\d-])0\d{1,4}[-‐ー(（]\d{1,4}[-‐ー)）]\d{3,4}(?![\d-])"
    r"|(?<!\d)0[5789]0\d{8}(?!\d)|(?<!\d)0\d{9}(?!\d)"
)
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}")
_POSTAL = re.compile(r"(?:〒|郵便番号:?)?(?<!\d)\d{3}[-‐ー]\d{4}(?!\d)")


def _kanji_number(n: int) -> str:
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens]
    return f"{head}十{_NUMERALS[ones] if ones else ''}"


def _number(n: str) -> str:
    value = int(n)
    forms = {n, str(value)} | ({_kanji_number(value)} if value < 100 else set())
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"


_ADDRESS_SEP = r"(?:丁目|番地|番|号|の|[-‐‑‒–—―−ー])?"


def _address_spans(view: str, register: Register) -> list[Span]:
    spans: list[Span] = []
    for address in register.addresses:
        key = folded(address)
        numbers = list(re.finditer(r"\d+", key))
        if not numbers:
            continue
        first = numbers[0]
        town = key[: first.start()]
        towns = {town} | {t for t in (folded(t) for t in register.towns) if t and t in town}
        parts = [_number(m.group(0)) for m in numbers[:3]]
        tail = "".join(f"(?:{_ADDRESS_SEP}{p}" for p in parts[1:]) + ")?" * (len(parts) - 1)
        pattern = f"(?:{_alternation(towns)}){parts[0]}{tail}{_ADDRESS_SEP}"
        for m in re.finditer(pattern, view):
            spans.append((m.start(), m.end(), ADDRESS))
        building = re.sub(
            r"^[\d\-‐ー丁目番地号の]+", "", key[numbers[min(2, len(numbers) - 1)].end() :]
        )
        building = re.sub(r"\d+$", "", building)
        if len(building) >= 3:
            for m in re.finditer(re.escape(building) + r"\d*(?:号室)?", view):
                spans.append((m.start(), m.end(), ADDRESS))
    known_towns = [folded(t) for t in register.towns if t]
    if known_towns:
        number = f"(?:\\d+|[{_NUMERALS}十]+)"
        rest = f"[\\d{_NUMERALS}十\\-‐ー番地号の]*"
        generic = f"(?:{_alternation(known_towns)}){number}(?:丁目|[-‐ー]){rest}"
        for m in re.finditer(generic, view):
            spans.append((m.start(), m.end(), ADDRESS))
    return spans


_DATE = re.compile(
    r"(?:(?P<era>明治|大正|昭和|平成|令和|[mtshr])(?P<ey>元|\d{1,2})|(?P<y>(?:19|20)\d{2}))"
    r"(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日?|(?P<sep>[./-])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))"
)
_BIRTH_BEFORE = re.compile(r"(?:生年月日|誕生日|生まれ|生)[:は]?$")
_BIRTH_AFTER = re.compile(r"^(?:生まれ|生|うまれ|誕生)")
_MONTH_DAY_BIRTH = re.compile(r"\d{1,2}月\d{1,2}日(?=生まれ|生|うまれ)")
_YEAR_BIRTH = re.compile(
    r"(?:明治|大正|昭和|平成|令和|(?:19|20)\d{2}|[mtshr]\d{1,2})(?:元|\d{1,2})?年(?=生まれ|生|うまれ)"
)


def _date_spans(view: str, register: Register) -> list[Span]:
    births = {p.birth_date for p in register.people if p.birth_date}
    spans: list[Span] = []
    for m in _DATE.finditer(view):
        try:
            day = parse_date(m.group(0).upper())
        except WarekiError:
            continue
        before = view[max(0, m.start() - 6) : m.start()]
        after = view[m.end() : m.end() + 4]
        if day in births or _BIRTH_BEFORE.search(before) or _BIRTH_AFTER.search(after):
            spans.append((m.start(), m.end(), BIRTH))
    for pattern in (_MONTH_DAY_BIRTH, _YEAR_BIRTH):
        for m in pattern.finditer(view):
            spans.append((m.start(), m.end(), BIRTH))
    return spans


def _pattern_spans(view: str, register: Register) -> list[Span]:
    spans: list[Span] = [(m.start(), m.end(), PHONE) for m in _GENERIC_PHONE.finditer(view)]
    spans += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(view)]
    spans += [(m.start(), m.end(), POSTAL) for m in _POSTAL.finditer(view)]
    return spans


def _choose(first: list[Span], then: list[Span]) -> list[Span]:
    """Non-overlapping spans: the register's first (longest at each place), then patterns
    where the register found nothing."""
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    for group in (first, then):
        for start, end, text in sorted(group, key=lambda s: (s[0], -(s[1] - s[0]))):
            if any(start < e and s < end for s, e in taken):
                continue
            chosen.append((start, end, text))
            taken.append((start, end))
    return sorted(chosen)


def anonymise(text: str, register: Register) -> str:
    """``text`` with the register's people, addresses, phones and birth dates replaced."""
    if not text:
        return text
    view, starts, ends = fold(text)
    from_register = (
        _name_spans(view, register)
        + _address_spans(view, register)
        + _phone_spans(view, register)
        + _date_spans(view, register)
    )
    spans = _choose(from_register, _pattern_spans(view, register))
    out = []
    cursor = 0
    for start, end, replacement in spans:
        begin, finish = starts[start], ends[end - 1]
        if begin < cursor:
            continue
        out.append(text[cursor:begin])
        out.append(replacement)
        cursor = finish
    out.append(text[cursor:])
    return "".join(out)


# --- the register of a case -----------------------------------------------------------------


def _letters(n: int) -> str:
    label = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def register_for_case(user: Staff, case: Case) -> Register:
    """The case's household (members and the relatives the viewer may see) with their role
    labels relative to the case's 本人, its addresses and phones, the agencies (the team first:
    A機関 is the 主担当) and the informal supporters — read through ``tomoni.access``."""
    family = family_of(user, case.household, subject=case.person, via=case)
    people = []
    unnamed = 0
    order = sorted(
        family.records.values(), key=lambda p: (p.pk != getattr(case.person, "pk", None), p.pk)
    )
    for person in order:
        label = family.labels.get(person.pk)
        if not label:
            label = f"世帯員{_letters(unnamed)}"
            unnamed += 1
        people.append(
            Someone(
                label=label,
                family_name=person.family_name,
                given_name=person.given_name,
                family_kana=person.family_kana,
                given_kana=person.given_kana,
                birth_date=person.birth_date,
                phones=(person.phone,) if person.phone else (),
            )
        )
    households = access.visible(user, Household).filter(
        memberships__person__in=list(family.persons)
    )
    addresses = {case.household.address} | set(households.values_list("address", flat=True))
    phones = {case.household.phone} | set(households.values_list("phone", flat=True))
    team = list(
        access.visible(user, TeamMember)
        .filter(case=case)
        .order_by("role", "pk")
        .values_list("agency_id", flat=True)
    )
    first = {pk: index for index, pk in reversed(list(enumerate(team)))}
    agencies = sorted(
        Agency.objects.order_by("order", "pk"), key=lambda a: first.get(a.pk, len(first))
    )
    names: list[tuple[str, str]] = []
    for index, agency in enumerate(agencies):
        label = f"{_letters(index)}機関"
        names += [(agency.name, label)] + (
            [(agency.short_name, label)] if agency.short_name else []
        )
    ties = access.visible(user, EcomapTie).filter(household=case.household, kind="informal")
    names += [(t.name, t.get_informal_kind_display()) for t in ties if t.name]
    return Register(
        people=tuple(people),
        addresses=tuple(a for a in addresses if a),
        phones=tuple(p for p in phones if p),
        names=tuple(names),
        towns=(*District.objects.values_list("name", flat=True), "稲城市"),
    )
