"""The monthly sheet as the page shows it and as files (CSV in UTF-8 with BOM or CP932, Excel):
the same cells, with 統計's small-number suppression for the manager (every figure here counts
people or their consultations). Targets and 人口 are the city's own numbers, never hidden."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font

from tomoni.lib.csvio import append_xlsx_row, write_csv
from tomoni.stats.exports import DASH, with_about

from .figures import MONTHS, YEAR, Figure, Progress, Row

Cell = int | str | None


def shown(value: int, below: int) -> Cell:
    """A count as shown: 「-」 for 1 … below − 1 (0 is shown: it describes nobody)."""
    return DASH if below > 0 and 0 < value < below else value


def month_cell(row: Row, month: int, below: int, elapsed: int) -> Cell:
    """A month's count as shown; None (「—」, an empty cell in files) for a month of the
    年度 that has not begun yet."""
    if month != YEAR and MONTHS.index(month) >= elapsed:
        return None
    return shown(row.months[month], below)


def shown_rows(
    rows: Sequence[Row], below: int, month: int, elapsed: int
) -> list[tuple[Row, Cell, Cell]]:
    """Each figure with the chosen month's count and the 年度計, as shown."""
    return [(r, month_cell(r, month, below, elapsed), shown(r.months[YEAR], below)) for r in rows]


def shown_grid(
    rows: Sequence[Row], below: int, elapsed: int
) -> list[tuple[Row, list[tuple[int, Cell]]]]:
    """Each figure with every month and the 年度計: (column key, cell)."""
    return [(r, [(m, month_cell(r, m, below, elapsed)) for m in (*MONTHS, YEAR)]) for r in rows]


@dataclass
class ProgressCells:
    figure: Figure
    cells: list[Cell]  # as TARGET_HEADER, from the 目安値 on


def progress_cells(progress: Sequence[Progress], below: int) -> list[ProgressCells]:
    """A KPI's row as shown: a rate or 達成率 made from a hidden count is hidden too."""
    out = []
    for p in progress:
        actual = shown(p.year_actual, below)
        hidden = actual == DASH
        out.append(
            ProgressCells(
                p.figure,
                [
                    f"{p.rate}",
                    f"{p.month_target}",
                    f"{p.year_target}",
                    actual,
                    DASH if hidden else ("" if p.actual_rate is None else f"{p.actual_rate}"),
                    DASH if hidden else ("" if p.achieved is None else f"{p.achieved}"),
                ],
            )
        )
    return out


HEADER = ["項目", "単位", *(f"{m}月" for m in MONTHS), "年度計"]
TARGET_HEADER = [
    "指標",
    "目安値（人口10万人・月）",
    "月の目標件数",
    "年度の目標（経過月分）",
    "年度の実績",
    "実績（人口10万人・月）",
    "達成率（%）",
]


def _lines(
    rows: Sequence[Row], progress: Sequence[Progress], below: int, elapsed: int
) -> Iterator[Sequence[object]]:
    for r, cells in shown_grid(rows, below, elapsed):
        yield [r.figure.label, r.figure.unit, *(cell for _, cell in cells)]
    if progress:
        yield []
        yield TARGET_HEADER
        for p in progress_cells(progress, below):
            yield [p.figure.label, *p.cells]


def to_csv(
    rows: Sequence[Row],
    progress: Sequence[Progress],
    below: int,
    elapsed: int,
    encoding: Literal["utf-8-sig", "cp932"] = "utf-8-sig",
) -> bytes:
    return write_csv(_lines(rows, progress, below, elapsed), HEADER, encoding=encoding)


def to_xlsx(
    rows: Sequence[Row],
    progress: Sequence[Progress],
    below: int,
    elapsed: int,
    title: str,
    note: str,
) -> bytes:
    """Sheet 「月次」 holds the CSV's table; 「説明」 says what it is."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "月次"
    append_xlsx_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _lines(rows, progress, below, elapsed):
        append_xlsx_row(sheet, values)
    sheet.column_dimensions["A"].width = 30
    sheet.freeze_panes = "C2"
    return with_about(book, title, note, below)
