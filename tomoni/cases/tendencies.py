"""稲城市's five support tendencies (DOMAIN.md §2), computed per case by explainable rules.

The city publishes no definitions, so every threshold is a setting
(``TOMONI_TENDENCY_*``) and every result says which rule fired and on what facts. A
coordinator may override any result; the override is shown beside the rule's own answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from tomoni.directory.models import Domain
from tomoni.lib.wareki import age_on, format_date
from tomoni.meetings.models import Attendance, Kind

from .models import Case, CooperationKind

LABELS = {
    1: "家族内に多くの課題を抱えている世帯",
    2: "18〜64歳で諸手続きに課題がある世帯",
    3: "高齢者の支援者からつながる8050世帯の「50」側への支援",
    4: "福祉分野以外との連携が必要なケース",
    5: "適切な支援方法に関し、複数の機関で検討したケース",
}
# ② concerns that count as 諸手続きの課題, and the domains that mean an existing system holds
# the person (子ども・高齢・障害).
PROCEDURE_CONCERNS = frozenset({"procedures", "tax-bills", "debt", "housing"})
SYSTEM_DOMAINS = frozenset({Domain.CHILDREN, Domain.ELDERLY, Domain.DISABILITY})
# ③ agencies of elderly care: where an 8050 household usually first becomes visible.
ELDERLY_CARE_AGENCIES = ("houkatsu", "koreifukushi")


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


def evaluate(case: Case) -> list[Tendency]:
    """All five, in order. Costs a fixed handful of queries whatever the household's size."""
    facts = _Facts(case)
    results = [
        _one(facts),
        _two(facts),
        _three(facts),
        _four(facts),
        _five(facts),
    ]
    for result in results:
        raw = case.tendency_overrides.get(str(result.number))
        result.override = raw if isinstance(raw, bool) else None
    return results


# Meeting kinds whose agenda does not count as discussing a case.
NOT_ABOUT_THE_CASE = frozenset({Kind.PLENARY})


class _Facts:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.on: date = case.opened_on
        self.concerns = list(
            case.concerns.select_related("concern", "person").order_by("person_id", "pk")
        )
        self.members = list(
            case.household.memberships.filter(end_date__isnull=True).select_related("person")
        )
        self.team = list(case.team.select_related("agency"))
        # Meetings about the case (DOMAIN.md §2): a listing at the 全体会 (事例共有 and
        # 業務紹介 with every agency) is not a discussion of the case, for ④ nor ⑤.
        self.meetings = list(
            case.agenda_items.exclude(meeting__kind__in=NOT_ABOUT_THE_CASE)
            .select_related("meeting")
            .order_by("meeting__starts_at")
        )
        # 関係機関との連携 recorded on the case, oldest first (④ names the first of each kind).
        self.cooperations = list(case.cooperations.select_related("agency").order_by("on", "pk"))
        meeting_ids = [item.meeting_id for item in self.meetings]
        self.attending = list(
            Attendance.objects.filter(meeting_id__in=meeting_ids).select_related("agency")
        )

    def age(self, person: object) -> int | None:
        birth = getattr(person, "birth_date", None)
        # A child born after the case opened has no age on that day: unknown, not an error.
        return age_on(birth, self.on) if birth and birth <= self.on else None


def _one(f: _Facts) -> Tendency:
    t = Tendency(1, LABELS[1], False)
    holders = {c.person_id for c in f.concerns}
    domains = {c.concern.domain for c in f.concerns}
    need_members = settings.TOMONI_TENDENCY_MEMBERS
    need_concerns = settings.TOMONI_TENDENCY_CONCERNS
    need_domains = settings.TOMONI_TENDENCY_DOMAINS
    if len(holders) >= need_members:
        t.by_rule = True
        t.reasons.append(f"課題を抱える世帯員が{len(holders)}人（{need_members}人以上）")
    if len(f.concerns) >= need_concerns and len(domains) >= need_domains:
        t.by_rule = True
        t.reasons.append(
            f"課題が{len(f.concerns)}件・{len(domains)}分野（{need_concerns}件以上かつ"
            f"{need_domains}分野以上）"
        )
    if not t.by_rule:
        t.reasons.append(f"課題 {len(f.concerns)}件・{len(domains)}分野・{len(holders)}人")
    return t


def _two(f: _Facts) -> Tendency:
    t = Tendency(2, LABELS[2], False)
    person = f.case.person
    age = f.age(person) if person else None
    low, high = settings.TOMONI_TENDENCY_WORKING_AGE
    if person is None or age is None:
        t.reasons.append("主な本人または生年月日が未登録")
        return t
    own = [c for c in f.concerns if c.person_id == person.pk]
    procedures = [c.concern.name for c in own if c.concern.code in PROCEDURE_CONCERNS]
    in_systems = [c.concern.name for c in own if c.concern.domain in SYSTEM_DOMAINS]
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


def _three(f: _Facts) -> Tendency:
    t = Tendency(3, LABELS[3], False)
    source = f.case.requested_by
    if f.case.consultation_id and f.case.consultation is not None:
        route = list(f.case.consultation.route.select_related("agency"))
        sources = [s.agency for s in route if s.agency_id] + [f.case.consultation.agency]
    else:
        sources = [source] if source else []
    elderly = [a for a in sources if a and a.code.startswith(ELDERLY_CARE_AGENCIES)]
    if not elderly:
        t.reasons.append("高齢者の支援機関（地域包括支援センター・高齢福祉課）からの相談ではない")
        return t
    person = f.case.person
    age = f.age(person) if person else None
    low, high = settings.TOMONI_TENDENCY_8050_CHILD_AGE
    elder_age = settings.TOMONI_TENDENCY_8050_PARENT_AGE
    elders = [
        (m.person, a)
        for m in f.members
        if m.person_id != getattr(person, "pk", None)
        and (a := f.age(m.person)) is not None
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


def _four(f: _Facts) -> Tendency:
    t = Tendency(4, LABELS[4], False)
    outside = {m.agency.name for m in f.team if not m.agency.is_welfare}
    outside |= {a.agency.name for a in f.attending if not a.agency.is_welfare}
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


def _five(f: _Facts) -> Tendency:
    t = Tendency(5, LABELS[5], False)
    need = settings.TOMONI_TENDENCY_MEETING_AGENCIES
    best = 0
    for item in f.meetings:
        agencies = {a.agency_id for a in f.attending if a.meeting_id == item.meeting_id}
        best = max(best, len(agencies))
        if len(agencies) >= need:
            t.by_rule = True
            t.reasons.append(
                f"{item.meeting.title}（{item.meeting.starts_at:%Y-%m-%d}）で"
                f"{len(agencies)}機関が検討"
            )
            break
    if not t.by_rule:
        t.reasons.append(
            f"ケースを検討した会議（全体会を除く）の参加機関は最大{best}機関"
            f"（{need}機関以上で該当）"
        )
    return t
