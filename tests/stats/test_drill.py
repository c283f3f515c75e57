"""Every figure opens the list of what it counts (issue 18): walked cell by cell on the known
city, as a coordinator (who sees every record), the list is as long as the figure; an agency
worker sees only what the policy lets them and is told so; a suppressed figure, a figure that
counts nothing (targets, 事業費, imported) and a manager get 404; the page's queries do not grow
with the records."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff
from tomoni.stats import figures, history
from tomoni.stats.models import Business, Cost, CostField, Kpi, Target

from ..conftest import BrowserClient, Queries
from .conftest import FY, City, build_city, case
from .test_breakdowns import breakdowns  # noqa: F401  (the known city with its breakdowns)

Client = Callable[[Staff | None], BrowserClient]
DASHBOARD = reverse("stats:dashboard")
REPORT = reverse("stats:report")


def drill(source: str, fy: int, table: str, row: int, column: int) -> str:
    return reverse("stats:drill", args=[source, fy, table, row, column])


@pytest.fixture
def known(breakdowns: City, personas: dict[str, Staff]) -> City:  # noqa: F811
    """The known city with its breakdowns, targets of both 年度 (one per 地区), a cost sheet
    and figures imported for 令和6年度 (which open no list)."""
    manager = personas["manager"]
    district = District.objects.order_by("order", "code")[0]
    for fy in (FY, FY - 1):
        Target.objects.create(fy=fy, kpi=Kpi.CASES_NEW, value=4, set_by=manager)
        Target.objects.create(fy=fy, kpi=Kpi.CONSULTATIONS_NEW, value=9, set_by=manager)
        Target.objects.create(fy=fy, kpi=Kpi.PLACES, district=district, value=3, set_by=manager)
        for business in (Business.CONSULTATION, Business.OUTREACH, Business.COLLABORATION):
            Cost.objects.create(
                fy=fy,
                business=business,
                field=CostField.ELDERLY,
                amount=100_000,
                updated_by=manager,
            )
    history.import_history(
        manager, [(2, {"年度": "令和6", "項目": "cases/新規", "値": "14"})], source="r6.csv"
    )
    return breakdowns


def cells(report: figures.Report) -> Iterator[tuple[figures.Table, int, figures.Row, int]]:
    for section in report.sections:
        for table in section.tables:
            for index, row in enumerate(table.rows):
                for column in range(len(row.values)):
                    yield table, index, row, column


@pytest.mark.parametrize(
    ("source", "fy"), [("dashboard", FY), ("dashboard", FY + 1), ("report", FY)]
)
def test_every_figure_opens_a_list_as_long_as_the_figure(
    known: City, personas: dict[str, Staff], as_user: Client, source: str, fy: int
) -> None:
    """Each counted cell of the dashboard (a past 年度, and this one so far beside last year's
    same days) and of the annual report, fetched over HTTP by a coordinator: the list holds as
    many records as the figure (a mean: as many as it is over; a sum: the same sum)."""
    client = as_user(personas["coordinator"])
    page = client.get(DASHBOARD if source == "dashboard" else REPORT, {"fy": fy})
    report: figures.Report = page.context["report"]
    text = page.content.decode()
    walked = listed = 0
    unlisted: set[str] = set()
    for table, index, row, column in cells(report):
        if not row.drillable(column):
            if row.values[column] is not None and column not in row.imported:
                unlisted.add(f"{table.key}/{row.label}")
            continue
        url = drill(source, fy, table.key, index, column)
        response = client.get(url)
        assert response.status_code == 200, url
        result: figures.Listed = response.context["result"]
        shown = response.context["page_obj"].paginator.count
        figure = row.bases[column] if row.bases is not None else row.values[column]
        where = f"{table.key}/{row.label}/{report.periods[column].label}"
        assert row.counted is not None
        if row.counted.total:
            assert result.summed == figure, where
        else:
            assert shown == result.total == figure, where
        if figure:
            assert f'href="{url}"' in text, where
            listed += 1
        walked += 1
    if source == "dashboard" and fy == FY:
        # 目標と実績 month by month: each cumulative actual opens what it counts.
        progress = page.context["progress"]
        assert progress
        for index, p in enumerate(progress):
            for month, (value, link) in enumerate(p["cells"]):
                if value is None:
                    assert link is None
                    continue
                url = drill(source, fy, "progress", index, month)
                response = client.get(url)
                assert response.status_code == 200, url
                assert response.context["page_obj"].paginator.count == value, url
                assert (link is not None) == (value > 0), url
                if link is not None:
                    assert link.name.startswith(f"令和7年度（{p['months'][month].month}月末まで） ")
                listed += value > 0
    # Only the city's own numbers open no list: targets (目標) and 事業費, and a 合計 or a
    # cost per count over an imported figure.
    assert all(key.startswith(("targets/", "costs", "consultations/合計")) for key in unlisted), (
        unlisted
    )
    assert walked > 150 and listed > 40, (walked, listed)


def test_the_drill_down_did_not_exist_before(
    known: City, personas: dict[str, Staff], as_user: Client
) -> None:
    """Issue 18: only the tendencies opened a list; now 新規相談 of 令和7年度 does, with an
    accessible name that says what it lists, and every link is audited as a list of records."""
    client = as_user(personas["coordinator"])
    page = client.get(DASHBOARD, {"fy": FY}).content.decode()
    url = drill("dashboard", FY, "consultations", 0, 0)
    assert f'href="{url}" aria-label="令和7年度 相談件数（新規・継続） 新規 5件の一覧"' in page
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    listed = [c.code for c in response.context["page_obj"].object_list]
    assert len(listed) == 5 and all(code in text for code in listed)
    assert "この数値に数えた 5件をすべて表示しています。" in text
    event = AuditEvent.objects.filter(action="list", object_type="intake.consultation").last()
    assert event is not None and event.detail["table"] == "consultations"


def test_a_contractors_coordinator_is_told_what_is_outside_their_view(
    known: City, personas: dict[str, Staff], as_user: Client, settings: object
) -> None:
    """A 委託先's coordinator sees every figure but only the records of their own work: the
    list says how many of the figure's records it leaves out."""
    settings.TOMONI_CONTRACTOR_AGENCIES = ["shakyo"]  # type: ignore[attr-defined]
    client = as_user(personas["contractor"])
    response = client.get(drill("dashboard", FY, "consultations", 2, 0))  # 合計: 6
    assert response.status_code == 200
    assert response.context["result"].total == 6
    assert response.context["page_obj"].paginator.count == 0
    text = response.content.decode()
    assert "この数値に数えた 6件のうち、あなたが閲覧できる 0件を表示しています。" in text
    assert "残りの 6件はあなたの閲覧範囲の外にあるため表示しません。" in text
    cases = client.get(drill("dashboard", FY, "tendencies", 5, 0))  # 対象ケース: 3
    assert cases.context["page_obj"].paginator.count < cases.context["result"].total


def test_an_agency_worker_lists_only_its_own_agencys_records(
    known: City, personas: dict[str, Staff], as_user: Client
) -> None:
    """地域包括1 sees its own figures; with three more of its consultations the 合計 (4) is
    shown and opens exactly those, each one the worker may see; the 令和6年度 one (1) is
    suppressed: no link, and its list is refused."""
    from tomoni import access
    from tomoni.directory.models import Agency
    from tomoni.intake.models import Consultation

    from .conftest import at, consultation

    houkatsu = Agency.objects.get(code="houkatsu1")
    for day in (2, 3, 4):
        consultation(known.actor, at(2025, 5, day), "visit", None, agency=houkatsu)
    worker = personas["agency_a"]
    client = as_user(worker)
    page = client.get(DASHBOARD, {"fy": FY}).content.decode()
    url = drill("dashboard", FY, "consultations", 2, 0)
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    shown = list(response.context["page_obj"].object_list)
    assert len(shown) == 4 == response.context["result"].total
    mine = set(access.visible(worker, Consultation).values_list("pk", flat=True))
    assert {c.pk for c in shown} <= mine
    assert all(c.agency_id == houkatsu.pk for c in shown)
    suppressed = drill("dashboard", FY, "consultations", 2, 1)
    assert f'href="{suppressed}"' not in page
    assert client.get(suppressed).status_code == 404
    # Figures an agency's page does not have, and the annual report's lists: 404.
    assert client.get(drill("dashboard", FY, "cases", 0, 0)).status_code == 404
    assert client.get(drill("report", FY, "consultations", 2, 0)).status_code == 404


@pytest.mark.parametrize("name", ["manager", "window", "outreach", "community", "auditor", "admin"])
def test_those_without_records_of_the_figures_get_404(
    known: City, personas: dict[str, Staff], as_user: Client, name: str
) -> None:
    """Managers see aggregates only (no links on their dashboard); the roles without figures
    see nothing."""
    client = as_user(personas[name])
    for source in ("dashboard", "report"):
        assert client.get(drill(source, FY, "consultations", 0, 0)).status_code == 404
    if name == "manager":
        page = client.get(DASHBOARD, {"fy": FY}).content.decode()
        assert "/stats/drill/" not in page


def test_what_counts_nothing_opens_nothing(
    known: City, personas: dict[str, Staff], as_user: Client
) -> None:
    """Targets, 事業費 and an imported figure of an earlier 年度 have no list; nor has a row,
    table or column that is not there."""
    client = as_user(personas["coordinator"])
    report: figures.Report = client.get(REPORT, {"fy": FY}).context["report"]
    targets = report.table("targets")
    goal = next(i for i, r in enumerate(targets.rows) if r.label.endswith("目標"))
    imported = next(i for i, r in enumerate(report.table("cases").rows) if r.imported)
    for url in (
        drill("report", FY, "targets", goal, 0),
        drill("report", FY, "costs", 0, 0),
        drill("report", FY, "cases", imported, 1),
        drill("report", FY, "nothing", 0, 0),
        drill("report", FY, "cases", 99, 0),
        drill("report", FY, "cases", 0, 7),
        drill("elsewhere", FY, "cases", 0, 0),
        drill("dashboard", 2001, "cases", 0, 0),
    ):
        assert client.get(url).status_code == 404, url
    actual = next(i for i, r in enumerate(targets.rows) if r.label.endswith("実績"))
    assert client.get(drill("report", FY, "targets", actual, 0)).status_code == 200


def test_the_cached_report_with_its_definitions_pickles(known: City) -> None:
    """The dashboard's cache pickles the Report: every row's definition goes with it."""
    report = figures.build(figures.dashboard_periods(FY, date(2026, 11, 27)))
    again = pickle.loads(pickle.dumps(report))  # noqa: S301  (our own bytes)
    assert [r.counted for r in again.table("consultations_route").rows] == [
        r.counted for r in report.table("consultations_route").rows
    ]
    assert all(r.counted is not None for s in again.sections for t in s.tables for r in t.rows)


def _drill_queries(queries: Queries, client: BrowserClient, url: str) -> int:
    cache.clear()
    # The figures in the cache, as after the page the figure was clicked on.
    client.get(REPORT if "/report/" in url else DASHBOARD, {"fy": FY})
    return len(queries(client, url))


@pytest.mark.parametrize(
    ("source", "table", "row"),
    [
        ("dashboard", "consultations", 2),
        ("dashboard", "meetings_cases", 0),
        ("dashboard", "tendencies", 5),
        ("dashboard", "activities", 0),
        ("report", "consultations", 2),
        ("report", "referrals_response", 4),
    ],
)
def test_the_drill_down_does_not_grow_with_the_records(
    city: City,
    personas: dict[str, Staff],
    as_user: Client,
    queries: Queries,
    source: str,
    table: str,
    row: int,
) -> None:
    """Two data sizes, the same number of queries: the figures come from the cache the page
    filled (the dashboard's, or the annual report's kept for its lists)."""
    client = as_user(personas["coordinator"])
    url = drill(source, FY, table, row, 0)
    few = _drill_queries(queries, client, url)
    build_city(city.actor)
    build_city(city.actor)
    for _ in range(12):
        case(city.actor, date(2025, 4, 1), tendency_overrides={"1": True})
    many = _drill_queries(queries, client, url)
    assert few == many
    # Session, user, the cache key's look at targets, imported figures (and 事業費), the
    # count for anyone, the page's count and rows, the audit event.
    assert many <= 14
