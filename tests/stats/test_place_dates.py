"""居場所 are counted by the dates people entered (issue 18, finding 2): 期末時点で活動中 means
begun by the period's end (開始日) and not 休止 by then (休止日) — not the day the place was
typed into Tomoni, and not whether it happens to be active today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import District, Staff
from tomoni.participation import actions
from tomoni.participation.models import Place
from tomoni.stats import figures

from ..conftest import BrowserClient
from ..participation.test_it_places import _form
from .conftest import FY, City
from .test_figures import TODAY, values


@pytest.fixture
def second_district(city: City, personas: dict[str, Staff]) -> str:
    """Two places of the second 地区 (which the known city gives only one at rest, uncounted),
    both registered today: one begun in 2024-10, one begun in 2023-01 and 休止 since 2025-09."""
    coordinator = personas["coordinator"]
    d2 = District.objects.order_by("order", "code")[1]
    for name, started, paused in (
        ("令和6年度からの食堂", date(2024, 10, 1), None),
        ("休止した体操教室", date(2023, 1, 1), date(2025, 9, 1)),
    ):
        actions.save_place(
            coordinator,
            None,
            {
                "name": name,
                "kind": "salon",
                "district": d2,
                "host": "試験の会",
                "active": paused is None,
                "started_on": started,
                "paused_on": paused,
            },
        )
    return d2.name


def test_places_count_by_their_start_and_pause_dates(second_district: str) -> None:
    report = figures.annual(FY, TODAY)
    # 令和7年度末 (2026-03-31): the 食堂 only (the 教室 rested from 2025-09-01);
    # 令和6年度末 (2025-03-31): both. Counted by the day each was typed in, it was 0 and 0.
    assert values(report, "places")[second_district] == [1, 2]


def test_the_list_behind_the_figure_holds_the_same_places(
    second_district: str,
    personas: dict[str, Staff],
    as_user: Callable[[Staff | None], BrowserClient],
) -> None:
    client = as_user(personas["coordinator"])  # a manager reads figures, not records
    page = client.get(reverse("stats:dashboard"), {"fy": FY}).content.decode()
    places = page.split('id="cap-places"')[1].split("</table>")[0]
    row = places.split(f">{second_district}</th>")[1].split("</tr>")[0]
    links = [part.split('"')[0] for part in row.split('href="')[1:]]
    assert len(links) == 2  # a list for each 年度's figure
    earlier = client.get(links[1]).content.decode()
    assert "令和6年度からの食堂" in earlier and "休止した体操教室" in earlier
    later = client.get(links[0]).content.decode()
    assert "令和6年度からの食堂" in later and "休止した体操教室" not in later


def test_the_place_page_shows_the_dates(
    second_district: str,
    personas: dict[str, Staff],
    as_user: Callable[[Staff | None], BrowserClient],
) -> None:
    place = Place.objects.get(name="休止した体操教室")
    page = as_user(personas["community"]).get(place.get_absolute_url()).content.decode()
    assert "休止中（令和7年9月1日から）" in page
    assert "令和5年1月1日" in page


def test_the_editor_dates_a_pause_and_clears_it_on_resuming(
    second_district: str,
    personas: dict[str, Staff],
    as_user: Callable[[Staff | None], BrowserClient],
) -> None:
    client = as_user(personas["community"])
    place = Place.objects.get(name="令和6年度からの食堂")
    edit = reverse("participation:place_edit", args=[place.pk])
    form = _form(name=place.name, started_on="2024-10-01")
    assert client.post(edit, {**form, "active": ""}).status_code == 302
    place.refresh_from_db()
    assert (place.active, place.paused_on) == (False, timezone.localdate())
    assert client.post(edit, form).status_code == 302
    place.refresh_from_db()
    assert (place.active, place.paused_on, place.started_on) == (True, None, date(2024, 10, 1))


def test_a_pause_before_the_start_is_refused_and_changes_nothing(
    second_district: str,
    personas: dict[str, Staff],
    as_user: Callable[[Staff | None], BrowserClient],
) -> None:
    client = as_user(personas["community"])
    place = Place.objects.get(name="令和6年度からの食堂")
    edit = reverse("participation:place_edit", args=[place.pk])
    form = _form(name="変えた名前", started_on="2024-10-01", paused_on="2024-09-01", active="")
    response = client.post(edit, form)
    assert response.status_code == 200
    assert "休止日は開始日より後にしてください。" in response.content.decode()
    place.refresh_from_db()
    assert (place.name, place.active, place.paused_on) == ("令和6年度からの食堂", True, None)
