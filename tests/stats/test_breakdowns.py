"""Issue 18, finding 3 on the known city (tests/stats/conftest.py): small-number hiding only
for counts of people, and the breakdowns a city reports — consultations by receiving agency,
by cross-cutting tag and by 対応結果, and the cases on the agenda of each kind of meeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from tomoni.directory.models import District, Staff
from tomoni.stats import exports, figures

from ..conftest import BrowserClient
from .conftest import FY, City

TODAY = date(2026, 11, 27)
BELOW = 3  # the default: 1 and 2 shown as 「-」


@pytest.fixture
def report(city: City) -> figures.Report:
    return figures.annual(FY, TODAY)


def shown(report: figures.Report, key: str, below: int = BELOW) -> dict[str, list[exports.Cell]]:
    """A table as a manager's file shows it: suppressed where it counts people."""
    table = report.table(key)
    return {row.label: exports.cells(row, below, table.people) for row in table.rows}


# --- suppression only for counts of people ---------------------------------------------------


def test_counts_that_are_not_of_people_are_never_suppressed(report: figures.Report) -> None:
    """FY2025 beside FY2024: 2 全体会 held is 2, 2 居場所 in the first 地区 is 2, the 朝市 ran
    (1) twice (2); but 2 new consultations in FY2024 — people — are still 「-」."""
    first = District.objects.order_by("order", "code")[0].name
    assert shown(report, "meetings")["支援会議(全体会)"] == [2, 0]
    assert shown(report, "places")[first] == [2, 1]
    assert shown(report, "activities")[first] == [1, 1]
    sessions = shown(report, "activity_sessions")
    assert sessions["実施回数"] == [2, 1]
    assert sessions["現役世代（18〜64歳）"] == [3, exports.DASH]  # people: 3 | 1
    assert shown(report, "consultations")["新規"] == [3, exports.DASH]
    assert not report.table("places").people and report.table("consultations").people


def test_the_files_and_the_dashboard_follow_the_same_rule(
    city: City, personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    report = figures.annual(FY, TODAY)
    first = District.objects.order_by("order", "code")[0].name
    rows = {(r.table, r.label): r.cells for r in exports.flat(report, BELOW)}
    assert rows[("居場所・社会資源（地区別・期末時点で活動中）", first)] == [2, 1]
    assert rows[("相談件数（新規・継続）", "新規")] == [3, exports.DASH]
    page = as_user(personas["manager"]).get(reverse("stats:dashboard"), {"fy": FY})
    places = page.content.decode().split('id="cap-places"')[1].split("</table>")[0]
    assert f'<th scope="row">{first}</th><td class="num">2</td>' in places
