"""Pure helpers of the monthly sheet: the months of a 年度, how many have begun, and the
targets computed from the city's 目安値 per 100,000 (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tomoni.jiritsu import exports, figures


@given(st.integers(min_value=2019, max_value=2040), st.sampled_from(figures.MONTHS))
def test_a_month_of_a_fiscal_year_is_whole_and_inside_it(fy: int, month: int) -> None:
    first, last = figures.month_range(fy, month)
    year_first, year_last = figures.month_range(fy, figures.YEAR)
    assert first.day == 1 and first.month == month == last.month
    assert year_first <= first <= last <= year_last
    assert (last.replace(day=1) == first) and (last.day >= 28)


def test_months_elapsed() -> None:
    assert figures.months_elapsed(2026, date(2026, 4, 1)) == 1
    assert figures.months_elapsed(2026, date(2026, 12, 2)) == 9
    assert figures.months_elapsed(2026, date(2027, 3, 31)) == 12
    assert figures.months_elapsed(2025, date(2026, 12, 2)) == 12
    assert figures.months_elapsed(2027, date(2026, 12, 2)) == 0


def test_months_not_begun_are_empty_and_small_counts_hidden_for_the_manager() -> None:
    row = figures.Row(figures.FIGURES["new"], {m: 1 for m in (*figures.MONTHS, figures.YEAR)})
    cells = dict(exports.shown_grid([row], 3, elapsed=9)[0][1])
    assert cells[12] == "-" and cells[1] is None and cells[3] is None
    assert dict(exports.shown_grid([row], 0, elapsed=9)[0][1])[12] == 1


def test_progress_against_the_rate_per_100k() -> None:
    class Bench:
        population = 94_000
        new_rate = Decimal("16.0")
        plan_rate = None
        employment_rate = Decimal("4")
        gain_rate = None

    rows = [
        figures.Row(f, {m: 0 for m in (*figures.MONTHS, figures.YEAR)})
        for f in figures.FIGURES.values()
    ]
    rows[0].months[figures.YEAR] = 110
    found = figures.progress(Bench(), rows, 11, 9)  # type: ignore[arg-type]
    assert [p.figure.key for p in found] == ["new", "employment"]
    new = found[0]
    assert new.month_target == Decimal("15.0")  # 16 × 94,000 / 100,000 = 15.04
    assert new.year_target == Decimal("135.0")
    assert new.actual_rate == Decimal("13.0")  # 110 × 100,000 / 94,000 / 9 = 13.00
    assert new.achieved == 81
    assert figures.progress(None, rows, 11, 9) == []
