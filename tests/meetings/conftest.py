"""A 支援会議 and its people, built through the actions: the coordinator convenes it, a
no-consent case is on the agenda, 地域包括 (agency A) attends without a pledge yet, and
障害者相談支援 (agency B) is not invited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tomoni.cases import actions as case_actions
from tomoni.cases.models import Case, ConsentState
from tomoni.directory.models import Staff
from tomoni.meetings import actions
from tomoni.meetings.models import Attendance, Kind, Meeting

from ..cases.conftest import household_of
from ..consent import set_consent

CASE_TITLE = "立ち退きを求められている世帯"
MINUTES = "家主と面談し、退去期限の延長を相談することにした。"
DECISION = "地域包括が来週訪問し、本人の意向を確認する。"
MEETING_TITLE = "第3回 支援会議"
PLACE = "稲城市役所 401会議室"


@dataclass
class World:
    meeting: Meeting
    case: Case
    attendance: Attendance  # agency A's worker, not yet pledged
    coordinator: Staff
    attendee: Staff
    outsider: Staff


def case_of(coordinator: Staff, title: str = CASE_TITLE) -> Case:
    household = household_of(
        coordinator, ("見本", "花子", "1948-05-01", "head"), ("見本", "太郎", "1976-09-10", "child")
    )
    return case_actions.open_case(coordinator, household=household, title=title)


def no_consent_case(coordinator: Staff, title: str = CASE_TITLE) -> Case:
    case = case_of(coordinator, title)
    set_consent(coordinator, case, ConsentState.NONE, on=case.opened_on)
    case.refresh_from_db()
    return case


def meeting_of(coordinator: Staff, kind: str = Kind.SUPPORT, **fields: object) -> Meeting:
    fields.setdefault("starts_at", timezone.now() - timedelta(hours=1))
    return actions.schedule_meeting(
        coordinator,
        kind=kind,
        title=str(fields.pop("title", MEETING_TITLE)),
        place=str(fields.pop("place", PLACE)),
        **fields,  # type: ignore[arg-type]
    )


def attend(coordinator: Staff, meeting: Meeting, staff: Staff) -> Attendance:
    assert staff.agency is not None
    return actions.add_attendee(coordinator, meeting, agency=staff.agency, staff=staff)


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


@pytest.fixture
def world(personas: dict[str, Staff]) -> World:
    coordinator = personas["coordinator"]
    meeting = meeting_of(coordinator)
    case = no_consent_case(coordinator)
    actions.add_agenda_item(coordinator, meeting, case, purpose="住まいの確保")
    attendance = attend(coordinator, meeting, personas["agency_a"])
    meeting = actions.save_minutes(coordinator, meeting, MINUTES, version=meeting.version)
    actions.decide(coordinator, meeting, case, kind="role_split", text=DECISION)
    meeting.refresh_from_db()
    return World(
        meeting=meeting,
        case=case,
        attendance=attendance,
        coordinator=coordinator,
        attendee=personas["agency_a"],
        outsider=personas["agency_b"],
    )
