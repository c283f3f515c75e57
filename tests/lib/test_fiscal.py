from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib.fiscal import fiscal_year, fiscal_year_label, fiscal_year_range
from tomoni.lib.wareki import WarekiError


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_fiscal_year_turns_on_april_first(d, fy):
    """The 年度 changes between March 31 and April 1, not on January 1."""
    assert fiscal_year(d) == fy


def test_fiscal_year_range_is_inclusive_april_to_march():
    """A 年度 runs from April 1 to the next March 31, both included."""
    assert fiscal_year_range(2026) == (date(2026, 4, 1), date(2027, 3, 31))


@settings(max_examples=500)
@given(st.dates(min_value=date(1, 4, 1), max_value=date(9998, 12, 31)))
def test_every_date_lies_in_its_fiscal_year(d):
    """Every date falls inside the range of the 年度 it is assigned to."""
    start, end = fiscal_year_range(fiscal_year(d))
    assert start <= d <= end


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2026, "令和8年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1927, "昭和2年度"),
        (1926, "大正15年度"),
        (1912, "明治45年度"),
    ],
)
def test_fiscal_year_label_uses_the_era_of_april_first(fy, label):
    """The label uses the era in force on April 1, with FY2019 as 令和元年度."""
    assert fiscal_year_label(fy) == label


def test_fiscal_year_label_before_meiji_is_an_error():
    """A 年度 whose April 1 precedes 明治 has no 和暦 label."""
    with pytest.raises(WarekiError):
        fiscal_year_label(1868)
