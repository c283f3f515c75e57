"""Small-number suppression and the file formats of the 年度実績報告 (Excel, CSV, JSON).

Suppression (秘匿): a count from 1 up to ``TOMONI_STATS_SUPPRESS_BELOW`` − 1 (default 3, so
1 and 2) shows 「-」, so that a published table cannot point at a household. Zero is shown:
it describes nobody, and hiding it would also hide that nothing happened. An average (e.g.
days to closure) is suppressed when it is over fewer records than the threshold. Targets are
the city's own numbers and never suppressed. Coordinators see every number; everyone else,
and every export made for someone else, gets the suppressed table. Only primary suppression:
a total next to a single suppressed cell can still give it away (docs/guide.md says so).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tomoni.lib.csvio import append_xlsx_row, write_csv

from .figures import Report, Row

DASH = "-"
Cell = int | float | str | None


def threshold() -> int:
    return int(getattr(settings, "TOMONI_STATS_SUPPRESS_BELOW", 3))


def cells(row: Row, below: int) -> list[Cell]:
    """The row's values as shown: numbers, 「-」 where suppressed, None where there is none."""
    out: list[Cell] = []
    for i, value in enumerate(row.values):
        if value is None:
            out.append(None)
            continue
        number: int | float = int(value) if float(value).is_integer() and not row.is_mean else value
        if below > 0 and not row.exact:
            count = row.bases[i] if row.bases is not None else value
            if 0 < count < below:
                out.append(DASH)
                continue
        out.append(number)
    return out


@dataclass
class FlatRow:
    section: str
    table: str
    label: str
    unit: str
    cells: list[Cell]


def flat(report: Report, below: int) -> Iterator[FlatRow]:
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                unit = row.unit or ("" if row.is_mean else table.unit)
                label = row.label
                if row.imported:
                    # A file has no footnote beside the cell: the label says it.
                    years = "・".join(report.periods[i].label for i in sorted(row.imported))
                    label = f"{label}（取込: {years}）"
                yield FlatRow(section.title, table.title, label, unit, cells(row, below))


def header(report: Report) -> list[str]:
    return ["区分", "表", "項目", "単位", *(p.label for p in report.periods)]


def to_csv(
    report: Report, below: int, encoding: Literal["utf-8-sig", "cp932"] = "utf-8-sig"
) -> bytes:
    rows = ([r.section, r.table, r.label, r.unit, *r.cells] for r in flat(report, below))
    return write_csv(rows, header(report), encoding=encoding)


def to_xlsx(report: Report, below: int, title: str, note: str) -> bytes:
    """Sheet 「実績」 holds the CSV's table (header on row 1); 「説明」 says what it is."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "実績"
    append_xlsx_row(sheet, header(report))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in flat(report, below):
        append_xlsx_row(sheet, [r.section, r.table, r.label, r.unit, *r.cells])
    for column, width in zip("ABCDEFG", (22, 34, 40, 6, 24, 24, 24), strict=False):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=5):
        for cell in row:
            cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = "E2"
    about = book.create_sheet("説明")
    for line in (title, note, suppression_note(below)):
        append_xlsx_row(about, [line])
    about.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(report: Report, below: int, title: str) -> str:
    data = {
        "title": title,
        "periods": [
            {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in report.periods
        ],
        "suppressed_below": below,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "tables": [
                    {
                        "key": table.key,
                        "title": table.title,
                        "unit": table.unit,
                        "rows": [
                            {
                                "label": row.label,
                                "values": cells(row, below),
                                "imported": [i in row.imported for i in range(len(row.values))],
                            }
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in report.sections
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def suppression_note(below: int) -> str:
    if below <= 1:
        return "少数の秘匿: なし（すべての数値を表示）"
    return f"少数の秘匿: 1〜{below - 1}件は「-」で表示（0件は0と表示）"
