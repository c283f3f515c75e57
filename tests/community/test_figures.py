"""Figures per 地区 and 年度 from known data: exact counts, the 年度 boundary (3/31 belongs to
the old 年度, 4/1 to the new), and a fixed number of queries however many records exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tomoni.community import actions, figures
from tomoni.community.actions import CouncilData, MeetingData, MemberData, SessionData
from tomoni.community.models import Activity
from tomoni.directory.models import Staff
from tomoni.participation import actions as participation

from ..conftest import BrowserClient
from .conftest import district, make_activity


def _place(user: Staff, code: str, kind: str, welcomes: list[str], active: bool = True) -> None:
    participation.save_place(
        user,
        None,
        {
            "name": f"{kind}-{code}-{len(welcomes)}",
            "kind": kind,
            "district": district(code),
            "welcomes": welcomes,
            "host": "運営の会",
            "active": active,
        },
    )


def _session(user: Staff, activity: Activity, on: date, c: int, a: int, e: int) -> None:
    actions.record_session(user, activity, SessionData(held_on=on, children=c, adults=a, elderly=e))


@pytest.fixture
def city(keeper: Staff) -> dict[str, Activity]:
    """Known data: two activities in 押立 and one in 平尾, records on both sides of 4/1."""
    _place(keeper, "oshitate", "salon", ["elderly"])
    _place(keeper, "oshitate", "market", ["all", "elderly"])
    _place(keeper, "oshitate", "kodomo_shokudo", ["children", "parents"])
    _place(keeper, "oshitate", "salon", [], active=False)  # paused: not counted
    _place(keeper, "hirao", "ibasho", ["all"])
    market = make_activity(keeper)
    salon = make_activity(keeper, name="なし畑の茶の間", kind="salon", host="サロンの会")
    hirao = make_activity(keeper, "hirao", name="多世代ラジオ体操", kind="ibasho", host="自治会")
    _session(keeper, market, date(2025, 3, 31), 1, 2, 3)  # FY2024, last day
    _session(keeper, market, date(2025, 4, 1), 4, 5, 6)  # FY2025, first day
    _session(keeper, market, date(2026, 3, 31), 10, 20, 30)  # FY2025, last day
    _session(keeper, salon, date(2025, 10, 5), 0, 1, 12)  # FY2025
    _session(keeper, hirao, date(2026, 4, 1), 7, 0, 9)  # FY2026, first day
    return {"market": market, "salon": salon, "hirao": hirao}


def _of(fy: int, code: str) -> figures.Figures:
    return next(f for f in figures.district_figures(fy) if f.district.code == code)


def test_places_by_kind_and_generation(city: dict[str, Activity]) -> None:
    f = _of(2025, "oshitate")
    assert f.places == 3
    assert f.kinds == [("サロン", 1), ("子ども食堂", 1), ("朝市", 1)]
    assert f.welcomes == [("全世代", 1), ("高齢", 2), ("子ども", 1), ("子育て中", 1)]
    assert _of(2025, "hirao").places == 1
    assert _of(2025, "wakabadai").places == 0


def test_activities_and_participants_per_fiscal_year(city: dict[str, Activity]) -> None:
    old, this, next_ = _of(2024, "oshitate"), _of(2025, "oshitate"), _of(2026, "oshitate")
    assert (old.activities, old.sessions, old.children, old.adults, old.elderly) == (1, 1, 1, 2, 3)
    assert (this.activities, this.sessions) == (2, 3)
    assert (this.children, this.adults, this.elderly, this.participants) == (14, 26, 48, 88)
    assert (next_.activities, next_.participants) == (0, 0)
    hirao_2025, hirao_2026 = _of(2025, "hirao"), _of(2026, "hirao")
    assert (hirao_2025.activities, hirao_2025.participants) == (0, 0)
    assert (hirao_2026.activities, hirao_2026.children, hirao_2026.elderly) == (1, 7, 9)


def test_the_activity_page_splits_at_april_first(
    city: dict[str, Activity], personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    years = figures.activity_years(city["market"].pk)
    assert [(y["fy"], y["sessions"], y["total"]) for y in years] == [(2025, 2, 75), (2024, 1, 6)]
    page = as_user(personas["agency_a"]).get(city["market"].get_absolute_url()).content.decode()
    assert "令和7年度" in page and "令和6年度" in page and "75" in page


def test_the_pages_show_the_year_asked_for(
    city: dict[str, Activity], personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["manager"])
    page = client.get(reverse("community:index"), {"fy": "2025"}).content.decode()
    assert "令和7年度" in page
    assert '<td class="num">88</td>' in page  # 押立's participants in 令和7年度
    district_page = client.get(reverse("community:district", args=["oshitate"]), {"fy": "2024"})
    assert (
        '<span class="num">6</span> 人（子ども 1・現役世代 2・高齢者 3）'
        in district_page.content.decode()
    )
    listing = client.get(reverse("community:activities"), {"fy": "2025"}).content.decode()
    assert "なし畑の茶の間" in listing and '<td class="num">13</td>' in listing
    # A year outside the choices falls back to this 年度 rather than failing.
    assert client.get(reverse("community:index"), {"fy": "1999"}).status_code == 200


def test_figures_take_a_fixed_number_of_queries(
    keeper: Staff, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(12):
        activity = make_activity(keeper, name=f"取組{index}")
        _session(keeper, activity, date(2025, 5, 1 + index), 1, 1, 1)
    with django_assert_max_num_queries(3):
        rows = figures.district_figures(2025)
    assert len(rows) == 10
    assert next(f for f in rows if f.district.code == "oshitate").sessions == 12


@pytest.mark.parametrize("name", ["index", "activities"])
def test_list_pages_have_a_query_budget(
    keeper: Staff,
    as_user: Callable[..., BrowserClient],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    name: str,
) -> None:
    client = as_user(keeper)
    url = reverse(f"community:{name}")
    client.get(url)  # warm the session
    for index in range(15):
        activity = make_activity(keeper, district(("oshitate", "hirao", "omaru")[index % 3]).code)
        _session(keeper, activity, date(2025, 6, 1), 1, 2, 3)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_the_district_page_does_not_grow_with_its_records(
    keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    """The same number of queries for a quiet 地区 and a busy one (no N+1)."""
    council = actions.save_council(keeper, district("oshitate"), CouncilData(name="押立地区協議体"))
    client = as_user(keeper)
    url = reverse("community:district", args=["oshitate"])

    def add(n: int) -> None:
        for index in range(n):
            member = actions.save_member(
                keeper, council, None, MemberData(name=f"委員{index}", affiliation="自治会")
            )
            actions.save_meeting(
                keeper,
                council,
                None,
                MeetingData(
                    held_on=date(2025, 5, 1 + index), topics="話し合い", attendees=[member]
                ),
            )
            activity = make_activity(keeper, name=f"取組{index}")
            _session(keeper, activity, date(2025, 6, 1), 1, 1, 1)
            _place(keeper, "oshitate", "salon", ["all"] * (index + 1))

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(15)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small) <= 16
