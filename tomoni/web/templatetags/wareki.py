"""Template filters for Japanese dates: ``{{ d|wareki }}``, ``{{ d|wareki_short }}``."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from tomoni.lib.wareki import WarekiError, format_date, to_wareki

register = template.Library()


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def wareki(value: date | datetime | None) -> str:
    """令和8年2月19日 (empty for no date)."""
    try:
        return format_date(_as_date(value))
    except WarekiError:
        return str(value)


@register.filter
def wareki_short(value: date | datetime | None) -> str:
    d = _as_date(value)
    if d is None:
        return ""
    try:
        return to_wareki(d, short=True)
    except WarekiError:
        return d.isoformat()


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    """令和8年2月19日 14:05 in Tokyo time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{wareki(local.date())} {local:%H:%M}"
