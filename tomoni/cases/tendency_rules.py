"""稲城市's five support tendencies (DOMAIN.md §2) as pure rules over plain facts.

The city publishes no definitions, so every threshold is a setting (``TOMONI_TENDENCY_*``,
read into ``Limits``) and every result says which rule fired and on what facts. Each rule is a
function ``(Facts, Limits) -> Tendency``: no queries, no settings, no model instances, so it
can be tested on generated facts (tests/cases/test_tendency_properties.py). The facts are
read by ``tomoni.cases.tendencies`` (one case, or many in a fixed number of queries); a
coordinator's override is applied on read, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from tomoni.directory.models import Domain
from tomoni.lib.wareki import age_on, format_date
from tomoni.meetings.models import Kind

from .models import CooperationKind

LABELS = {
    1: "家族内に多くの課題を抱えている世帯",
    2: "18〜64歳で諸手続きに課題がある世帯",
    3: "高齢者の支援者からつながる8050世帯の「50」側への支援",
    4: "福祉分野以外との連携が必要なケース",
    5: "適切な支援方法に関し、複数の機関で検討したケース",
}
NUMBERS = (1, 2, 3, 4, 5)
# ② concerns that count as 諸手続きの課題, and the domains that mean an existing system holds
# the person (子ども・高齢・障害).
PROCEDURE_CONCERNS = frozenset({"procedures", "tax-bills", "debt", "housing"})
SYSTEM_DOMAINS = frozenset({Domain.CHILDREN, Domain.ELDERLY, Domain.DISABILITY})
# ③ agencies of elderly care: where an 8050 household usually first becomes visible.
ELDERLY_CARE_AGENCIES = ("houkatsu", "koreifukushi")
# Meeting kinds whose agenda does not count as discussing a case (DOMAIN.md §2): the 全体会 is
# 事例共有 and 業務紹介 with every agency, for ④ nor ⑤.
NOT_ABOUT_THE_CASE = frozenset({Kind.PLENARY})


@dataclass
class Tendency:
    number: int
    label: str
    by_rule: bool
    reasons: list[str] = field(default_factory=list)
    override: bool | None = None

    @property
    def value(self) -> bool:
        return self.by_rule if self.override is None else self.override

    @property
    def mark(self) -> str:
        return "①②③④⑤"[self.number - 1]


# --- the facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFact:
    id: int
    code: str
    name: str
    is_welfare: bool


@dataclass(frozen=True)
class PersonFact:
    id: int
    birth_date: date | None


@dataclass(frozen=True)
class ConcernFact:
    """One member's concern (課題の整理)."""

    person_id: int
    code: str
    name: str
    domain: str


@dataclass(frozen=True)
class ConsultationFact:
    """The window's consultation the case came from: who received it and the agencies on its
    route (相談経路), first who noticed to last who brought it."""

    agency: AgencyFact
    route: tuple[AgencyFact, ...]


@dataclass(frozen=True)
class CooperationFact:
    agency: AgencyFact
    kind: str
    on: date


@dataclass(frozen=True)
class MeetingFact:
    """A meeting with the case on its agenda, of any kind, and one agency per attendance."""

    id: int
    kind: str
    title: str
    starts_at: datetime  # local time (Asia/Tokyo): ⑤'s reason names the day in Japan
    attendees: tuple[AgencyFact, ...]

    @property
    def about_the_case(self) -> bool:
        return self.kind not in NOT_ABOUT_THE_CASE


@dataclass(frozen=True)
class Facts:
    """Everything the five rules read of one case, in a fixed order (so two loaders give equal
    facts): members by membership, concerns by person then entry, team by entry (past members
    too), cooperations oldest first, meetings earliest first."""

    opened_on: date
    person: PersonFact | None  # the main person
    members: tuple[PersonFact, ...]  # the household's current members
    concerns: tuple[ConcernFact, ...]
    team: tuple[AgencyFact, ...]
    requested_by: AgencyFact | None
    consultation: ConsultationFact | None
    cooperations: tuple[CooperationFact, ...]
    meetings: tuple[MeetingFact, ...]

    def age(self, person: PersonFact | None) -> int | None:
        birth = person.birth_date if person else None
        # A child born after the case opened has no age on that day: unknown, not an error.
        return age_on(birth, self.opened_on) if birth and birth <= self.opened_on else None


@dataclass(frozen=True)
class Limits:
    """The thresholds of the rules (settings ``TOMONI_TENDENCY_*``)."""

    members: int = 2
    concerns: int = 3
    domains: int = 2
    working_age: tuple[int, int] = (18, 64)
    child_age: tuple[int, int] = (40, 64)
    parent_age: int = 75
    meeting_agencies: int = 3

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            members=settings.TOMONI_TENDENCY_MEMBERS,
            concerns=settings.TOMONI_TENDENCY_CONCERNS,
            domains=settings.TOMONI_TENDENCY_DOMAINS,
            working_age=tuple(settings.TOMONI_TENDENCY_WORKING_AGE),  # type: ignore[arg-type]
            child_age=tuple(settings.TOMONI_TENDENCY_8050_CHILD_AGE),  # type: ignore[arg-type]
            parent_age=settings.TOMONI_TENDENCY_8050_PARENT_AGE,
            meeting_agencies=settings.TOMONI_TENDENCY_MEETING_AGENCIES,
        )

    @property
    def basis(self) -> str:
        """What a stored result was computed under: the rules' revision and these limits. A
        stored row with another basis is stale (a setting changed, or the rules)."""
        low, high = self.working_age
        child_low, child_high = self.child_age
        return (
            f"r{RULES_REVISION}:{self.members}-{self.concerns}-{self.domains}-{low}-{high}-"
            f"{child_low}-{child_high}-{self.parent_age}-{self.meeting_agencies}"
        )


# Bump when a rule's logic or wording changes: every stored result then counts as stale
# (read live) until ``tomoni tendencies --recompute`` stores it again.
RULES_REVISION = 1


# --- the rules ------------------------------------------------------------------------------


def one(f: Facts, limits: Limits) -> Tendency:
    t = Tendency(1, LABELS[1], False)
    holders = {c.person_id for c in f.concerns}
    domains = {c.domain for c in f.concerns}
    if len(holders) >= limits.members:
        t.by_rule = True
        t.reasons.append(f"課題を抱える世帯員が{len(holders)}人（{limits.members}人以上）")
    if len(f.concerns) >= limits.concerns and len(domains) >= limits.domains:
        t.by_rule = True
        t.reasons.append(
            f"課題が{len(f.concerns)}件・{len(domains)}分野（{limits.concerns}件以上かつ"
            f"{limits.domains}分野以上）"
        )
    if not t.by_rule:
        t.reasons.append(f"課題 {len(f.concerns)}件・{len(domains)}分野・{len(holders)}人")
    return t


def two(f: Facts, limits: Limits) -> Tendency:
    t = Tendency(2, LABELS[2], False)
    person = f.person
    age = f.age(person)
    low, high = limits.working_age
    if person is None or age is None:
        t.reasons.append("主な本人または生年月日が未登録")
        return t
    own = [c for c in f.concerns if c.person_id == person.id]
    procedures = [c.name for c in own if c.code in PROCEDURE_CONCERNS]
    in_systems = [c.name for c in own if c.domain in SYSTEM_DOMAINS]
    if not low <= age <= high:
        t.reasons.append(f"本人は開始時{age}歳（{low}〜{high}歳の範囲外）")
    elif not procedures:
        t.reasons.append("本人に手続き・税金公共料金・債務・住まいの課題がない")
    elif in_systems:
        t.reasons.append(f"本人に子ども・高齢・障害分野の課題がある（{'、'.join(in_systems)}）")
    else:
        t.by_rule = True
        t.reasons.append(f"本人{age}歳、{'・'.join(procedures)}の課題、既存制度の対象外")
    return t


def sources(f: Facts) -> list[AgencyFact]:
    """Who brought the case: the route and receiving agency of its consultation, or else the
    agency that asked for it (支援機関向けの相談)."""
    if f.consultation is not None:
        return [*f.consultation.route, f.consultation.agency]
    return [f.requested_by] if f.requested_by else []


def three(f: Facts, limits: Limits) -> Tendency:
    t = Tendency(3, LABELS[3], False)
    elderly = [a for a in sources(f) if a.code.startswith(ELDERLY_CARE_AGENCIES)]
    if not elderly:
        t.reasons.append("高齢者の支援機関（地域包括支援センター・高齢福祉課）からの相談ではない")
        return t
    person = f.person
    age = f.age(person)
    low, high = limits.child_age
    elder_age = limits.parent_age
    elders = [
        (m, a)
        for m in f.members
        if m.id != (person.id if person else None)
        and (a := f.age(m)) is not None
        and a >= elder_age
    ]
    if person is None or age is None or not low <= age <= high:
        t.reasons.append(f"{elderly[0].name}から。ただし本人が{low}〜{high}歳ではない")
    elif not elders:
        t.reasons.append(f"{elderly[0].name}から。ただし{elder_age}歳以上の世帯員がいない")
    else:
        t.by_rule = True
        t.reasons.append(
            f"{elderly[0].name}から。本人{age}歳、{elder_age}歳以上の世帯員"
            f"（{elders[0][1]}歳）と同居"
        )
    return t


def four(f: Facts, limits: Limits) -> Tendency:
    t = Tendency(4, LABELS[4], False)
    outside = {a.name for a in f.team if not a.is_welfare}
    outside |= {
        a.name for m in f.meetings if m.about_the_case for a in m.attendees if not a.is_welfare
    }
    if outside:
        t.by_rule = True
        t.reasons.append(f"福祉分野以外の機関が関与: {'、'.join(sorted(outside))}")
    # A cooperation with an agency outside welfare (退院支援, 受診同行 …) recorded on the case:
    # each agency and kind once, on the day it first happened.
    first: dict[tuple[str, str], date] = {}
    for c in f.cooperations:
        if not c.agency.is_welfare:
            first.setdefault((c.agency.name, c.kind), c.on)
    if first:
        t.by_rule = True
        done = [
            f"{name}（{CooperationKind(kind).label}、{format_date(on)}）"
            for (name, kind), on in first.items()
        ]
        t.reasons.append(f"連携の記録: {'、'.join(done)}")
    if not t.by_rule:
        t.reasons.append("チーム・会議・連携の記録とも福祉分野の機関のみ")
    return t


def five(f: Facts, limits: Limits) -> Tendency:
    t = Tendency(5, LABELS[5], False)
    need = limits.meeting_agencies
    best = 0
    for meeting in f.meetings:
        if not meeting.about_the_case:
            continue
        agencies = {a.id for a in meeting.attendees}
        best = max(best, len(agencies))
        if len(agencies) >= need:
            t.by_rule = True
            t.reasons.append(
                f"{meeting.title}（{meeting.starts_at:%Y-%m-%d}）で{len(agencies)}機関が検討"
            )
            break
    if not t.by_rule:
        t.reasons.append(
            f"ケースを検討した会議（全体会を除く）の参加機関は最大{best}機関"
            f"（{need}機関以上で該当）"
        )
    return t


RULES: tuple[Callable[[Facts, Limits], Tendency], ...] = (one, two, three, four, five)


def judge(facts: Facts, limits: Limits) -> list[Tendency]:
    """All five by rule, in order; no override."""
    return [rule(facts, limits) for rule in RULES]


def with_overrides(results: list[Tendency], overrides: object) -> list[Tendency]:
    """A coordinator's judgements ({"1": true, "3": false}) set beside the rules' answers."""
    given = overrides if isinstance(overrides, dict) else {}
    for result in results:
        raw = given.get(str(result.number))
        result.override = raw if isinstance(raw, bool) else None
    return results
