from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib.bizdays import (
    add_business_days,
    business_days_between,
    is_business_day,
    is_closed,
    is_holiday,
)

# The holidays package covers 1949–2099; stay inside it so the properties test real calendars.
DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2098, 12, 31))
COUNTS = st.integers(min_value=0, max_value=60)


@pytest.mark.parametrize(
    "d",
    [
        date(2026, 4, 29),  # 昭和の日
        date(2026, 5, 4),  # みどりの日
        date(2026, 5, 5),  # こどもの日
        date(2026, 5, 6),  # 振替休日 for 5/3 (Sunday)
        date(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
        date(2027, 3, 22),  # 振替休日 for 春分の日 on a Sunday
    ],
)
def test_is_holiday_knows_national_and_substitute_holidays(d):
    """National holidays, 振替休日 and 国民の休日 count as holidays."""
    assert is_holiday(d)
    assert is_closed(d)


def test_ordinary_weekdays_are_not_holidays():
    """A normal weekday is neither a holiday nor closed."""
    assert not is_holiday(date(2026, 4, 30))
    assert is_business_day(date(2026, 4, 30))


@pytest.mark.parametrize(
    "d", [date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)]
)
def test_year_end_closure_is_closed(d):
    """City offices are closed from 12/29 to 1/3 even on weekdays."""
    assert is_closed(d)


def test_days_around_year_end_closure_are_open():
    """12/28 and 1/4 (both weekdays in 2026/27) are business days."""
    assert is_business_day(date(2026, 12, 28))
    assert is_business_day(date(2027, 1, 4))


def test_weekends_are_closed():
    """Saturday and Sunday are closed."""
    assert is_closed(date(2026, 5, 2))
    assert is_closed(date(2026, 5, 3))
    assert not is_holiday(date(2026, 5, 2))


def test_add_business_days_over_golden_week_2026():
    """From Thu 4/30, day 1 is Fri 5/1; 5/2–5/6 are closed, so day 2 is Thu 5/7."""
    assert add_business_days(date(2026, 4, 30), 1) == date(2026, 5, 1)
    assert add_business_days(date(2026, 4, 30), 2) == date(2026, 5, 7)
    assert add_business_days(date(2026, 4, 30), 3) == date(2026, 5, 8)


def test_add_business_days_over_year_end():
    """One business day after 12/28 is 1/4, skipping the 年末年始 closure."""
    assert add_business_days(date(2026, 12, 28), 1) == date(2027, 1, 4)


def test_add_zero_business_days():
    """n=0 keeps a business day and otherwise moves to the next business day."""
    assert add_business_days(date(2026, 4, 30), 0) == date(2026, 4, 30)
    assert add_business_days(date(2026, 5, 2), 0) == date(2026, 5, 7)
    assert add_business_days(date(2026, 12, 29), 0) == date(2027, 1, 4)


def test_add_negative_business_days_is_an_error():
    """A negative count raises ValueError."""
    with pytest.raises(ValueError):
        add_business_days(date(2026, 4, 30), -1)


def test_business_days_between():
    """Counts business days after a up to and including b."""
    assert business_days_between(date(2026, 4, 30), date(2026, 5, 7)) == 2
    assert business_days_between(date(2026, 12, 25), date(2027, 1, 4)) == 2
    assert business_days_between(date(2026, 5, 7), date(2026, 5, 7)) == 0
    assert business_days_between(date(2026, 5, 7), date(2026, 4, 30)) == 0


@settings(max_examples=300)
@given(DATES, st.integers(min_value=1, max_value=60))
def test_result_is_a_business_day_after_start(start, n):
    """For n ≥ 1 the result is a business day strictly after start."""
    result = add_business_days(start, n)
    assert result > start
    assert is_business_day(result)


@settings(max_examples=300)
@given(DATES, COUNTS)
def test_between_inverts_add(start, n):
    """business_days_between counts back exactly the n days that were added."""
    start = add_business_days(start, 0)  # make start a business day
    assert business_days_between(start, add_business_days(start, n)) == n


@settings(max_examples=300)
@given(DATES, COUNTS)
def test_add_business_days_is_monotonic(start, n):
    """One more business day never goes back, and only closed days lie in between."""
    here, there = add_business_days(start, n), add_business_days(start, n + 1)
    # Equal only from a closed start: n=0 already moved to the first business day after it.
    assert here < there or (here == there and n == 0 and is_closed(start))
    gap = (there - here).days
    assert all(is_closed(here + timedelta(days=i)) for i in range(1, gap))
