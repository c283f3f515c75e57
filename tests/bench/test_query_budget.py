"""The pages bench/load.py drives run the same number of queries at two data sizes.

The load runner measures latency at 200,000 persons and 2,000,000 notes; this file pins the
other half of DESIGN.md §8 — "queries per page bounded and independent of data size" — for
exactly those pages, as the users who drive them: a small world (2 of everything) and the
same world grown to 10, through the actions. No timings here (those are bench/'s job).
The app test files hold the tighter per-page budgets; this is the bench's contract.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tomoni.cases import actions as case_actions
from tomoni.cases.models import Case
from tomoni.directory.models import Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Method
from tomoni.notes.actions import add_note
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, Relationship

from ..conftest import BrowserClient, first_member, register_household

SMALL, LARGE = 2, 10
NOTE = "見本さん宅を訪問し、生活状況を確認した。面談の日程を調整した。"


@dataclass
class World:
    household: Household
    case: Case
    size: int = 0


def _grow(personas: dict[str, Staff], world: World, to: int) -> None:
    """Add households, people, consultations with notes and referrals, cases with notes,
    and members and consultations of the one household and notes of the one case the
    pages open, until there are ``to`` of each."""
    window, coordinator = personas["window"], personas["coordinator"]
    agency = personas["agency_a"].agency
    assert agency is not None
    for index in range(world.size, to):
        household = register_household(window, members=2)
        consultation = intake_actions.take_consultation(
            window,
            method=Method.PHONE,
            summary="家賃の支払いが難しく、訪問して話を聞いた",
            consent=ConsentVersion.GIVEN,
            person=first_member(household),
            household=household,
        )
        add_note(window, consultation, text=NOTE, method="phone")
        intake_actions.refer(window, consultation, agency, "面談をお願いします。")
        case = case_actions.open_case(coordinator, household=household, title="多機関での支援")
        add_note(coordinator, case, text=NOTE, method="visit")
        # The household and the case the pages open get one more of everything too.
        people_actions.register_person(
            window,
            {"family_name": "見本", "given_name": f"次郎{index}", "family_kana": "みほん"},
            household=world.household,
            relationship=Relationship.CHILD,
        )
        intake_actions.take_consultation(
            window,
            method=Method.VISIT,
            summary="世帯のこと",
            consent=ConsentVersion.GIVEN,
            household=world.household,
        )
        add_note(coordinator, world.case, text=NOTE, method="phone")
    world.size = to


@pytest.fixture
def world(personas: dict[str, Staff]) -> World:
    window, coordinator = personas["window"], personas["coordinator"]
    household = register_household(window, members=1)
    case = case_actions.open_case(coordinator, household=household, title="8050世帯の支援")
    agency = personas["agency_a"].agency
    assert agency is not None
    case_actions.add_team_member(coordinator, case, agency)
    return World(household=household, case=case)


# page name (as bench/load.py calls it), persona, url, query string
Pages = list[tuple[str, str, str, dict[str, str]]]


def _pages(world: World) -> Pages:
    pages: Pages = [
        ("floor", "window", reverse("web:bench_floor"), {}),
        ("person_search", "window", reverse("people:search"), {"q": "見本"}),
        ("person_search", "coordinator", reverse("people:search"), {"q": "みほん"}),
        ("household", "window", reverse("people:household", args=[world.household.pk]), {}),
        ("household", "coordinator", reverse("people:household", args=[world.household.pk]), {}),
        ("case", "coordinator", reverse("cases:case", args=[world.case.pk]), {}),
        ("consultation_list", "window", reverse("intake:index"), {}),
        ("consultation_list", "coordinator", reverse("intake:index"), {"scope": "all"}),
        ("case_list", "coordinator", reverse("cases:index"), {}),
        ("referral_inbox", "agency_a", reverse("intake:referrals_in"), {}),
        ("fulltext", "coordinator", reverse("intake:index"), {"q": "訪問し", "scope": "all"}),
        ("fulltext_and", "window", reverse("intake:index"), {"q": "生活状況 面談"}),
        ("fulltext_2char", "coordinator", reverse("intake:index"), {"q": "面談", "scope": "all"}),
        ("fulltext_1char", "coordinator", reverse("intake:index"), {"q": "訪", "scope": "all"}),
        ("case_fulltext", "coordinator", reverse("cases:index"), {"q": "訪問し"}),
        (
            "intake_candidates",
            "window",
            reverse("intake:matches"),
            {"p-family_name": "見本", "p-given_name": "太", "p-family_kana": "みほん"},
        ),
    ]
    with contextlib.suppress(NoReverseMatch):  # when the statistics pages are in the build
        pages.append(("dashboard", "coordinator", reverse("stats:dashboard"), {}))
    return pages


def _counts(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], world: World
) -> dict[tuple[str, str], int]:
    counts = {}
    clients: dict[str, BrowserClient] = {}
    for name, persona, url, params in _pages(world):
        client = clients.setdefault(persona, as_user(personas[persona]))
        client.get(url, params)  # once unmeasured: what a first visit adds is not the point
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, (name, persona, response.status_code)
        counts[(name, persona)] = len(queries)
    return counts


@pytest.mark.slow  # builds two data sets of every kind of record
def test_key_pages_query_counts_do_not_grow_with_the_data(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], world: World
) -> None:
    _grow(personas, world, SMALL)
    few = _counts(personas, as_user, world)
    _grow(personas, world, LARGE)
    many = _counts(personas, as_user, world)
    grew = {page: (few[page], many[page]) for page in few if few[page] != many[page]}
    assert not grew, f"queries at {SMALL} vs {LARGE} of everything: {grew}"


def test_the_floor_is_one_query_past_the_shell(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """The floor is what every page costs at least: the session and user (2), renewing the
    session (3), and its one indexed query; it audits nothing and shows the agency only."""
    client = as_user(personas["agency_a"])
    url = reverse("web:bench_floor")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode() == f"ok {personas['agency_a'].agency}\n"
    assert len(queries) == 6
    assert as_user(None).get(url).status_code == 302  # signed-in staff only
