"""年度: the April–March year that budgets, targets and statistics are counted in."""

from __future__ import annotations

from datetime import date

from tomoni.lib.wareki import era_of

_REIWA_FIRST_FY = 2019


def fiscal_year(d: date) -> int:
    """The 年度 d belongs to, named by the calendar year of its April (2026-03-31 → 2025)."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """First and last day of 年度 fy, both inclusive (April 1 to March 31)."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def fiscal_year_label(fy: int) -> str:
    """「令和8年度」: the era in force on April 1 of fy, except FY2019 = 令和元年度.

    FY2019 began under 平成 (令和 started 2019-05-01), but after the 改元 the government and
    municipalities call it 令和元年度, and that is what reports and staff expect.
    """
    if fy == _REIWA_FIRST_FY:
        return "令和元年度"
    april = date(fy, 4, 1)
    era = era_of(april)
    year = april.year - era.start.year + 1
    return f"{era.name}{'元' if year == 1 else year}年度"


def fiscal_year_choices(newest: int, oldest: int) -> list[tuple[int, str]]:
    """The 年度 a picker offers, newest first, each with its label (2026 → 令和8年度)."""
    return [(fy, fiscal_year_label(fy)) for fy in range(newest, oldest - 1, -1)]
