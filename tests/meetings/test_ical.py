"""iCalendar export: one meeting and the user's calendar feed parse back with icalendar, carry
kind + title, time with its zone, place and a stable UID — and nothing from the agenda or the
minutes (calendars sync to phones). Each download is audited as an export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Component

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.meetings import actions, ical
from tomoni.meetings.models import Kind, Meeting

from ..conftest import BrowserClient
from .conftest import CASE_TITLE, DECISION, MINUTES, PLACE, World, attend, meeting_of

Client = Callable[[Staff | None], BrowserClient]


def _events(body: bytes) -> list[Component]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_one_meeting_exports_without_any_case_data(world: World, as_user: Client) -> None:
    actions.record_pledge(world.attendee, world.attendance)  # even with every material open
    response = as_user(world.attendee).get(reverse("meetings:meeting_ics", args=[world.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    text = body.decode()
    for secret in (CASE_TITLE, world.case.code, MINUTES, DECISION, "見本", "住まいの確保"):
        assert secret not in text, secret
    (event,) = _events(body)
    assert str(event["SUMMARY"]) == f"支援会議 {world.meeting.title}"
    assert str(event["UID"]) == f"meeting-{world.meeting.pk}@tomoni"
    assert str(event["LOCATION"]) == PLACE
    start = event.decoded("DTSTART")
    assert isinstance(start, datetime)
    assert start == world.meeting.starts_at.replace(microsecond=0)  # iCal has whole seconds
    assert str(start.tzinfo) == "Asia/Tokyo" and "TZID=Asia/Tokyo" in text
    assert "BEGIN:VTIMEZONE" in text
    assert event.decoded("DTEND") > start
    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert exported.actor_id == world.attendee.pk
    assert exported.detail == {"format": "ics", "ids": [world.meeting.pk]}


def test_the_feed_holds_my_meetings_from_three_months_back_to_a_year_ahead(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator, attendee = personas["coordinator"], personas["agency_a"]
    now = timezone.now()
    inside: list[Meeting] = []
    outside: list[Meeting] = []
    for days, into in ((-120, outside), (-60, inside), (0, inside), (330, inside), (400, outside)):
        meeting = meeting_of(
            coordinator, Kind.JUSOU, title=f"会議 {days}日", starts_at=now + timedelta(days=days)
        )
        attend(coordinator, meeting, attendee)
        into.append(meeting)
    meeting_of(coordinator, title="招かれていない会議", starts_at=now)
    client = as_user(attendee)
    first = client.get(reverse("meetings:calendar_ics"))
    assert first.status_code == 200 and first["Content-Type"] == "text/calendar; charset=utf-8"
    uids = sorted(str(e["UID"]) for e in _events(first.content))
    assert uids == sorted(f"meeting-{m.pk}@tomoni" for m in inside)
    assert "招かれていない会議" not in first.content.decode()
    # Stable: downloading again names the same events, so calendars update in place.
    again = sorted(
        str(e["UID"]) for e in _events(client.get(reverse("meetings:calendar_ics")).content)
    )
    assert again == uids
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_anonymous_and_outsiders_get_no_calendar(world: World, as_user: Client) -> None:
    url = reverse("meetings:meeting_ics", args=[world.meeting.pk])
    assert as_user(None).get(url).status_code == 302
    assert as_user(world.outsider).get(url).status_code == 404
    feed = as_user(world.outsider).get(reverse("meetings:calendar_ics"))
    assert feed.status_code == 200 and _events(feed.content) == []
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, detail__ids=[world.meeting.pk]
    ).exists()


def test_months_are_added_to_the_end_of_short_months() -> None:
    assert ical.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert ical.add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
    assert ical.add_months(date(2027, 12, 15), 12) == date(2028, 12, 15)
    assert ical.add_months(date(2028, 3, 31), -1) == date(2028, 2, 29)
