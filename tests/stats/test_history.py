"""`tomoni import history`: figures of earlier 年度 from CSV (issue 18, finding 5).

UTF-8 (with or without BOM) or CP932; 年度 as 令和6 / R6 / 2024; a Japanese error report with
line numbers and nothing imported when any line is wrong; a dry run changes nothing; a second
import of the same (年度, 項目) replaces the value; only managers import (as for targets), and
every import is audited. The dashboard and the annual report show an imported figure, marked
「（取込）」, where records give none."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.stats import history
from tomoni.stats.models import HistoricalFigure

from ..commandline import DATABASE, GROUP, copy_home, tomoni
from ..conftest import BrowserClient
from .conftest import FY, City

DASHBOARD = reverse("stats:dashboard")
Client = Callable[[Staff | None], BrowserClient]
EARLIER = FY - 1  # 令和6年度: the conftest city has records in it too

GOOD = (
    "年度,項目,値,備考\r\n"
    "令和6,consultations/新規,120,紙の受付簿から\r\n"
    "R6年度,cases/新規,14,\r\n"
    "2024,meetings/支援会議,9,\r\n"
)


def _rows(text: str, encoding: str = "utf-8") -> list[tuple[int, dict[str, str]]]:
    return history.read_rows(text.encode(encoding), "auto")


def _figures() -> dict[tuple[int, str], int]:
    return {(f.fy, f.key): f.value for f in HistoricalFigure.objects.all()}


# --- reading the file ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_utf8_with_or_without_bom_and_cp932_are_read(
    personas: dict[str, Staff], encoding: str
) -> None:
    """The same file in UTF-8, UTF-8 with BOM (Excel's 「CSV UTF-8」) and CP932 (Excel's
    「CSV」) imports the same figures; 令和6, R6年度 and 2024 are all 2024 (令和6年度)."""
    rows = history.read_rows(GOOD.encode(encoding), "auto")
    result = history.import_history(personas["manager"], rows, source="r6.csv")
    assert result.created == 3
    assert _figures() == {
        (2024, "consultations/新規"): 120,
        (2024, "cases/新規"): 14,
        (2024, "meetings/支援会議"): 9,
    }
    figure = HistoricalFigure.objects.get(key="consultations/新規")
    assert figure.note == "紙の受付簿から"
    assert figure.source == "r6.csv"
    assert figure.imported_by == personas["manager"]


def test_an_encoding_can_be_named() -> None:
    """--encoding cp932 reads a CP932 file; naming UTF-8 for it is a clear Japanese error."""
    data = GOOD.encode("cp932")
    assert len(history.read_rows(data, "cp932")) == 3
    with pytest.raises(ValidationError) as refused:
        history.read_rows(data, "utf-8")
    assert "UTF-8 として読めません" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("text", "fy"),
    [
        ("令和6", 2024),
        ("令和6年度", 2024),
        ("R6", 2024),
        ("r６", 2024),
        ("2024", 2024),
        ("２０２４年度", 2024),
        ("令和元年度", 2019),
        ("平成31年度", 2019),
    ],
)
def test_years_in_wareki_and_seireki(text: str, fy: int) -> None:
    assert history.parse_fy(text) == fy


def test_a_bad_line_is_reported_with_its_number_and_nothing_is_imported(
    personas: dict[str, Staff],
) -> None:
    text = (
        "年度,項目,値,備考\r\n"
        "令和6,consultations/新規,120,\r\n"
        "令和九,cases/新規,14,\r\n"
        "令和6,cases/なにか,3,\r\n"
        "令和6,cases/終結,たくさん,\r\n"
        "令和6,consultations/新規,121,\r\n"
    )
    with pytest.raises(ValidationError) as refused:
        history.import_history(personas["manager"], _rows(text), source="bad.csv")
    assert refused.value.messages == [
        "3行目: 年度「令和九」を読めません。",
        "4行目: 項目「cases/なにか」はありません"
        "（`tomoni import history --keys` で一覧を表示できます）。",
        "5行目: 値「たくさん」は0以上の整数で入力してください。",
        "6行目: 令和6年度の「consultations/新規」は2行目にもあります。",
    ]
    assert not HistoricalFigure.objects.exists()


def test_this_year_and_later_are_refused(personas: dict[str, Staff]) -> None:
    """This 年度 is counted from the records: only earlier years can be imported."""
    with pytest.raises(ValidationError) as refused:
        history.import_history(
            personas["manager"],
            _rows("年度,項目,値\r\n2099,cases/新規,1\r\n"),
            source="x.csv",
        )
    assert refused.value.messages[0].startswith("2行目: 2099年度は取り込めません")


def test_missing_column_and_empty_file(master: None) -> None:
    with pytest.raises(ValidationError) as refused:
        _rows("年度,項目\r\n令和6,cases/新規\r\n")
    assert refused.value.messages == ["1行目: 見出しに「値」がありません（年度,項目,値,備考）。"]
    with pytest.raises(ValidationError) as empty:
        history.parse(_rows("年度,項目,値\r\n"))
    assert empty.value.messages == ["取り込む行がありません。"]


# --- the action ----------------------------------------------------------------------------


def test_dry_run_imports_nothing_and_says_what_would_be(personas: dict[str, Staff]) -> None:
    result = history.import_history(personas["manager"], _rows(GOOD), source="r6.csv", dry_run=True)
    assert (result.created, result.changed) == (3, 0)
    first = result.lines[0]
    assert (first.line, first.fy, first.key, first.value) == (2, 2024, "consultations/新規", 120)
    assert not HistoricalFigure.objects.exists()
    assert not AuditEvent.objects.filter(object_type="stats.historicalfigure").exists()


def test_a_second_import_replaces_the_value(personas: dict[str, Staff]) -> None:
    """Importing the same (年度, 項目) again updates it (a corrected file is simply loaded
    again); unchanged values are counted as such."""
    manager = personas["manager"]
    history.import_history(manager, _rows(GOOD), source="r6.csv")
    again = GOOD.replace(",120,", ",125,")
    result = history.import_history(manager, _rows(again), source="r6-fixed.csv")
    assert (result.created, result.changed, result.unchanged) == (0, 1, 2)
    figure = HistoricalFigure.objects.get(key="consultations/新規")
    assert (figure.value, figure.source) == (125, "r6-fixed.csv")


def test_an_import_is_audited(personas: dict[str, Staff]) -> None:
    manager = personas["manager"]
    history.import_history(manager, _rows(GOOD), source="r6.csv")
    event = AuditEvent.objects.get(object_type="stats.historicalfigure")
    assert event.action == AuditEvent.Action.BULK_LOAD
    assert event.actor_username == manager.username
    assert event.detail["source"] == "r6.csv"
    assert event.detail["created"] == 3
    assert event.detail["fy"] == [2024]


@pytest.mark.parametrize("name", ["coordinator", "admin", "window"])
def test_only_managers_import(personas: dict[str, Staff], name: str) -> None:
    """As for targets (policy.CREATE["stats.Target"]): the manager sets the city's figures."""
    with pytest.raises(PermissionDenied):
        history.import_history(personas[name], _rows(GOOD), source="r6.csv", dry_run=True)
    assert not HistoricalFigure.objects.exists()


# --- the figures ---------------------------------------------------------------------------


def _cells(page: str, label: str) -> str:
    start = page.index(f'<th scope="row">{label}</th>')
    return page[start : page.index("</tr>", start)]


def test_the_dashboard_shows_imported_figures_of_an_earlier_year(
    city: City, personas: dict[str, Staff], as_user: Client
) -> None:
    """Where a key matches, the 令和6年度 column shows the imported value, marked 「（取込）」;
    the 合計 follows it; figures not imported and the 令和7年度 column stay as counted."""
    history.import_history(personas["manager"], _rows(GOOD), source="r6.csv")
    response = as_user(personas["coordinator"]).get(DASHBOARD, {"fy": FY})
    report = response.context["report"]
    rows = {row.label: row for row in report.table("consultations").rows}
    assert rows["新規"].values == [3, 120]  # counted 2 in 令和6年度: the import replaces it
    assert rows["新規"].imported == {1}
    assert rows["継続"].values == [1, 0]  # not imported: as counted
    assert rows["合計"].values == [4, 120]
    assert "取り込んだ実績値" in report.table("consultations").note
    page = response.content.decode()
    assert '120<span class="stat__imported">（取込）</span>' in _cells(page, "新規")
    assert "（取込）" not in _cells(page, "継続")


def test_a_dynamic_row_missing_from_the_records_is_added(
    city: City, personas: dict[str, Staff]
) -> None:
    """A 課題 the records never counted has no row; an imported value for it adds one."""
    rows = _rows("年度,項目,値\r\n令和6,consultations_concern/ひきこもり・不登校,4\r\n")
    history.import_history(personas["manager"], rows, source="r6.csv")
    from tomoni.stats import figures

    report = figures.annual(FY)
    found = {row.label: row.values for row in report.table("consultations_concern").rows}
    assert found["ひきこもり・不登校"] == [0, 4]


def test_the_annual_report_json_marks_imported_values(
    city: City, personas: dict[str, Staff], capsys: pytest.CaptureFixture[str]
) -> None:
    history.import_history(personas["manager"], _rows(GOOD), source="r6.csv")
    call_command("report", "--fy", str(FY), "--format", "json", "--no-suppress")
    data = json.loads(capsys.readouterr().out)
    tables = {t["key"]: t for s in data["sections"] for t in s["tables"]}
    row = next(r for r in tables["cases"]["rows"] if r["label"] == "新規")
    assert row["values"][1] == 14
    assert row["imported"] == [False, True]


def test_keys_are_listed(capsys: pytest.CaptureFixture[str], master: None) -> None:
    call_command("import", "history", "--keys")
    out = capsys.readouterr().out
    assert "consultations/新規" in out
    assert "cases/新規" in out
    assert "合計" not in out  # totals follow their rows


# --- the command line ----------------------------------------------------------------------


@pytest.mark.xdist_group(GROUP)
def test_the_command_line(migrated_home: Path, tmp_path: Path) -> None:
    """`tomoni import history FILE --user NAME [--dry-run] [--encoding …]` in a subprocess,
    against a migrated home: errors by line and nothing imported, a dry run, then the import."""
    home = copy_home(migrated_home, tmp_path / "home")
    assert tomoni(home, "load_master").returncode == 0
    made = tomoni(
        home,
        "shell",
        "-c",
        "from tomoni.directory.models import Agency, Role, Staff; "
        "Staff.objects.create_user(username='kacho', password=None, role=Role.MANAGER, "
        "agency=Agency.objects.get(code='jusou'))",
    )
    assert made.returncode == 0, made.stderr
    bad = tmp_path / "bad.csv"
    bad.write_bytes((GOOD + "令和九,cases/終結,1,\r\n").encode("cp932"))
    refused = tomoni(home, "import", "history", str(bad), "--user", "kacho")
    assert refused.returncode != 0
    assert "5行目: 年度「令和九」を読めません。" in refused.stderr
    assert "何も取り込みませんでした" in refused.stderr

    good = tmp_path / "r6.csv"
    good.write_bytes(GOOD.encode("cp932"))
    dry = tomoni(home, "import", "history", str(good), "--user", "kacho", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "令和6年度 consultations/新規 = 120" in dry.stdout
    assert "--dry-run" in dry.stdout
    with sqlite3.connect(home / DATABASE) as db:
        assert db.execute("SELECT COUNT(*) FROM stats_historicalfigure").fetchone() == (0,)

    done = tomoni(home, "import", "history", str(good), "--user", "kacho", "--encoding", "cp932")
    assert done.returncode == 0, done.stderr
    assert "新規 3 件" in done.stdout
    with sqlite3.connect(home / DATABASE) as db:
        rows = db.execute("SELECT fy, key, value FROM stats_historicalfigure ORDER BY key")
        assert rows.fetchall() == [
            (2024, "cases/新規", 14),
            (2024, "consultations/新規", 120),
            (2024, "meetings/支援会議", 9),
        ]
    nobody = tomoni(home, "import", "history", str(good), "--user", "nobody")
    assert nobody.returncode != 0 and "職員「nobody」は見つかりません" in nobody.stderr
