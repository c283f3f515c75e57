"""事業費 (issue 18, the cost sheet): the manager enters spending per 年度 by 事業 and 分野 in
one grid (all cells or none, audited); coordinators read it; it is printed and exported with
the annual report beside each 事業's main count."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.stats import actions, exports
from tomoni.stats.forms import cell_name, parse_amount
from tomoni.stats.models import Business, Cost, CostField

from ..conftest import BrowserClient
from .conftest import FY, City

COSTS = reverse("stats:costs")
REPORT = reverse("stats:report")
Client = Callable[[Staff | None], BrowserClient]
C = cell_name(Business.CONSULTATION, CostField.ELDERLY)
P = cell_name(Business.CONSULTATION, CostField.POVERTY)
OUT = cell_name(Business.OUTREACH, CostField.COMMON)


def _post(client: BrowserClient, **cells: str) -> object:
    return client.post(f"{COSTS}?fy={FY}", {"fy": FY, **cells})


def test_manager_saves_the_grid_audited(personas: dict[str, Staff], as_user: Client) -> None:
    client = as_user(personas["manager"])
    response = _post(client, **{C: "1200000", P: "300,000", OUT: "５０００００"})
    assert response.status_code == 302  # type: ignore[attr-defined]
    saved = {(c.business, c.field): c.amount for c in Cost.objects.filter(fy=FY)}
    assert saved == {
        (Business.CONSULTATION, CostField.ELDERLY): 1_200_000,
        (Business.CONSULTATION, CostField.POVERTY): 300_000,
        (Business.OUTREACH, CostField.COMMON): 500_000,
    }
    assert Cost.objects.get(field=CostField.ELDERLY).updated_by == personas["manager"]
    assert AuditEvent.objects.filter(action="create", object_type="stats.cost").count() == 3
    # Saving again: one changed, one cleared (empty), one kept as it was.
    _post(client, **{C: "1,250,000円", P: "", OUT: "500000"})
    assert Cost.objects.get(field=CostField.ELDERLY).amount == 1_250_000
    assert not Cost.objects.filter(field=CostField.POVERTY).exists()
    assert AuditEvent.objects.filter(action="change", object_type="stats.cost").count() == 1
    assert AuditEvent.objects.filter(action="delete", object_type="stats.cost").count() == 1


def test_page_shows_totals_per_row_column_and_overall(
    personas: dict[str, Staff], as_user: Client
) -> None:
    manager = personas["manager"]
    actions.set_cost(manager, FY, Business.CONSULTATION, CostField.ELDERLY, 1_000_000)
    actions.set_cost(manager, FY, Business.CONSULTATION, CostField.CHILDREN, 250_000)
    actions.set_cost(manager, FY, Business.COLLABORATION, CostField.ELDERLY, 500_000)
    sheet = exports.cost_sheet(FY)
    consultation = next(r for r in sheet.rows if r.business == Business.CONSULTATION)
    assert consultation.total == 1_250_000
    assert sheet.column_totals[list(CostField.values).index(CostField.ELDERLY)] == 1_500_000
    assert sheet.total == 1_750_000
    page = as_user(personas["coordinator"]).get(COSTS, {"fy": FY}).content.decode()
    for shown in ("1,250,000", "1,500,000", "1,750,000", "包括的相談支援", "分野共通"):
        assert shown in page, shown
    assert f'name="{C}"' not in page  # read-only: no grid form


@pytest.mark.parametrize(
    "typed",
    ["-5", "abc", "1.5", "12万", "1,000,000,000,000"],
)
def test_bad_amounts_are_refused_and_nothing_is_saved(
    typed: str, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["manager"])
    actions.set_cost(personas["manager"], FY, Business.OUTREACH, CostField.COMMON, 7)
    response = _post(client, **{C: "100000", OUT: "9", P: typed})
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "何も保存していません" in page
    assert "包括的相談支援・生活困窮" in page
    assert "金額" in page
    assert list(Cost.objects.values_list("amount", flat=True)) == [7]


def test_amounts_as_people_type_them() -> None:
    assert parse_amount("１，２００，０００") == 1_200_000
    assert parse_amount(" 1,200,000円 ") == 1_200_000
    assert parse_amount("¥3,000") == 3000
    assert parse_amount("") is None
    assert parse_amount("0") == 0
    for bad in ("-1", "1.5", "一万", "1e6"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_zero_removes_the_cell(personas: dict[str, Staff], as_user: Client) -> None:
    client = as_user(personas["manager"])
    _post(client, **{C: "1000"})
    _post(client, **{C: "０"})
    assert not Cost.objects.exists()


@pytest.mark.parametrize("name", ["window", "outreach", "community", "auditor", "agency_a"])
def test_roles_without_figures_get_404(
    name: str, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas[name])
    assert client.get(COSTS).status_code == 404
    assert _post(client, **{C: "1"}).status_code == 404  # type: ignore[attr-defined]
    assert not Cost.objects.exists()


def test_coordinator_reads_but_may_not_save(personas: dict[str, Staff], as_user: Client) -> None:
    client = as_user(personas["coordinator"])
    assert client.get(COSTS).status_code == 200
    assert _post(client, **{C: "1000"}).status_code == 403  # type: ignore[attr-defined]
    assert not Cost.objects.exists()


def test_a_year_without_costs_says_so(personas: dict[str, Staff], as_user: Client) -> None:
    page = as_user(personas["manager"]).get(COSTS, {"fy": 2026}).content.decode()
    assert "令和8年度の事業費はまだ入力されていません。" in page
    assert f'name="{C}"' in page


def test_the_dashboard_links_to_the_cost_sheet(personas: dict[str, Staff], as_user: Client) -> None:
    page = as_user(personas["manager"]).get(reverse("stats:dashboard")).content.decode()
    assert COSTS in page and "事業費の入力" in page


def _costs(manager: Staff) -> None:
    actions.set_cost(manager, FY, Business.CONSULTATION, CostField.POVERTY, 900_000)
    actions.set_cost(manager, FY, Business.COMMUNITY, CostField.COMMON, 400_000)
    actions.set_cost(manager, FY - 1, Business.CONSULTATION, CostField.POVERTY, 800_000)


def test_report_prints_the_costs_beside_the_counts(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    _costs(personas["manager"])
    page = as_user(personas["coordinator"]).get(REPORT, {"fy": FY}).content.decode()
    assert "事業費: 令和7年度（事業・分野別、円）" in page
    assert "1,300,000" in page  # 事業費合計
    assert "包括的相談支援: 1件あたり事業費" in page
    # 相談件数 合計 in FY2025 is 4 (3 new + 1 continuing): 900,000 / 4.
    assert "225,000" in page


def test_exports_include_the_cost_sheet(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    _costs(personas["manager"])
    client = as_user(personas["coordinator"])
    data = client.get(reverse("stats:export", args=["csv"]), {"fy": FY}).content
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    found = {(r[1], r[2]): r[3:] for r in rows}
    assert found[("事業費（事業別）", "事業費合計")] == ["円", "1300000", "800000"]
    assert found[("事業費（分野別）", "生活困窮")] == ["円", "900000", "800000"]
    assert found[("事業費（事業・分野別）", "地域づくり・分野共通")] == ["円", "400000", "0"]
    assert found[("事業費と主な実績", "包括的相談支援: 1件あたり事業費")] == [
        "円",
        "225000",
        "400000",
    ]
    book = client.get(reverse("stats:export", args=["xlsx"]), {"fy": FY}).content
    sheet = openpyxl.load_workbook(io.BytesIO(book))["実績"]
    assert ["事業費", "事業費（事業別）", "事業費合計", "円", 1300000, 800000] in [
        list(r) for r in sheet.iter_rows(values_only=True)
    ]
    text = io.StringIO()
    call_command("report", "--fy", str(FY), "--format", "json", "--no-suppress", stdout=text)
    tables = {t["key"]: t for s in json.loads(text.getvalue())["sections"] for t in s["tables"]}
    assert tables["costs"]["rows"][-1] == {
        "label": "事業費合計",
        "values": [1300000, 800000],
        "imported": [False, False],
    }


def test_cost_per_count_is_suppressed_with_its_count(
    city: City, personas: dict[str, Staff]
) -> None:
    """A manager's file: 1件あたり would give a suppressed count away, so it is 「-」 too."""
    manager = personas["manager"]
    actions.set_cost(manager, FY, Business.PARTICIPATION, CostField.CHILDREN, 100_000)
    from tomoni.stats import figures

    report = exports.add_costs(figures.annual(FY), FY)
    flat = {(r.table, r.label): r.cells for r in exports.flat(report, exports.threshold())}
    assert flat[("事業費と主な実績", "参加支援: 参加支援プラン（新規）")][0] == "-"
    assert flat[("事業費と主な実績", "参加支援: 1件あたり事業費")][0] == "-"
    assert flat[("事業費と主な実績", "参加支援: 事業費")][0] == 100000


def test_a_report_without_costs_has_no_cost_section(city: City) -> None:
    from tomoni.stats import figures

    report = exports.add_costs(figures.annual(FY), FY)
    assert "costs" not in [s.key for s in report.sections]
