"""Sensible ranges for the dates staff type (issue 16): a birth date from 1900 and not in the
future, an event within a configurable span of today (TOMONI_EVENT_YEARS_BACK /
TOMONI_EVENT_YEARS_AHEAD), a date of life (death, marriage, joining a household) from 1900 to
today. Forms check through WarekiDateField; actions check again with ``check`` so that a
caller that skips the form cannot write a year-1 note either."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .wareki import format_date

BIRTH = "birth"  # 1900-01-01 .. today
LIFE = "life"  # 1900-01-01 .. today: death, marriage, joining a household, membership
PAST = "past"  # today - years back .. today: something that happened
EVENT = "event"  # today - years back .. today + years ahead: also scheduled things
SEARCH = "search"  # 1900-01-01 .. today + years ahead: a filter on any stored date

EARLIEST = date(1900, 1, 1)


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def bounds(kind: str) -> tuple[date, date]:
    today = timezone.localdate()
    back = _years_from(today, -settings.TOMONI_EVENT_YEARS_BACK)
    ahead = _years_from(today, settings.TOMONI_EVENT_YEARS_AHEAD)
    return {
        BIRTH: (EARLIEST, today),
        LIFE: (EARLIEST, today),
        PAST: (back, today),
        EVENT: (back, ahead),
        SEARCH: (EARLIEST, ahead),
    }[kind]


def _shown(day: date) -> str:
    return f"{format_date(day)}（{day.isoformat()}）"


def problem(value: date, kind: str, label: str) -> str | None:
    """The message for a date outside its range, or None."""
    low, high = bounds(kind)
    if low <= value <= high:
        return None
    if kind in (BIRTH, LIFE) and value > high:
        return f"{label}が未来の日付になっています。"
    if kind in (BIRTH, LIFE):
        return f"{label}は{_shown(low)}以降の日付を入力してください。"
    return f"{label}は{_shown(low)}から{_shown(high)}までの日付を入力してください。"


def check(value: date | str | None, kind: str, label: str) -> None:
    """For actions: ValidationError when ``value`` is outside its range (a form has already
    said so at the field; this stops a caller that skips the form). An ISO text is read as
    the model field would read it."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return  # not a date at all: the model field refuses it
    if value is not None and (message := problem(value, kind, label)):
        raise ValidationError(message, code="date_out_of_range")
