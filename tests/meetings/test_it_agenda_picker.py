"""Putting the right family on an agenda (issue 20, finding 2): the 議題 select listed about 30
cases by K-number and title only, four of them 「中学生の長女が母の世話…」, and the case page
had no way to put its case on a meeting's agenda."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.directory.models import Staff
from tomoni.meetings.models import AgendaItem, Kind

from ..cases.conftest import household_of
from .conftest import meeting_of

TITLE = "中学生の長女が母の世話をしている"


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return [
        re.sub(r"\s+", " ", o).strip()
        for o in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)
    ]


def test_cases_with_the_same_title_are_told_apart_by_person_and_district(
    coordinator: Staff, as_user: Callable[..., Client]
) -> None:
    for family, given in (("見本", "花子"), ("仮名", "良子")):
        household = household_of(coordinator, (family, given, "1980-04-01", "head"))
        case_actions.open_case(coordinator, household=household, title=TITLE)
    meeting = meeting_of(coordinator, starts_at=timezone.now() + timedelta(days=3))
    html = as_user(coordinator).get(meeting.get_absolute_url()).content.decode()
    options = [o for o in _options(html, "id_agenda-case") if TITLE in o]
    assert len(options) == 2 and options[0] != options[1]
    assert any("見本 花子" in o for o in options) and any("仮名 良子" in o for o in options)
    # A search box filters the list (tomoni.js), hidden until the script shows it.
    assert re.search(r'<input[^>]*data-filter-options="id_agenda-case"', html)


def test_the_case_page_puts_its_case_on_an_upcoming_meeting(
    coordinator: Staff, as_user: Callable[..., Client]
) -> None:
    household = household_of(coordinator, ("見本", "花子", "1980-04-01", "head"))
    case = case_actions.open_case(coordinator, household=household, title=TITLE)
    soon = meeting_of(
        coordinator, title="支援会議（12月）", starts_at=timezone.now() + timedelta(days=3)
    )
    past = meeting_of(
        coordinator, title="支援会議（先月）", starts_at=timezone.now() - timedelta(days=30)
    )
    client = as_user(coordinator)
    html = client.get(case.get_absolute_url()).content.decode()
    offered = _options(html, "id_agenda-meeting")
    assert any("支援会議（12月）" in o for o in offered)
    assert not any("支援会議（先月）" in o for o in offered)
    response = client.post(
        reverse("meetings:agenda_from_case", args=[case.pk]),
        {"agenda-meeting": str(soon.pk), "agenda-purpose": "役割分担の確認"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{soon.get_absolute_url()}#agenda"
    item = AgendaItem.objects.get(meeting=soon)
    assert (item.case, item.purpose) == (case, "役割分担の確認")
    # Once on it, the meeting is no longer offered; the past one never was.
    again = client.get(case.get_absolute_url()).content.decode()
    assert "id_agenda-meeting" not in again or not any(
        "支援会議（12月）" in o for o in _options(again, "id_agenda-meeting")
    )
    assert not AgendaItem.objects.filter(meeting=past).exists()


def test_adding_from_the_case_page_is_refused_in_japanese_and_404_for_outsiders(
    coordinator: Staff, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = household_of(coordinator, ("見本", "花子", "1980-04-01", "head"))
    case = case_actions.open_case(coordinator, household=household, title=TITLE)
    jusou = meeting_of(coordinator, kind=Kind.JUSOU, starts_at=timezone.now() + timedelta(days=3))
    url = reverse("meetings:agenda_from_case", args=[case.pk])
    page = as_user(coordinator).post(url, {"agenda-meeting": str(jusou.pk)}, follow=True)
    assert "本人同意" in page.content.decode()  # no consent yet: a 支援会議, not a 重層的支援会議
    assert not AgendaItem.objects.exists()
    odd = as_user(coordinator).post(url, {"agenda-meeting": "x"}, follow=True).content.decode()
    assert "選んだ会議には追加できません。" in odd
    assert (
        as_user(personas["agency_b"]).post(url, {"agenda-meeting": str(jusou.pk)}).status_code
        == 404
    )
    assert as_user(coordinator).get(url).status_code == 405


def test_choosing_a_case_shows_who_is_in_its_household_before_adding(
    coordinator: Staff, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """The select is wired to a preview (htmx): the case chosen, its 地区 and the household's
    members as the case lets them be shown, so the worker sees whose family it is before
    pressing 「議題に追加」. Reading it is audited; someone who may not see the case gets 404."""
    household = household_of(
        coordinator,
        ("見本", "花子", "1948-05-01", "head"),
        ("見本", "太郎", "1976-09-10", "child"),
    )
    case = case_actions.open_case(coordinator, household=household, title=TITLE)
    meeting = meeting_of(coordinator, starts_at=timezone.now() + timedelta(days=3))
    client = as_user(coordinator)
    page = client.get(meeting.get_absolute_url()).content.decode()
    preview = reverse("meetings:agenda_preview", args=[meeting.pk])
    select = re.search(r'<select[^>]*id="id_agenda-case"[^>]*>', page)
    assert select and f'hx-get="{preview}"' in select.group(0)
    assert 'id="agenda-preview"' in page

    mark = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    shown = client.get(preview, {"agenda-case": case.pk})
    assert shown.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", shown.content.decode()).split())
    assert case.code in text and "見本 花子" in text and "見本 太郎" in text
    assert "世帯主" in text and "子" in text
    assert AuditEvent.objects.filter(
        seq__gt=mark, action="view", object_type="cases.case", object_id=str(case.pk)
    ).exists()
    assert client.get(preview, {"agenda-case": ""}).status_code == 200  # nothing chosen
    outsider = as_user(personas["agency_b"])
    assert outsider.get(preview, {"agenda-case": case.pk}).status_code == 404
