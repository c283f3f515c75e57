"""Business days of a Japanese city office: weekends, national holidays, 年末年始 closed."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def _national_holidays(year: int) -> frozenset[date]:
    # The package knows 振替休日 and 国民の休日, but only for 1949–2099 (the 祝日法 era and
    # the years its equinox table covers); outside that it returns no holidays at all.
    return frozenset(holidays.country_holidays("JP", years=year))


def is_holiday(d: date) -> bool:
    """True on a national holiday (祝日, 振替休日, 国民の休日)."""
    return d in _national_holidays(d.year)


def _is_year_end_closure(d: date) -> bool:
    # 行政機関の休日に関する法律 closes offices from 12/29 to 1/3; cities follow it by 条例.
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def is_closed(d: date) -> bool:
    """True when the city office is closed: Saturday, Sunday, holiday or 12/29–1/3."""
    return d.weekday() >= 5 or _is_year_end_closure(d) or is_holiday(d)


def is_business_day(d: date) -> bool:
    """True when the city office is open."""
    return not is_closed(d)


def add_business_days(start: date, n: int) -> date:
    """The n-th business day after start (start not counted).

    With n=0 this is start itself if it is a business day, else the next business day,
    which is what a due date "by the next opening day" means.
    """
    if n < 0:
        raise ValueError("n must be zero or more")
    d = start
    if n == 0:
        while is_closed(d):
            d += _ONE_DAY
        return d
    while n > 0:
        d += _ONE_DAY
        if is_business_day(d):
            n -= 1
    return d


def business_days_between(a: date, b: date) -> int:
    """How many business days d satisfy a < d <= b (0 when b <= a)."""
    count = 0
    d = a + _ONE_DAY
    while d <= b:
        count += is_business_day(d)
        d += _ONE_DAY
    return count
