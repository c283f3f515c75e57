"""事例共有 for the 全体会 (issue 19): the coordinator drafts an agenda item's snapshot from the
case, anonymised through the register, reads and edits it, then saves it; a paper meeting prints
the same page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, GoalTerm
from tomoni.directory.models import Concern, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import AgendaItem, Kind
from tomoni.people.models import Household, Person

from ..conftest import BrowserClient, as_seen_now
from .conftest import agency, open_for, with_consent

PHONE = "042-377-1234"
ADDRESS = "稲城市東長沼1-1-1"
WISHES = f"見本花子さんは太郎さん（{PHONE}）と{ADDRESS}で暮らし続けたい。みほん たろう。"


def _case_with_a_story(coordinator: Staff) -> Case:
    case = with_consent(coordinator, open_for(coordinator))
    mother = case.person
    assert mother is not None
    son = Person.objects.get(memberships__household=case.household, given_name="太郎")
    Person.objects.filter(pk=son.pk).update(phone=PHONE)
    Household.objects.filter(pk=case.household_id).update(address=ADDRESS)
    case.refresh_from_db()
    actions.set_concern(coordinator, case, person=son, concern=Concern.objects.get(code="debt"))
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(
        coordinator,
        case,
        {"wishes": WISHES},
        version=None,
    )
    as_seen_now(actions.move_case, coordinator, case, "draft")
    actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="太郎さんの債務整理を見本さんと一緒に進める（昭和51年9月10日生）",
        goals=[(GoalTerm.SHORT, "債務の整理")],
        actions=[actions.PlannedAction("家計の見直し", agency("houkatsu1"), "地域包括", None)],
    )
    return case


def _fields(html: str) -> str:
    """What the form's fields hold (textareas and inputs), as the coordinator would read it."""
    areas = re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    values = re.findall(r'<input[^>]*name="question"[^>]*value="([^"]*)"', html)
    return unescape("\n".join(areas + values))


def test_the_draft_names_nobody_and_is_saved_only_when_posted(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    case = _case_with_a_story(coordinator)
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.PLENARY,
        title="支援会議（全体会）",
        starts_at=timezone.now() + timedelta(days=7),
    )
    item = meeting_actions.add_agenda_item(
        coordinator, meeting, case, purpose="見本さんの世帯への関わり方"
    )
    client = as_user(coordinator)
    url = reverse("meetings:snapshot", args=[meeting.pk, item.pk])
    page = client.get(url).content.decode()
    assert "匿名化した事例共有の下書きを作る" in page
    drafted = client.get(url + "?draft=anonymised").content.decode()
    assert "まだ保存していません" in drafted
    text = _fields(drafted)
    for secret in (
        "見本",
        "花子",
        "太郎",
        "みほん",
        "たろう",
        PHONE,
        "0423771234",
        ADDRESS,
        "東長沼",
        "昭和51年9月10日",
        "1976",
    ):
        assert secret not in text, secret
    for kept in ("本人", "債務", "暮らし続けたい", "債務整理", "（電話番号）", "（住所）"):
        assert kept in text, kept
    assert re.search(r"本人（\d+歳）", text)
    # Nothing was saved by drafting.
    assert AgendaItem.objects.get(pk=item.pk).prepared_at is None
    edited = text.split("\n")[0] + "（会議用に要約）"
    response = client.post(url, {"summary": edited, "household_note": "世帯: 本人と子"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.summary == edited and item.prepared_by == coordinator
    # The page prints for a paper meeting: a print button, the form hidden when printing.
    page = client.get(url).content.decode()
    assert "data-print" in page and "print-hide" in page


def test_only_those_who_may_change_the_meeting_and_the_case_get_a_draft(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, attendee = personas["coordinator"], personas["agency_a"]
    case = _case_with_a_story(coordinator)
    meeting = meeting_actions.schedule_meeting(
        coordinator, kind=Kind.PLENARY, title="全体会", starts_at=timezone.now()
    )
    item = meeting_actions.add_agenda_item(coordinator, meeting, case)
    assert attendee.agency is not None
    attendance = meeting_actions.add_attendee(
        coordinator, meeting, agency=attendee.agency, staff=attendee
    )
    meeting_actions.record_pledge(coordinator, attendance)
    url = reverse("meetings:snapshot", args=[meeting.pk, item.pk]) + "?draft=anonymised"
    page = as_user(attendee).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<textarea" not in body and "下書き" not in body
    assert "債務整理" not in body  # the case's own text never reaches an attendee this way
