"""Every write of 地域づくり: 協議体 and their members and meetings, 地域の取組 and their
records, events with their programme and participating groups. Each checks the policy,
validates (Japanese messages), writes and audits in one transaction; a refusal changes
nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, time
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import District, Staff
from tomoni.participation.models import Place

from .models import (
    Activity,
    ActivitySession,
    Council,
    CouncilMeeting,
    CouncilMember,
    Event,
    EventGroup,
    ProgrammeItem,
)

M = TypeVar("M", bound=models.Model)


# What each action takes, typed: a form (``DataForm.data_for_action``), the demo or a test
# builds one and mypy checks the fields. Every field is set from it; strings are stripped and
# every value checked by the action.


@dataclass(frozen=True, kw_only=True)
class CouncilData:
    name: str
    established_on: date | None = None
    purpose: str = ""


@dataclass(frozen=True, kw_only=True)
class MemberData:
    name: str
    affiliation: str
    position: str = CouncilMember.Position.MEMBER
    joined_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class MeetingData:
    held_on: date
    venue: str = ""
    attendees: Sequence[CouncilMember] = ()
    other_attendees: str = ""
    topics: str
    minutes: str = ""
    decisions: str = ""
    follow_ups: str = ""


@dataclass(frozen=True, kw_only=True)
class ActivityData:
    name: str
    district: District
    place: Place | None = None
    kind: str
    host: str
    started_on: date
    frequency: str
    origin: str
    council_meeting: CouncilMeeting | None = None
    story: str = ""
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class SessionData:
    held_on: date
    children: int = 0
    adults: int = 0
    elderly: int = 0
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class EventData:
    name: str
    kind: str = Event.Kind.FORUM
    held_on: date
    opens_at: time | None = None
    closes_at: time | None = None
    venue: str
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class ProgrammeItemData:
    starts_at: time
    title: str
    district: District | None = None
    presenter: str = ""


@dataclass(frozen=True, kw_only=True)
class GroupData:
    name: str
    district: District | None = None
    panel: bool = False
    report: bool = False
    panel_title: str = ""
    headcount: int = 1
    contact: str = ""


def _names(kind: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


COUNCIL_FIELDS = _names(CouncilData)
MEMBER_FIELDS = _names(MemberData)
MEETING_FIELDS = _names(MeetingData)
ACTIVITY_FIELDS = _names(ActivityData)
MAX_HEADCOUNT = 100_000  # participants of one day, per generation
SESSION_FIELDS = _names(SessionData)
EVENT_FIELDS = _names(EventData)
PROGRAMME_FIELDS = _names(ProgrammeItemData)
GROUP_FIELDS = _names(GroupData)


def _given(data: object, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The values to set, every field of a typed ``data``; strings stripped."""
    values = {name: getattr(data, name) for name in allowed}
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in values.items()
    }


def _required(data: dict[str, Any], labels: dict[str, str]) -> list[str]:
    return [f"{label}を入力してください。" for key, label in labels.items() if not data.get(key)]


def _not_future(day: date | None, label: str) -> list[str]:
    if day is not None and day > timezone.localdate():
        return [f"{label}に未来の日付は指定できません。"]
    return []


def _apply(obj: M, data: dict[str, Any], exclude: tuple[str, ...] = ()) -> M:
    for name, value in data.items():
        if name not in exclude:
            setattr(obj, name, value)
    return obj


def _save(
    actor: Staff, obj: models.Model, created: bool, fields: list[str], request: HttpRequest | None
) -> None:
    obj.full_clean()
    if hasattr(obj, "updated_at"):
        obj.updated_at = timezone.now()
    obj.save()
    action = Action.CREATE if created else Action.CHANGE
    record(action, actor=actor, request=request, obj=obj, detail={"fields": sorted(fields)})


# --- 協議体 ------------------------------------------------------------------------------


@transaction.atomic
def save_council(
    actor: Staff,
    district: District,
    data: CouncilData,
    *,
    request: HttpRequest | None = None,
) -> Council:
    """Set up the 協議体 of a 地区, or change its name, start and purpose."""
    council = Council.objects.select_for_update().filter(district=district).first()
    if council is None:
        access.require_create(actor, Council)
        council = Council(district=district)
    else:
        access.require(actor, access.CHANGE, council)
    cleaned = _given(data, COUNCIL_FIELDS)
    problems = _required(cleaned, {"name": "名称"})
    problems += _not_future(cleaned.get("established_on"), "設置日")
    if problems:
        raise ValidationError(problems)
    created = council.pk is None
    _save(actor, _apply(council, cleaned), created, list(cleaned), request)
    return council


@transaction.atomic
def save_member(
    actor: Staff,
    council: Council,
    member: CouncilMember | None,
    data: MemberData,
    *,
    request: HttpRequest | None = None,
) -> CouncilMember:
    """Add a member to the 協議体, or change one (退任 is a 退任日, never a deletion)."""
    access.require(actor, access.CHANGE, council)
    if member is not None and member.council_id != council.pk:
        raise access.NotVisible("community.CouncilMember", member.pk)
    cleaned = _given(data, MEMBER_FIELDS)
    problems = _required(cleaned, {"name": "氏名", "affiliation": "所属・立場"})
    joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
    if joined and left and left < joined:
        problems.append("退任日は就任日より後にしてください。")
    if problems:
        raise ValidationError(problems)
    created = member is None
    member = _apply(member or CouncilMember(council=council), cleaned)
    _save(actor, member, created, list(cleaned), request)
    return member


def _clean_meeting(council: Council, data: MeetingData) -> dict[str, Any]:
    cleaned = _given(data, MEETING_FIELDS)
    problems = _required(cleaned, {"held_on": "開催日", "topics": "議題"})
    problems += _not_future(cleaned.get("held_on"), "開催日")
    attendees = list(cleaned.get("attendees") or [])
    if any(m.council_id != council.pk for m in attendees):
        problems.append("出席した委員は、この協議体の委員から選んでください。")
    held_on = cleaned.get("held_on")
    if held_on and any(
        (m.joined_on and m.joined_on > held_on) or (m.left_on and m.left_on < held_on)
        for m in attendees
    ):
        problems.append("開催日に在任していない委員が出席者に含まれています。")
    if held_on and council.established_on and held_on < council.established_on:
        problems.append("開催日が協議体の設置日より前です。")
    if problems:
        raise ValidationError(problems)
    cleaned["attendees"] = attendees
    return cleaned


@transaction.atomic
def save_meeting(
    actor: Staff,
    council: Council,
    meeting: CouncilMeeting | None,
    data: MeetingData,
    *,
    request: HttpRequest | None = None,
) -> CouncilMeeting:
    """Record a meeting of the 協議体 (held, so not in the future), or correct the record."""
    access.require(actor, access.CHANGE, council)
    if meeting is not None:
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.council_id != council.pk:
            raise access.NotVisible("community.CouncilMeeting", meeting.pk)
    cleaned = _clean_meeting(council, data)
    created = meeting is None
    meeting = _apply(
        meeting or CouncilMeeting(council=council, created_by=actor), cleaned, ("attendees",)
    )
    _save(actor, meeting, created, list(cleaned), request)
    if isinstance(data, MeetingData) or "attendees" in data:
        meeting.attendees.set(cleaned["attendees"])
    return meeting


# --- 地域の取組 --------------------------------------------------------------------------


@transaction.atomic
def save_activity(
    actor: Staff,
    activity: Activity | None,
    data: ActivityData,
    *,
    request: HttpRequest | None = None,
) -> Activity:
    if activity is None:
        access.require_create(actor, Activity)
    else:
        access.require(actor, access.CHANGE, activity)
    cleaned = _given(data, ACTIVITY_FIELDS)
    labels = {
        "name": "名称",
        "district": "地区",
        "kind": "種類",
        "host": "運営",
        "started_on": "開始日",
        "frequency": "頻度",
        "origin": "きっかけ",
    }
    problems = [] if activity else _required(cleaned, labels)
    problems += _not_future(cleaned.get("started_on"), "開始日")
    district = cleaned.get("district") or (activity.district if activity else None)
    place = cleaned.get("place")
    if place is not None and district is not None and place.district_id != district.pk:
        problems.append("居場所は同じ地区のものを選んでください。")
    meeting = cleaned.get("council_meeting")
    if meeting is not None and district is not None and meeting.council.district_id != district.pk:
        problems.append("きっかけの会議は同じ地区の協議体のものを選んでください。")
    if meeting is not None and cleaned.get("origin", getattr(activity, "origin", "")) != (
        Activity.Origin.COUNCIL
    ):
        problems.append(
            "きっかけの会議を選ぶときは、きっかけを「協議体がきっかけ」にしてください。"
        )
    if problems:
        raise ValidationError(problems)
    created = activity is None
    activity = _apply(activity or Activity(), cleaned)
    _save(actor, activity, created, list(cleaned), request)
    return activity


@transaction.atomic
def record_session(
    actor: Staff,
    activity: Activity,
    data: SessionData,
    *,
    request: HttpRequest | None = None,
) -> ActivitySession:
    """One day the activity ran, with the number of participants per generation."""
    access.require(actor, access.CHANGE, activity)
    cleaned = _given(data, SESSION_FIELDS)
    problems = _required(cleaned, {"held_on": "実施日"})
    problems += _not_future(cleaned.get("held_on"), "実施日")
    counts = [cleaned.get(g) or 0 for g in ("children", "adults", "elderly")]
    if any(not isinstance(c, int) or not 0 <= c <= MAX_HEADCOUNT for c in counts):
        problems.append(f"参加者数は0以上{MAX_HEADCOUNT:,}以下の数で入力してください。")
    elif sum(counts) == 0:
        problems.append("参加者数をいずれかの世代に入力してください。")
    held_on = cleaned.get("held_on")
    if held_on and held_on < activity.started_on:
        problems.append("実施日が取組の開始日より前です。")
    if problems:
        raise ValidationError(problems)
    session = _apply(ActivitySession(activity=activity), cleaned)
    _save(actor, session, True, list(cleaned), request)
    return session


# --- 催し (つながりフォーラム) -----------------------------------------------------------


@transaction.atomic
def save_event(
    actor: Staff,
    event: Event | None,
    data: EventData,
    *,
    request: HttpRequest | None = None,
) -> Event:
    """An event; it may lie ahead (groups register before it is held)."""
    if event is None:
        access.require_create(actor, Event)
    else:
        access.require(actor, access.CHANGE, event)
    cleaned = _given(data, EVENT_FIELDS)
    problems = (
        [] if event else _required(cleaned, {"name": "名称", "held_on": "開催日", "venue": "会場"})
    )
    opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
    if opens and closes and closes <= opens:
        problems.append("終了時刻は開始時刻より後にしてください。")
    if problems:
        raise ValidationError(problems)
    created = event is None
    event = _apply(event or Event(), cleaned)
    _save(actor, event, created, list(cleaned), request)
    return event


@transaction.atomic
def add_programme_item(
    actor: Staff,
    event: Event,
    data: ProgrammeItemData,
    *,
    request: HttpRequest | None = None,
) -> ProgrammeItem:
    access.require(actor, access.CHANGE, event)
    cleaned = _given(data, PROGRAMME_FIELDS)
    problems = _required(cleaned, {"starts_at": "開始時刻", "title": "内容"})
    if problems:
        raise ValidationError(problems)
    item = _apply(ProgrammeItem(event=event), cleaned)
    _save(actor, item, True, list(cleaned), request)
    return item


@transaction.atomic
def register_group(
    actor: Staff,
    event: Event,
    data: GroupData,
    *,
    request: HttpRequest | None = None,
) -> EventGroup:
    """参加団体の登録: a panel exhibition, a report or both; each group once per event."""
    access.require(actor, access.CHANGE, event)
    cleaned = _given(data, GROUP_FIELDS)
    problems = _required(cleaned, {"name": "団体名"})
    if not cleaned.get("panel") and not cleaned.get("report"):
        problems.append("パネル展示か活動報告の少なくとも一方を選んでください。")
    if cleaned.get("panel") and not cleaned.get("panel_title"):
        problems.append("パネル展示のテーマを入力してください。")
    if cleaned.get("name") and event.groups.filter(name=cleaned["name"]).exists():
        problems.append("この団体はすでに登録されています。")
    if problems:
        raise ValidationError(problems)
    group = _apply(EventGroup(event=event), cleaned)
    _save(actor, group, True, list(cleaned), request)
    return group
