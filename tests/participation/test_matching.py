"""Matching: the order of the suggested places and the reasons shown, on crafted places. A plan
in 押立 that likes 園芸, is free on Tuesdays and Thursdays, finds moving and other people hard
and can pay up to 300円."""

from __future__ import annotations

from typing import Any

import pytest

from tomoni.directory.models import District, Staff
from tomoni.participation import actions, matching
from tomoni.participation.models import ParticipationPlan, Place

from ..conftest import first_member, register_household

TUE, THU, SAT = 1, 3, 5


def district(code: str) -> District:
    return District.objects.get(code=code)


def place(actor: Staff, name: str, **fields: Any) -> Place:
    data: dict[str, Any] = {
        "name": name,
        "kind": "market",
        "host": "押立町会",
        "district": district("oshitate"),
        "days": [SAT],
        "cost": 0,
        **fields,
    }
    return actions.save_place(actor, None, data)


def plan_for(coordinator: Staff, **overrides: Any) -> ParticipationPlan:
    household = register_household(coordinator, members=1, district=district("oshitate"))
    data = {
        "interests": ["園芸"],
        "days": [TUE, THU],
        "constraints": ["mobility", "social_anxiety"],
        "max_cost": 300,
        "goal": "週に一度、家の外で過ごす",
        **overrides,
    }
    return actions.create_plan(coordinator, first_member(household), data)


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


def test_same_district_tuesday_gardening_ranks_first_with_its_reasons(coordinator: Staff) -> None:
    """The place in the same 地区, open on a Tuesday, about 園芸 comes first, and says why."""
    plan = plan_for(coordinator)
    assert plan.district == district("oshitate")  # defaulted from the household
    first = place(coordinator, "押立の畑", days=[TUE], interests=["園芸"])
    near = place(coordinator, "矢野口サロン", district=district("yanokuchi"), days=[TUE, THU])
    far = place(coordinator, "遠くの朝市", district=district("hirao"))

    ranked = matching.rank(plan, [far, near, first])

    assert [r.place for r in ranked] == [first, near, far]
    assert ranked[0].reasons == ["地区が同じ（押立）", "曜日が合う（火）", "興味: 園芸"]
    assert ranked[0].score == 6
    assert ranked[1].reasons == ["同じ圏域", "曜日が合う（火・木）"]
    assert ranked[2].reasons == []


def test_constraints_add_transport_and_quiet_reasons(coordinator: Staff) -> None:
    """移動 makes 送迎 count; 対人不安 makes a small group count."""
    plan = plan_for(coordinator, district=None)
    quiet = place(coordinator, "少人数の手芸", kind="hobby", transport=True, capacity=8)
    assert matching.rank(plan, [quiet])[0].reasons == [
        "送迎あり",
        "少人数・作業中心で人と話さなくてもよい",
    ]


def test_step_place_is_excluded_when_step_free_is_needed(coordinator: Staff) -> None:
    plan = plan_for(coordinator, needs_step_free=True)
    steps = place(coordinator, "二階の集会室", step_free=False, interests=["園芸"])
    flat = place(coordinator, "一階のサロン", step_free=True)
    assert [r.place for r in matching.rank(plan, [steps, flat])] == [flat]
    assert matching.score(plan, steps).excluded == ["段差がある"]


def test_costly_place_is_excluded(coordinator: Staff) -> None:
    plan = plan_for(coordinator)
    costly = place(coordinator, "陶芸教室", cost=500, days=[TUE], interests=["園芸"])
    cheap = place(coordinator, "公民館の園芸", cost=300)
    assert [r.place for r in matching.rank(plan, [costly, cheap])] == [cheap]
    assert matching.score(plan, costly).excluded == ["費用 500円 が上限 300円 を超える"]


def test_inactive_place_is_excluded(coordinator: Staff) -> None:
    plan = plan_for(coordinator)
    paused = place(coordinator, "休止中の畑", days=[TUE], interests=["園芸"], active=False)
    open_ = place(coordinator, "開いている朝市")
    assert [r.place for r in matching.rank(plan, [paused, open_])] == [open_]


def test_ties_are_broken_by_name(coordinator: Staff) -> None:
    plan = plan_for(coordinator)
    later = place(coordinator, "わかば広場")
    earlier = place(coordinator, "あおば広場")
    middle = place(coordinator, "さくら広場")
    ranked = matching.rank(plan, [later, middle, earlier])
    assert {r.score for r in ranked} == {3}
    assert [r.place.name for r in ranked] == ["あおば広場", "さくら広場", "わかば広場"]
