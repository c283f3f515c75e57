"""Who may do what: every working role reads 地域づくり; the community side and
coordinators keep it; read-only roles get 403 from the editors; auditor and admin get 404;
anonymous visitors go to the login page; wrong methods get 405."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from tomoni.community import actions
from tomoni.community.actions import MeetingData, MemberData
from tomoni.community.models import Activity, CouncilMeeting, CouncilMember, Event
from tomoni.directory.models import Staff

from ..conftest import BrowserClient
from .conftest import make_activity, make_council, make_event

READERS = ("window", "agency_a", "agency_b", "outreach", "manager")
KEEPERS = ("coordinator", "community")
NO_RULE = ("auditor", "admin")


@pytest.fixture
def records(keeper: Staff) -> dict[str, object]:
    council = make_council(keeper)
    member = actions.save_member(
        keeper, council, None, MemberData(name="見本 一郎", affiliation="自治会", position="chair")
    )
    meeting = actions.save_meeting(
        keeper, council, None, MeetingData(held_on=date(2025, 5, 12), topics="朝市について")
    )
    activity = make_activity(keeper)
    event = make_event(keeper)
    return {"member": member, "meeting": meeting, "activity": activity, "event": event}


def _reads(r: dict[str, object]) -> list[str]:
    meeting, activity, event = r["meeting"], r["activity"], r["event"]
    assert isinstance(meeting, CouncilMeeting)
    assert isinstance(activity, Activity) and isinstance(event, Event)
    return [
        reverse("community:index"),
        reverse("community:area", args=["area1"]),
        reverse("community:district", args=["oshitate"]),
        meeting.get_absolute_url(),
        reverse("community:activities"),
        activity.get_absolute_url(),
        reverse("community:events"),
        event.get_absolute_url(),
        reverse("community:programme_print", args=[event.pk]),
        reverse("community:agencies"),
    ]


def _writes(r: dict[str, object]) -> list[str]:
    member, meeting, activity, event = r["member"], r["meeting"], r["activity"], r["event"]
    assert isinstance(member, CouncilMember) and isinstance(meeting, CouncilMeeting)
    assert isinstance(activity, Activity) and isinstance(event, Event)
    return [
        reverse("community:council_edit", args=["oshitate"]),
        reverse("community:member_new", args=["oshitate"]),
        reverse("community:member_edit", args=[member.pk]),
        reverse("community:meeting_new", args=["oshitate"]),
        reverse("community:meeting_edit", args=[meeting.pk]),
        reverse("community:activity_new"),
        reverse("community:activity_edit", args=[activity.pk]),
        reverse("community:session_new", args=[activity.pk]),
        reverse("community:event_new"),
        reverse("community:event_edit", args=[event.pk]),
        reverse("community:programme_new", args=[event.pk]),
        reverse("community:group_new", args=[event.pk]),
    ]


def test_anonymous_is_sent_to_login(
    records: dict[str, object], as_user: Callable[..., BrowserClient]
) -> None:
    for url in _reads(records) + _writes(records):
        response = as_user(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", READERS + KEEPERS)
def test_working_roles_read(
    records: dict[str, object],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    name: str,
) -> None:
    client = as_user(personas[name])
    for url in _reads(records):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", READERS)
def test_readers_cannot_edit(
    records: dict[str, object],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    name: str,
) -> None:
    """403: they see the records but may not change them; a POST changes nothing."""
    client = as_user(personas[name])
    for url in _writes(records):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "書き換え", "topics": "書き換え"}).status_code == 403
    meeting = records["meeting"]
    assert isinstance(meeting, CouncilMeeting)
    meeting.refresh_from_db()
    assert meeting.topics == "朝市について"
    page = client.get(reverse("community:district", args=["oshitate"])).content.decode()
    assert "会議を記録" not in page and "委員を追加" not in page


@pytest.mark.parametrize("name", KEEPERS)
def test_keepers_open_every_editor(
    records: dict[str, object],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    name: str,
) -> None:
    client = as_user(personas[name])
    for url in _writes(records):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", NO_RULE)
def test_roles_without_a_rule_get_404(
    records: dict[str, object],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    name: str,
) -> None:
    client = as_user(personas[name])
    for url in _reads(records) + _writes(records):
        assert client.get(url).status_code == 404, url


def test_missing_records_are_404(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    for url in (
        reverse("community:district", args=["nowhere"]),
        reverse("community:area", args=["nowhere"]),
        reverse("community:meeting", args=[999999]),
        reverse("community:activity", args=[999999]),
        reverse("community:event", args=[999999]),
        reverse("community:member_edit", args=[999999]),
    ):
        assert client.get(url).status_code == 404, url


def test_wrong_method_is_405(
    records: dict[str, object], personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    for url in _reads(records):
        assert client.post(url, {}).status_code == 405, url
    for url in _writes(records):
        token = client.cookies["csrftoken"].value
        assert client.put(url, headers={"X-CSRFToken": token}).status_code == 405, url


def test_the_menu_leads_to_community(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    page = as_user(personas["agency_a"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("community:index")}"' in page
