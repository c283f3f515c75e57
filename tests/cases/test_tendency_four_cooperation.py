"""Tendency ④ and 関係機関との連携 (DOMAIN.md §2): a cooperation recorded on the case with an
agency outside welfare fires ④ and names it, its kind and its day; one with a welfare agency
does not; the team and meeting reasons stay; the bulk evaluation of the statistics agrees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, CooperationKind
from tomoni.cases.tendencies import Tendency, evaluate
from tomoni.directory.models import Staff
from tomoni.lib.wareki import format_date
from tomoni.stats.tendencies import evaluate_many

from .conftest import agency, open_for


def four(case: Case) -> Tendency:
    return evaluate(Case.objects.get(pk=case.pk))[3]


def bulk_four(case: Case) -> Tendency:
    return evaluate_many(Case.objects.filter(pk=case.pk))[case.pk][3]


def cooperate(coordinator: Staff, case: Case, code: str, kind: str, on: date) -> None:
    actions.record_cooperation(coordinator, case, agency=agency(code), kind=kind, on=on)


@pytest.mark.parametrize("kind", list(CooperationKind.values))
def test_a_cooperation_with_a_welfare_agency_does_not_fire_four(
    coordinator: Staff, kind: str
) -> None:
    case = open_for(coordinator)
    assert agency("houkatsu1").is_welfare
    cooperate(coordinator, case, "houkatsu1", kind, timezone.localdate())
    result = four(case)
    assert not result.by_rule
    assert result.reasons == ["チーム・会議・連携の記録とも福祉分野の機関のみ"]
    assert bulk_four(case).reasons == result.reasons


def test_a_cooperation_outside_welfare_fires_four_with_its_reason(coordinator: Staff) -> None:
    case = open_for(coordinator)
    first = timezone.localdate() - timedelta(days=20)
    later = timezone.localdate() - timedelta(days=5)
    assert agency("iryo").is_welfare is False
    cooperate(coordinator, case, "iryo", CooperationKind.MEDICAL, later)
    cooperate(coordinator, case, "iryo", CooperationKind.DISCHARGE, first)
    cooperate(coordinator, case, "iryo", CooperationKind.MEDICAL, first)  # the first 受診同行
    cooperate(coordinator, case, "houkatsu1", CooperationKind.JOINT_VISIT, first)
    result = four(case)
    assert result.by_rule
    name = agency("iryo").name
    assert result.reasons == [
        f"連携の記録: {name}（退院支援、{format_date(first)}）、"
        f"{name}（受診同行、{format_date(first)}）"
    ]
    bulk = bulk_four(case)
    assert (bulk.by_rule, bulk.reasons) == (result.by_rule, result.reasons)


def test_team_and_cooperation_reasons_are_both_kept(coordinator: Staff) -> None:
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("iryo"))
    cooperate(coordinator, case, "iryo", CooperationKind.INFORMATION, timezone.localdate())
    result = four(case)
    assert result.by_rule
    assert result.reasons[0].startswith("福祉分野以外の機関が関与: ")
    assert result.reasons[1].startswith("連携の記録: ")
    assert bulk_four(case).reasons == result.reasons
