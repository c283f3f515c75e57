"""守秘義務の誓約 over HTTP: an attendee of a 支援会議 (第106条の6) sees that the meeting exists
but none of its materials until they pledge — not on the meeting page, and 403 on the minutes
and decisions pages; after pledging, they do. Outsiders get 404 throughout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.lib.wareki import format_date
from tomoni.meetings import actions
from tomoni.meetings.models import Kind, Pledge

from ..conftest import BrowserClient
from .conftest import CASE_TITLE, DECISION, MINUTES, World, attend, meeting_of, no_consent_case

NOT_FOUND = "お探しの記録は存在しないか、閲覧する権限がありません。"
PLEDGE_LAW = "社会福祉法第106条の6 第5項"
Client = Callable[[Staff | None], BrowserClient]


def _materials_shown(text: str, world: World) -> list[str]:
    secrets = [world.case.code, CASE_TITLE, MINUTES, DECISION, "住まいの確保"]
    return [s for s in secrets if s in text]


def test_an_unpledged_attendee_sees_the_meeting_but_not_its_materials(
    world: World, as_user: Client
) -> None:
    client = as_user(world.attendee)
    page = client.get(world.meeting.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert world.meeting.title in text and PLEDGE_LAW in text and "誓約する" in text
    assert _materials_shown(text, world) == []
    for name in ("minutes", "decisions"):
        response = client.get(reverse(f"meetings:{name}", args=[world.meeting.pk]))
        assert response.status_code == 403, name
        assert _materials_shown(response.content.decode(), world) == []


def test_after_pledging_the_attendee_sees_agenda_minutes_and_decisions(
    world: World, as_user: Client
) -> None:
    client = as_user(world.attendee)
    url = world.meeting.get_absolute_url()
    response = client.post(reverse("meetings:pledge", args=[world.meeting.pk]), {"agree": "1"})
    assert response.status_code == 302 and response["Location"] == url
    pledge = Pledge.objects.get(attendance=world.attendance)
    assert pledge.signed_on == timezone.localdate() and pledge.recorded_by == world.attendee
    text = client.get(url).content.decode()
    assert set(_materials_shown(text, world)) == {
        world.case.code,
        CASE_TITLE,
        MINUTES,
        DECISION,
        "住まいの確保",
    }
    assert "誓約する" not in text and format_date(timezone.localdate()) in text
    minutes = client.get(reverse("meetings:minutes", args=[world.meeting.pk]))
    assert minutes.status_code == 200 and MINUTES in minutes.content.decode()
    assert "議事録を保存" not in minutes.content.decode()  # read only for an attendee
    decisions = client.get(reverse("meetings:decisions", args=[world.meeting.pk]))
    assert decisions.status_code == 200 and DECISION in decisions.content.decode()


def test_a_pledge_needs_the_box_ticked_and_is_recorded_once(world: World, as_user: Client) -> None:
    client = as_user(world.attendee)
    url = reverse("meetings:pledge", args=[world.meeting.pk])
    client.post(url, {})
    assert not Pledge.objects.exists()
    client.post(url, {"agree": "1"})
    response = client.post(url, {"agree": "1"}, follow=True)
    assert "既に記録されています" in response.content.decode()
    assert Pledge.objects.count() == 1


def test_only_the_attendee_pledges_for_themself(
    world: World, as_user: Client, personas: dict[str, Staff]
) -> None:
    url = reverse("meetings:pledge", args=[world.meeting.pk])
    outsider = as_user(world.outsider).post(url, {"agree": "1"})
    assert outsider.status_code == 404 and NOT_FOUND in outsider.content.decode()
    # The coordinator sees the meeting but is not on the list of attendees.
    assert as_user(world.coordinator).post(url, {"agree": "1"}).status_code == 403
    assert not Pledge.objects.exists()


def test_an_outsider_gets_404_for_the_meeting_and_every_material(
    world: World, as_user: Client
) -> None:
    client = as_user(world.outsider)
    pk = world.meeting.pk
    for url in (
        world.meeting.get_absolute_url(),
        reverse("meetings:minutes", args=[pk]),
        reverse("meetings:decisions", args=[pk]),
        reverse("meetings:meeting_ics", args=[pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert world.meeting.title not in response.content.decode()
    assert world.meeting.title not in client.get(reverse("meetings:index")).content.decode()


def test_the_coordinator_records_a_paper_pledge(world: World, as_user: Client) -> None:
    client = as_user(world.coordinator)
    url = reverse("meetings:paper_pledge", args=[world.meeting.pk])
    tomorrow = format_date(timezone.localdate() + timedelta(days=1))
    refused = client.post(
        url, {"pledge-attendance": world.attendance.pk, "pledge-signed_on": tomorrow}
    )
    text = refused.content.decode()
    assert refused.status_code == 200 and "未来の日付は指定できません" in text
    assert tomorrow in text  # what was typed is kept
    assert not Pledge.objects.exists()
    signed = timezone.localdate() - timedelta(days=2)
    response = client.post(
        url, {"pledge-attendance": world.attendance.pk, "pledge-signed_on": format_date(signed)}
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get(attendance=world.attendance)
    assert pledge.signed_on == signed and pledge.recorded_by == world.coordinator
    assert (
        as_user(world.attendee)
        .get(reverse("meetings:minutes", args=[world.meeting.pk]))
        .status_code
        == 200
    )


def test_an_attendee_cannot_record_pledges_for_others(world: World, as_user: Client) -> None:
    url = reverse("meetings:paper_pledge", args=[world.meeting.pk])
    data = {"pledge-attendance": world.attendance.pk, "pledge-signed_on": "2026-01-05"}
    assert as_user(world.attendee).post(url, data).status_code == 403
    assert not Pledge.objects.exists()


def test_a_jusou_attendee_sees_materials_without_a_pledge(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = personas["coordinator"]
    meeting = meeting_of(coordinator, Kind.JUSOU, title="重層的支援会議 11月")
    attend(coordinator, meeting, personas["agency_a"])
    client = as_user(personas["agency_a"])
    text = client.get(meeting.get_absolute_url()).content.decode()
    assert "誓約する" not in text and "議題はまだありません" in text
    assert client.get(reverse("meetings:minutes", args=[meeting.pk])).status_code == 200


def test_a_plenary_attendee_needs_a_pledge_too(personas: dict[str, Staff], as_user: Client) -> None:
    """支援会議(全体会) is a 第106条の6 meeting as well."""
    coordinator = personas["coordinator"]
    meeting = meeting_of(coordinator, Kind.PLENARY, title="全体会 第4四半期")
    case = no_consent_case(coordinator, title="全体会で共有するケース")
    actions.add_agenda_item(coordinator, meeting, case)
    attend(coordinator, meeting, personas["agency_b"])
    client = as_user(personas["agency_b"])
    text = client.get(meeting.get_absolute_url()).content.decode()
    assert "誓約する" in text and "全体会で共有するケース" not in text
    assert client.get(reverse("meetings:decisions", args=[meeting.pk])).status_code == 403
