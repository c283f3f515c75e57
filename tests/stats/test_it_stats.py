"""The 統計 pages, downloads and `tomoni report`: who sees what, suppression, the Excel and
CSV files opened and compared, audit of prints and exports, and the query budget."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff
from tomoni.stats import exports, figures
from tomoni.stats.models import Kpi, Target

from ..conftest import BrowserClient, Queries, agency_of
from .conftest import FY, City, build_city, case

DASHBOARD = reverse("stats:dashboard")
TARGETS = reverse("stats:targets")
REPORT = reverse("stats:report")
XLSX = reverse("stats:export", args=["xlsx"])
CSV = reverse("stats:export", args=["csv"])
Client = Callable[[Staff | None], BrowserClient]


def _rows(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def _find(rows: list[list[str]], table: str, label: str) -> list[str]:
    return next(r[4:] for r in rows if r[1] == table and r[2] == label)


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["window", "outreach", "community", "auditor", "admin"])
def test_roles_without_figures_get_404(
    name: str, city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas[name])
    for url in (DASHBOARD, REPORT, CSV, XLSX, reverse("stats:tendency_cases", args=[FY, 1])):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(db: None, client: BrowserClient) -> None:
    assert client.get(DASHBOARD).status_code == 302


def test_wrong_method_is_405(personas: dict[str, Staff], as_user: Client) -> None:
    assert as_user(personas["coordinator"]).post(DASHBOARD).status_code == 405


def test_coordinator_sees_every_number_and_drills_down(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["coordinator"])
    page = client.get(DASHBOARD, {"fy": FY}).content.decode()
    assert "相談件数（新規・継続）" in page and "<svg" in page and "<caption" in page
    assert "style=" not in page
    drill = reverse("stats:tendency_cases", args=[FY, 1])
    assert drill in page
    listed = client.get(drill).content.decode()
    assert city.cases["k2"].code in listed and city.cases["k1"].code not in listed
    assert AuditEvent.objects.filter(action="list", object_type="cases.case").exists()


def test_manager_sees_aggregates_only_suppressed(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["manager"])
    page = client.get(DASHBOARD, {"fy": FY}).content.decode()
    assert "相談件数（新規・継続）" in page
    assert reverse("stats:tendency_cases", args=[FY, 1]) not in page
    assert client.get(reverse("stats:tendency_cases", args=[FY, 1])).status_code == 404
    assert "1〜2件は「-」" in page
    for one in city.cases.values():
        assert one.code not in page


def test_agency_worker_sees_only_its_own_agency(
    city: City, personas: dict[str, Staff], as_user: Client, make_staff: Callable[..., Staff]
) -> None:
    """agency_a (地域包括1) took no consultation; a colleague at the window's agency did."""
    client = as_user(personas["agency_a"])
    page = client.get(DASHBOARD, {"fy": FY}).content.decode()
    assert agency_of(personas["agency_a"]).name in page
    assert "ケース数" not in page and "支援傾向" not in page
    response = client.get(DASHBOARD, {"fy": FY})
    report: figures.Report = response.context["report"]
    assert report.scope == "own_agency"
    assert report.table("consultations").rows[-1].values == [0, 0]  # none taken by 地域包括1
    # Referrals addressed to it: one in FY2025 (accepted), one in FY2024.
    assert report.table("referrals").rows[-1].values == [1, 1]
    for url in (REPORT, CSV, XLSX, reverse("stats:tendency_cases", args=[FY, 1])):
        assert client.get(url).status_code == 404


# --- exports -----------------------------------------------------------------------------


def test_csv_for_a_coordinator_has_exact_numbers(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    response = as_user(personas["coordinator"]).get(CSV, {"fy": FY})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data)
    assert rows[0] == ["区分", "表", "項目", "単位", "令和7年度", "令和6年度"]
    assert _find(rows, "相談件数（新規・継続）", "新規") == ["3", "2"]
    assert _find(rows, "相談方法", "電話") == ["1", "1"]
    assert AuditEvent.objects.filter(action="export", object_type="stats.report").count() == 1


def test_manager_csv_in_cp932_is_suppressed(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    response = as_user(personas["manager"]).get(CSV, {"fy": str(FY), "encoding": "cp932"})
    rows = _rows(response.content, "cp932")
    assert _find(rows, "相談件数（新規・継続）", "新規") == ["3", "-"]  # 2 → 「-」
    assert _find(rows, "相談件数（新規・継続）", "継続") == ["-", "0"]  # 0 stays 0
    assert _find(rows, "ケース数", "終結までの日数（中央値）") == ["-", ""]  # over 1 case


def test_excel_matches_the_csv(city: City, personas: dict[str, Staff], as_user: Client) -> None:
    client = as_user(personas["manager"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(XLSX, {"fy": FY}).content))
    sheet = book["実績"]
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == _rows(client.get(CSV, {"fy": FY}).content)
    assert isinstance(sheet.cell(row=2, column=5).value, int)
    assert "少数の秘匿" in book["説明"]["A3"].value


def test_report_page_is_one_printable_sheet(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    response = as_user(personas["manager"]).get(REPORT, {"fy": FY})
    page = response.content.decode()
    assert "令和7年度 重層的支援体制整備事業 実績報告" in page
    assert "print.css" in page and "stats/stats.css" in page and "style=" not in page
    assert AuditEvent.objects.filter(action="print", object_type="stats.report").exists()


@pytest.mark.pdf
def test_report_pdf_is_one_a4_page(city: City, personas: dict[str, Staff], as_user: Client) -> None:
    response = as_user(personas["coordinator"]).get(
        reverse("stats:export", args=["pdf"]), {"fy": FY}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 1
    text = pages[0].extract_text()
    assert "実績報告" in text and "A4" not in text  # the on-screen toolbar is not printed
    assert (round(float(pages[0].mediabox.width)), round(float(pages[0].mediabox.height))) == (
        595,
        842,
    )
    assert AuditEvent.objects.filter(action="print", detail__format="pdf").exists()


def test_suppression_threshold_is_a_setting(settings: object, city: City) -> None:
    report = figures.annual(FY, date(2026, 11, 27))
    row = report.table("consultations").rows[0]  # 新規 [3, 2]
    assert exports.cells(row, 3) == [3, "-"]
    assert exports.cells(row, 4) == ["-", "-"]
    assert exports.cells(row, 0) == [3, 2]
    settings.TOMONI_STATS_SUPPRESS_BELOW = 5  # type: ignore[attr-defined]
    assert exports.threshold() == 5


def test_report_command_writes_the_same_files(city: City, tmp_path: object, capsys: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    call_command(
        "report",
        "--fy",
        str(FY),
        "--format",
        "csv",
        "--encoding",
        "cp932",
        "--output",
        str(out / "r.csv"),
    )
    rows = _rows((out / "r.csv").read_bytes(), "cp932")
    assert _find(rows, "相談件数（新規・継続）", "新規") == ["3", "-"]
    call_command("report", "--fy", str(FY), "--format", "xlsx", "--output", str(out / "r.xlsx"))
    sheet = openpyxl.load_workbook(out / "r.xlsx")["実績"]
    assert sheet.cell(row=1, column=5).value == "令和7年度"
    text = io.StringIO()
    call_command("report", "--fy", str(FY), "--format", "json", "--no-suppress", stdout=text)
    data = json.loads(text.getvalue())
    tables = {t["key"]: t for s in data["sections"] for t in s["tables"]}
    assert tables["consultations"]["rows"][0]["values"] == [3, 2]
    assert data["suppressed_below"] == 0


# --- targets -----------------------------------------------------------------------------


def test_manager_sets_targets_and_sees_them_month_by_month(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["manager"])
    response = client.post(f"{TARGETS}?fy={FY}", {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "10"})
    assert response.status_code == 302
    target = Target.objects.get(fy=FY, kpi=Kpi.CASES_NEW)
    assert target.value == 10 and target.set_by == personas["manager"]
    assert AuditEvent.objects.filter(action="create", object_type="stats.target").exists()
    client.post(f"{TARGETS}?fy={FY}", {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "12"})
    assert Target.objects.get(pk=target.pk).value == 12
    progress = figures.kpi_progress(FY, date(2026, 11, 27))
    assert progress[0].actual[0] == 1  # April 2025: the one new case, cumulative
    assert progress[0].actual[-1] == 1 and progress[0].rate == 8
    page = client.get(TARGETS, {"fy": FY}).content.decode()
    assert "多機関協働の新規ケース数" in page


def test_bad_target_is_refused_and_changes_nothing(
    personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["manager"])
    response = client.post(f"{TARGETS}?fy={FY}", {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "-1"})
    assert response.status_code == 400
    response = client.post(
        f"{TARGETS}?fy={FY}",
        {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "3", "district": "1"},
    )
    assert response.status_code == 400
    assert "地区別の目標は" in response.content.decode()
    assert not Target.objects.exists()


def test_an_empty_value_removes_the_target(personas: dict[str, Staff], as_user: Client) -> None:
    client = as_user(personas["manager"])
    client.post(f"{TARGETS}?fy={FY}", {"fy": FY, "kpi": Kpi.SETTLED, "value": "4"})
    assert Target.objects.filter(kpi=Kpi.SETTLED).exists()
    client.post(f"{TARGETS}?fy={FY}", {"fy": FY, "kpi": Kpi.SETTLED, "value": ""})
    assert not Target.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="stats.target").exists()


def test_places_target_per_district_counts_that_district(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    district = District.objects.order_by("order", "code")[0]
    client = as_user(personas["manager"])
    client.post(
        f"{TARGETS}?fy={FY}",
        {"fy": FY, "kpi": Kpi.PLACES, "value": "4", "district": str(district.pk)},
    )
    (progress,) = figures.kpi_progress(FY, date(2026, 11, 27))
    assert progress.actual[0] == 1  # April 2025: the place registered in 2024
    assert progress.actual[1] == 2  # May 2025: one more
    assert progress.rate == 50


def test_coordinator_reads_targets_but_may_not_set_them(
    personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(personas["coordinator"])
    assert client.get(TARGETS).status_code == 200
    response = client.post(TARGETS, {"fy": FY, "kpi": Kpi.CASES_NEW, "value": "3"})
    assert response.status_code == 403
    assert as_user(personas["agency_a"]).get(TARGETS).status_code == 404


# --- query budget ------------------------------------------------------------------------


def _count(queries: Queries, client: BrowserClient, url: str) -> int:
    cache.clear()  # the dashboard's figures computed, not read from the cache
    return len(queries(client, url, fy=FY))


def test_query_count_does_not_grow_with_the_cases(
    city: City, personas: dict[str, Staff], as_user: Client, queries: Queries
) -> None:
    client = as_user(personas["coordinator"])
    Target.objects.create(fy=FY, kpi=Kpi.CASES_NEW, value=5, set_by=personas["manager"])
    few = {url: _count(queries, client, url) for url in (DASHBOARD, CSV, REPORT)}
    build_city(city.actor)
    for i in range(20):
        case(city.actor, date(2025, 4, 1) + timedelta(days=i), tendency_overrides={"2": True})
    many = {url: _count(queries, client, url) for url in (DASHBOARD, CSV, REPORT)}
    assert few == many
    # Measured on SQLite: the dashboard 57 (session, user, ~34 figures, tendencies in 9, the
    # target, the cache key's look at the targets), the CSV 57 and the printed report 59 (two
    # years of targets, audit event); 4 of them the breakdowns by 受付機関, 横断タグ, 対応結果
    # and the cases per kind of meeting (one query each).
    assert max(many.values()) <= 59


def test_a_year_without_targets_says_so(
    personas: dict[str, Staff], as_user: Client, city: City
) -> None:
    """Issue 18: 「目標と実績」 was an empty table (or nothing) with no word that no targets are
    set; the manager is told where to set them, the coordinator who sets them."""
    Target.objects.all().delete()
    cache.clear()
    for persona, who in (("manager", "「目標値の設定」から入力"), ("coordinator", "管理職が")):
        page = as_user(personas[persona]).get(DASHBOARD, {"fy": FY}).content.decode()
        assert "目標値はまだ設定されていません" in page and who in page, persona


def test_only_counts_of_people_are_suppressed(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    """Issue 18: small-number hiding protects people; meetings held and the agencies attending
    the 全体会 identify nobody and are shown as they are."""
    response = as_user(personas["manager"]).get(CSV, {"fy": str(FY), "encoding": "utf-8"})
    rows = _rows(response.content, "utf-8")
    assert _find(rows, "開催した会議（種別）", "支援会議(全体会)") == ["2", "0"]
    assert _find(rows, "開催した会議（種別）", "支援会議") == ["1", "0"]
    once = [r[4:] for r in rows if r[1] == "支援会議(全体会)の参加機関" and r[4] == "1"]
    assert once, "the agency that attended once is shown, not 「-」"
    assert _find(rows, "相談件数（新規・継続）", "新規") == ["3", "-"]  # people: still hidden
