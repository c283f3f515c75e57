"""Meetings as iCalendar (RFC 5545) for staff calendars.

Calendars leak: they sync to phones and to cloud services outside the closed network. So an
event carries only what the meeting invitation itself would — kind, title, time and place —
and never a case, a person's name, the agenda or the minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting

# An event needs an end; a meeting scheduled without one is shown as this long.
DEFAULT_LENGTH = timedelta(minutes=90)
# The calendar feed: what is coming, and what just happened.
FEED_MONTHS_AHEAD = 12
FEED_MONTHS_BACK = 3


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier if negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has at least 28 days


def feed_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the calendar feed around today, as aware datetimes."""
    today = timezone.localdate(now)
    start = add_months(today, -FEED_MONTHS_BACK)
    end = add_months(today, FEED_MONTHS_AHEAD)
    midnight = datetime.min.time()
    return (
        timezone.make_aware(datetime.combine(start, midnight)),
        timezone.make_aware(datetime.combine(end, midnight)),
    )


def uid(meeting: Meeting) -> str:
    """Stable across exports, so a re-imported calendar updates instead of duplicating."""
    return f"meeting-{meeting.pk}@tomoni"


def _event(meeting: Meeting, tz: ZoneInfo, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", stamp)
    starts = meeting.starts_at.astimezone(tz)
    event.add("dtstart", starts)
    event.add("dtend", (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(tz))
    event.add("summary", f"{meeting.get_kind_display()} {meeting.title}")
    if meeting.place:
        event.add("location", meeting.place)
    # Not for public free/busy sharing: 支援会議 are 非公開.
    event.add("class", "PRIVATE")
    return event


def calendar(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A VCALENDAR of the meetings, times in the city's time zone (with its VTIMEZONE)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Tomoni//ともに 会議//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for meeting in meetings:
        cal.add_component(_event(meeting, tz, stamp))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
