"""The dashboard's figures cache: one entry per 年度, viewer's scope (coordinator / manager /
agency) and day; a second request is answered without recomputing, a coordinator's exact
figures are never shown to a manager, and a target change is seen at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.stats import figures
from tomoni.stats.models import Kpi, Target

from ..conftest import BrowserClient, agency_of
from .conftest import FY, City, case

DASHBOARD = reverse("stats:dashboard")
TARGETS = reverse("stats:targets")
Client = Callable[[Staff | None], BrowserClient]


def _get(client: BrowserClient) -> tuple[str, int, figures.Report]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD, {"fy": FY})
    assert response.status_code == 200
    page = re.sub(r"[A-Za-z0-9]{64}", "(csrf)", response.content.decode())  # per request
    return page, len(ctx.captured_queries), response.context["report"]


def test_second_request_reads_the_cache_and_shows_the_same_page(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["coordinator"])
    first, computed, _ = _get(client)
    second, cached, _ = _get(client)
    assert second == first
    # Session, user, the cache key's look at the targets (and the page's own few): no figure.
    assert cached < computed - 20 and cached <= 8


def test_a_cached_coordinator_figure_is_never_shown_to_a_manager(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = as_user(personas["coordinator"])
    manager = as_user(personas["manager"])
    exact, _, _ = _get(coordinator)
    # The manager's first request computes (the coordinator's entry is not theirs) ...
    suppressed, computed, _ = _get(manager)
    assert computed > 20
    assert "1〜2件は「-」" in suppressed and "1〜2件は「-」" not in exact
    assert reverse("stats:tendency_cases", args=[FY, 1]) not in suppressed
    assert reverse("stats:tendency_cases", args=[FY, 1]) in exact
    # ... and, cached in turn, each keeps seeing their own page.
    assert _get(manager)[0] == suppressed
    assert _get(coordinator)[0] == exact


def test_each_agency_has_its_own_entry(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    _get(as_user(personas["coordinator"]))
    a, b = personas["agency_a"], personas["agency_b"]
    page_a, computed_a, report_a = _get(as_user(a))
    assert computed_a > 5 and report_a.scope == "own_agency"
    assert agency_of(a).name in page_a and "支援傾向" not in page_a
    page_b, computed_b, report_b = _get(as_user(b))
    assert computed_b > 5 and report_b.agency == agency_of(b).name != agency_of(a).name
    assert agency_of(a).name not in page_b
    assert _get(as_user(a))[0] == page_a
    assert as_user(personas["window"]).get(DASHBOARD).status_code == 404


def test_new_records_wait_for_the_entry_to_expire(
    city: City, personas: dict[str, Staff], as_user: Client, settings: object
) -> None:
    client = as_user(personas["coordinator"])
    _, _, before = _get(client)
    cases = before.table("tendencies").rows[-1].values[0]
    case(city.actor, date(2025, 5, 1))
    assert _get(client)[2].table("tendencies").rows[-1].values[0] == cases  # cached
    settings.TOMONI_STATS_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    assert _get(client)[2].table("tendencies").rows[-1].values[0] == (cases or 0) + 1


def test_a_target_change_is_shown_at_once(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = as_user(personas["coordinator"])
    manager = as_user(personas["manager"])
    page, _, _ = _get(coordinator)
    assert "多機関協働の新規ケース数" not in page
    response = manager.post(TARGETS, {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "10"})
    assert response.status_code == 302
    page, computed, _ = _get(coordinator)
    assert "多機関協働の新規ケース数" in page and computed > 20
    manager.post(TARGETS, {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "25"})
    assert Target.objects.get(fy=FY, kpi=Kpi.CASES_NEW).value == 25
    page, computed, _ = _get(coordinator)
    assert computed > 20 and ">25<" in page.replace(" ", "").replace("\n", "")
    manager.post(TARGETS, {"fy": FY, "kpi": Kpi.CASES_NEW, "value": ""})
    page, _, _ = _get(coordinator)
    assert "多機関協働の新規ケース数" not in page


def test_a_target_of_another_year_keeps_this_years_entry(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["coordinator"])
    _get(client)
    Target.objects.create(fy=FY - 1, kpi=Kpi.CASES_NEW, value=5, set_by=personas["manager"])
    _, cached, _ = _get(client)
    assert cached <= 8
