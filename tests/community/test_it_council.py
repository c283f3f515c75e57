"""協議体 meeting records through the screens: record, correct, validation in Japanese,
nothing changed by a refusal, every write audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.community import actions
from tomoni.community.actions import MeetingData, MemberData
from tomoni.community.models import Council, CouncilMeeting, CouncilMember
from tomoni.directory.models import Staff

from ..conftest import BrowserClient
from .conftest import district, make_council

NEW = reverse("community:meeting_new", args=["oshitate"])


@pytest.fixture
def council(keeper: Staff) -> Council:
    council = make_council(keeper)
    for name, affiliation in (("見本 一郎", "自治会"), ("試験 花子", "民生委員・児童委員")):
        actions.save_member(
            keeper, council, None, MemberData(name=name, affiliation=affiliation, position="member")
        )
    return council


def _form(council: Council, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": "令和7年5月12日",
        "venue": "押立ふれあいセンター",
        "attendees": [str(m.pk) for m in council.members.all()],
        "other_attendees": "生活支援コーディネーター",
        "topics": "押立朝市の復活について",
        "minutes": "朝市の再開について話し合った。",
        "decisions": "6月から毎月第1日曜に再開する\n・実行委員会を作る",
        "follow_ups": "出店農家への声かけ",
    }
    data.update(overrides)
    return data


def test_record_a_meeting(
    council: Council, keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    """A community coordinator records a meeting; the page shows it, the chain has it."""
    client = as_user(keeper)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form(council))
    meeting = CouncilMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.held_on == date(2025, 5, 12)
    assert meeting.created_by == keeper
    assert set(meeting.attendees.values_list("name", flat=True)) == {"見本 一郎", "試験 花子"}
    assert meeting.decision_list == ["6月から毎月第1日曜に再開する", "実行委員会を作る"]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_type, event.actor_id) == (
        "create",
        "community.councilmeeting",
        keeper.pk,
    )
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "押立朝市の復活について" in page
    assert "令和7年5月12日" in page
    assert "<li>実行委員会を作る</li>" in page
    district_page = client.get(reverse("community:district", args=["oshitate"])).content.decode()
    assert "押立朝市の復活について" in district_page and "2 人" in district_page


def test_correct_a_meeting(
    council: Council, keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    meeting = actions.save_meeting(keeper, council, None, _plain(council))
    client = as_user(keeper)
    edit = reverse("community:meeting_edit", args=[meeting.pk])
    page = client.get(edit).content.decode()
    assert "押立朝市の復活について" in page
    one = council.members.order_by("pk")[0]
    response = client.post(edit, _form(council, topics="朝市の振り返り", attendees=[str(one.pk)]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topics == "朝市の振り返り"
    assert list(meeting.attendees.all()) == [one]
    assert AuditEvent.objects.filter(
        action="change", object_type="community.councilmeeting"
    ).exists()


def _plain(council: Council, **changes: Any) -> MeetingData:
    fields: dict[str, Any] = {"held_on": date(2025, 5, 12), "topics": "押立朝市の復活について"}
    return MeetingData(**{**fields, **changes})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": ""}, "開催日を入力してください。"),
        ({"topics": ""}, "議題を入力してください。"),
        ({"held_on": "令和7年2月30日"}, "日付"),
        ({"attendees": ["999999"]}, "正しく選択してください"),
    ],
)
def test_bad_input_is_refused_in_japanese(
    council: Council,
    keeper: Staff,
    as_user: Callable[..., BrowserClient],
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = as_user(keeper).post(NEW, _form(council, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="押立ふれあいセンター"' in page  # what was typed is kept
    assert CouncilMeeting.objects.count() == 0


def test_a_meeting_cannot_be_recorded_in_the_future(
    council: Council, keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_user(keeper).post(NEW, _form(council, held_on=tomorrow))
    assert "開催日に未来の日付は指定できません。" in response.content.decode()
    assert CouncilMeeting.objects.count() == 0


def test_members_of_another_council_and_former_members_are_refused(
    council: Council, keeper: Staff
) -> None:
    other = make_council(keeper, "hirao")
    stranger = actions.save_member(
        keeper, other, None, MemberData(name="仮名 次郎", affiliation="自治会", position="member")
    )
    with pytest.raises(Exception, match="この協議体の委員から選んでください"):
        actions.save_meeting(keeper, council, None, _plain(council, attendees=[stranger]))
    former = actions.save_member(
        keeper,
        council,
        None,
        MemberData(
            name="仮名 三郎",
            affiliation="老人クラブ",
            position="member",
            joined_on=date(2020, 4, 1),
            left_on=date(2025, 3, 31),
        ),
    )
    with pytest.raises(Exception, match="在任していない委員"):
        actions.save_meeting(keeper, council, None, _plain(council, attendees=[former]))
    assert CouncilMeeting.objects.count() == 0


def test_members_are_added_and_step_down(
    council: Council, keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(keeper)
    url = reverse("community:member_new", args=["oshitate"])
    response = client.post(url, {"name": "", "affiliation": "", "position": "member"})
    page = response.content.decode()
    assert "氏名を入力してください。" in page and "所属・立場を入力してください。" in page
    response = client.post(
        url,
        {"name": "模擬 四郎", "affiliation": "PTA", "position": "member", "joined_on": "R7.4.1"},
    )
    assert response.status_code == 302
    member = CouncilMember.objects.get(name="模擬 四郎")
    edit = reverse("community:member_edit", args=[member.pk])
    data = {"name": "模擬 四郎", "affiliation": "PTA", "position": "member"}
    response = client.post(edit, {**data, "joined_on": "R7.4.1", "left_on": "R7.3.1"})
    assert "退任日は就任日より後にしてください。" in response.content.decode()
    response = client.post(edit, {**data, "joined_on": "R7.4.1", "left_on": "R8.3.31"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == date(2026, 3, 31)


def test_setting_up_a_council(keeper: Staff, as_user: Callable[..., BrowserClient]) -> None:
    client = as_user(keeper)
    url = reverse("community:council_edit", args=["hirao"])
    assert "平尾地区 生活支援・介護予防サービス協議体" in client.get(url).content.decode()
    assert "名称を入力してください。" in client.post(url, {"name": ""}).content.decode()
    response = client.post(url, {"name": "平尾地区協議体", "established_on": "2017/4/1"})
    assert response.status_code == 302
    council = Council.objects.get(district=district("hirao"))
    assert council.established_on == date(2017, 4, 1)
    # A 地区 without a council offers to set one up; members and meetings wait for it.
    assert client.get(reverse("community:meeting_new", args=["sakahama"])).status_code == 404


def test_the_district_page_lists_the_council_meetings_newest_first(
    keeper: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    """Review finding 10 (issue 20): labelled 新しい順, listed oldest first (the attendance
    count's GROUP BY drops the model's ordering)."""
    council = make_council(keeper)
    for day in (date(2025, 4, 10), date(2025, 9, 5), date(2025, 6, 20)):
        actions.save_meeting(keeper, council, None, _plain(council, held_on=day))
    page = as_user(keeper).get(reverse("community:district", args=["oshitate"]))
    shown = [m.held_on for m in page.context["meetings"]]
    assert shown == [date(2025, 9, 5), date(2025, 6, 20), date(2025, 4, 10)]
    assert "の会議（新しい順）" in page.content.decode()
