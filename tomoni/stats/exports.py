"""Small-number suppression and the file formats of the 年度実績報告 (Excel, CSV, JSON).

Suppression (秘匿): a count from 1 up to ``TOMONI_STATS_SUPPRESS_BELOW`` − 1 (default 3, so
1 and 2) shows 「-」, so that a published table cannot point at a household. Zero is shown:
it describes nobody, and hiding it would also hide that nothing happened. An average (e.g.
days to closure) is suppressed when it is over fewer records than the threshold. Only counts
of people are suppressed: a table that counts something else (``Table.people`` False:
meetings held, the agencies attending, 居場所, 地域の取組) is shown as it is. Targets are
the city's own numbers and never suppressed. Coordinators see every number; everyone else,
and every export made for someone else, gets the suppressed table. Only primary suppression:
a total next to a single suppressed cell can still give it away (docs/guide.md says so).

The cost sheet (事業費, ``models.Cost``) is read here too: ``cost_sheet`` is the grid of one
年度 (事業 × 分野, with totals) for the 事業費 page and the printed report, and
``add_costs`` puts it into the annual ``Report`` as the section 「事業費」, so the Excel, CSV
and JSON files carry it like any table. Amounts are the city's own numbers (never
suppressed); a cost per count (1件あたり) is suppressed with its count.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tomoni.lib.csvio import append_xlsx_row, write_csv
from tomoni.lib.fiscal import fiscal_year

from .figures import Report, Row, Section, Table, combined
from .models import Business, Cost, CostField

DASH = "-"
Cell = int | float | str | None


def threshold() -> int:
    return int(getattr(settings, "TOMONI_STATS_SUPPRESS_BELOW", 3))


def cells(row: Row, below: int, people: bool = True) -> list[Cell]:
    """The row's values as shown: numbers, 「-」 where suppressed, None where there is none.
    Only counts of people are suppressed: not a row of a table that counts something else
    (``people`` False: meetings held, agencies attending, 居場所, 地域の取組), nor an exact row."""
    out: list[Cell] = []
    for i, value in enumerate(row.values):
        if value is None:
            out.append(None)
            continue
        number: int | float = int(value) if float(value).is_integer() and not row.is_mean else value
        if below > 0 and people and not row.exact:
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
                yield FlatRow(
                    section.title, table.title, label, unit, cells(row, below, table.people)
                )


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
    return with_about(book, title, note, below)


def with_about(book: Workbook, title: str, note: str, below: int) -> bytes:
    """The workbook as a file, with a sheet 「説明」 saying what it is and what is hidden."""
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
                                "values": cells(row, below, table.people),
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


# --- 事業費 (the cost sheet) --------------------------------------------------------------


@dataclass
class CostRow:
    business: str
    label: str
    amounts: list[int | None]  # per 分野, None where nothing was entered
    total: int

    @property
    def shown(self) -> list[str]:
        """The amounts as printed: 「1,200,000」, empty where nothing was entered."""
        return [yen(a) if a else "" for a in self.amounts]

    @property
    def shown_total(self) -> str:
        return yen(self.total)


@dataclass
class CostSheet:
    """One 年度's 事業費: rows 事業, columns 分野, totals per row, per column and overall."""

    fy: int
    fields: list[tuple[str, str]]
    rows: list[CostRow] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    total: int = 0
    amounts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.amounts

    @property
    def shown_column_totals(self) -> list[str]:
        return [yen(t) for t in self.column_totals]

    @property
    def shown_total(self) -> str:
        return yen(self.total)


def yen(amount: int) -> str:
    """「1,200,000」: an amount in 円 with thousands separators."""
    return f"{amount:,}"


def cost_sheet(fy: int, amounts: dict[tuple[str, str], int] | None = None) -> CostSheet:
    """The grid of 年度 ``fy`` (from the database unless ``amounts`` are given)."""
    if amounts is None:
        amounts = {
            (business, where): amount
            for business, where, amount in Cost.objects.filter(fy=fy).values_list(
                "business", "field", "amount"
            )
        }
    sheet = CostSheet(fy, list(CostField.choices), amounts=amounts)
    for business, label in Business.choices:
        row = [amounts.get((business, where)) for where, _ in CostField.choices]
        sheet.rows.append(CostRow(business, label, row, sum(a or 0 for a in row)))
    sheet.column_totals = [
        sum(amounts.get((business, where), 0) for business in Business.values)
        for where in CostField.values
    ]
    sheet.total = sum(amounts.values())
    return sheet


# Each 事業's main count already in the report: (table key, row labels summed, label).
# 地域づくり has none (居場所 and 地域の取組 are not what its money buys one by one).
ACTIVITY: dict[str, tuple[str, tuple[str, ...], str]] = {
    Business.CONSULTATION: ("consultations", ("合計",), "相談件数（新規・継続）"),
    Business.PARTICIPATION: (
        "participation",
        ("参加支援プラン（新規）",),
        "参加支援プラン（新規）",
    ),
    Business.OUTREACH: ("engagements", ("新規", "継続"), "アウトリーチの対象（新規・継続）"),
    Business.COLLABORATION: ("cases", ("新規", "継続"), "多機関協働のケース（新規・継続）"),
}


def add_costs(report: Report, fy: int) -> Report:
    """Append the section 「事業費」 to the annual report of ``fy`` when any cost was entered
    for its 年度 or the one before (a report without costs is as it was). One query."""
    years = [fiscal_year(p.start) for p in report.periods]
    found: dict[int, dict[tuple[str, str], int]] = {fy: {} for fy in years}
    for year, business, where, amount in Cost.objects.filter(fy__in=years).values_list(
        "fy", "business", "field", "amount"
    ):
        found[year][(business, where)] = amount
    if not any(found.values()):
        return report
    sheets = [cost_sheet(year, found[year]) for year in years]

    def used(values: list[int]) -> bool:
        return any(values)

    by_business = [
        Row(label, [float(s.rows[i].total) for s in sheets], exact=True)
        for i, (_, label) in enumerate(Business.choices)
        if used([s.rows[i].total for s in sheets])
    ]
    total = Row("事業費合計", [float(s.total) for s in sheets], exact=True)
    by_field = [
        Row(label, [float(s.column_totals[i]) for s in sheets], exact=True)
        for i, (_, label) in enumerate(CostField.choices)
        if used([s.column_totals[i] for s in sheets])
    ]
    cells_ = [
        Row(f"{b_label}・{f_label}", [float(s.amounts.get((b, f), 0)) for s in sheets], exact=True)
        for b, b_label in Business.choices
        for f, f_label in CostField.choices
        if used([s.amounts.get((b, f), 0) for s in sheets])
    ]
    tables = [
        Table("costs", "事業費（事業別）", [*by_business, total], unit="円", chart=False),
        Table("costs_field", "事業費（分野別）", [*by_field, total], unit="円", chart=False),
        Table("costs_cells", "事業費（事業・分野別）", cells_, unit="円", chart=False),
    ]
    activity = _activity_rows(report, sheets)
    if activity:
        tables.append(Table("costs_activity", "事業費と主な実績", activity, chart=False))
    report.sections.append(Section("costs", "事業費", tables))
    return report


def _activity_rows(report: Report, sheets: list[CostSheet]) -> list[Row]:
    rows: list[Row] = []
    for b, b_label in Business.choices:
        if b not in ACTIVITY:
            continue
        key, labels, name = ACTIVITY[b]
        costs = [next(r.total for r in s.rows if r.business == b) for s in sheets]
        if not any(costs):
            continue
        try:
            table = report.table(key)
        except KeyError:
            continue
        source = [r for r in table.rows if r.label in labels]
        if len(source) != len(labels):
            continue
        counts: list[int | None] = []
        for i in range(len(sheets)):
            values = [r.values[i] for r in source]
            counts.append(
                None if any(v is None for v in values) else int(sum(v or 0 for v in values))
            )
        imported = set().union(*(r.imported for r in source))
        counted = combined(source)
        rows.append(Row(f"{b_label}: 事業費", [float(c) for c in costs], exact=True, unit="円"))
        rows.append(
            Row(
                f"{b_label}: {name}",
                [c if c is None else float(c) for c in counts],
                unit="件",
                imported=imported,
                counted=counted,
            )
        )
        rows.append(
            Row(
                f"{b_label}: 1件あたり事業費",
                [
                    round(cost / count) if cost and count else None  # int: shown as 円
                    for cost, count in zip(costs, counts, strict=True)
                ],
                bases=[count or 0 for count in counts],
                unit="円",
                counted=counted,
                unlisted=set(imported),  # over an imported count: no records behind it
            )
        )
    return rows
