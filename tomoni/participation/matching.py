"""Matching: rank the active places against a participation plan, with the reasons shown.

Simple, explainable points rather than a model: a worker must be able to say why a place was
suggested. Hard limits (段差, 費用の上限) exclude a place; everything else adds points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from tomoni.lib.wareki import age_on

from .models import WEEKDAYS, Constraint, ParticipationPlan, Place, PlaceKind, Welcome

# Points per kind of agreement.
SAME_DISTRICT = 3
SAME_AREA = 1
PER_DAY = 1
MAX_DAYS = 2
PER_INTEREST = 2
WELCOMES_AGE = 1
TRANSPORT = 2
FREE = 1
SMALL = 1
SMALL_CAPACITY = 15
QUIET_KINDS = frozenset({PlaceKind.HOBBY, PlaceKind.VOLUNTEER, PlaceKind.WORK_EXPERIENCE})


@dataclass
class Ranked:
    place: Place
    score: float = 0
    reasons: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _age_group(plan: ParticipationPlan, on: date) -> str | None:
    birth = plan.person.birth_date
    if birth is None:
        return None
    age = age_on(birth, on)
    if age < 15:
        return Welcome.CHILDREN
    if age < 40:
        return Welcome.YOUTH
    if age >= 65:
        return Welcome.ELDERLY
    return None


def score(plan: ParticipationPlan, place: Place, on: date | None = None) -> Ranked:
    result = Ranked(place)
    constraints = set(plan.constraints)
    if plan.needs_step_free and not place.step_free:
        result.excluded.append("段差がある")
    if plan.max_cost is not None and place.cost is not None and place.cost > plan.max_cost:
        result.excluded.append(f"費用 {place.cost:,}円 が上限 {plan.max_cost:,}円 を超える")
    if plan.district_id and place.district_id:
        if plan.district_id == place.district_id:
            result.score += SAME_DISTRICT
            result.reasons.append(f"地区が同じ（{place.district}）")
        elif plan.district and place.district and plan.district.area_id == place.district.area_id:
            result.score += SAME_AREA
            result.reasons.append("同じ圏域")
    common_days = sorted(set(plan.days) & set(place.days))
    if common_days:
        result.score += PER_DAY * min(len(common_days), MAX_DAYS)
        result.reasons.append(f"曜日が合う（{'・'.join(WEEKDAYS[d] for d in common_days)}）")
    wanted = {i.strip() for i in plan.interests if i.strip()}
    for interest in sorted(wanted & set(place.interests)):
        result.score += PER_INTEREST
        result.reasons.append(f"興味: {interest}")
    group = _age_group(plan, on or timezone.localdate())
    if Welcome.ALL in place.welcomes or (group and group in place.welcomes):
        result.score += WELCOMES_AGE
        result.reasons.append("対象の世代に合う" if group else "全世代向け")
    if (plan.needs_transport or Constraint.MOBILITY in constraints) and place.transport:
        result.score += TRANSPORT
        result.reasons.append("送迎あり")
    if Constraint.COST in constraints and place.cost == 0:
        result.score += FREE
        result.reasons.append("無料")
    if Constraint.SOCIAL_ANXIETY in constraints and (
        (place.capacity is not None and place.capacity <= SMALL_CAPACITY)
        or place.kind in QUIET_KINDS
    ):
        result.score += SMALL
        result.reasons.append("少人数・作業中心で人と話さなくてもよい")
    return result


def rank(plan: ParticipationPlan, places: Iterable[Place], on: date | None = None) -> list[Ranked]:
    """Active places that pass the hard limits, best first (ties by name)."""
    scored = [score(plan, p, on) for p in places if p.active]
    kept = [r for r in scored if not r.excluded]
    return sorted(kept, key=lambda r: (-r.score, r.place.name, r.place.pk))
