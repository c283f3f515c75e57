"""The つながりフォーラム: register an event, its programme with per-地区 活動報告, the
participating groups (panel exhibitions), and print the programme (A4 page and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.community.models import Event, EventGroup, ProgrammeItem
from tomoni.directory.models import Staff

from ..conftest import BrowserClient
from .conftest import district, make_event


def _group(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "押立朝市実行委員会",
        "district": str(district("oshitate").pk),
        "panel": "on",
        "panel_title": "朝市が帰ってきた",
        "headcount": "3",
        "contact": "実行委員会事務局",
    }
    data.update(overrides)
    return data


def test_create_an_event(keeper: Staff, as_user: Callable[..., BrowserClient]) -> None:
    client = as_user(keeper)
    url = reverse("community:event_new")
    response = client.post(url, {"name": "", "kind": "forum", "held_on": "", "venue": ""})
    page = response.content.decode()
    assert "名称を入力してください。" in page and "開催日を入力してください。" in page
    response = client.post(
        url,
        {
            "name": "つながりフォーラム",
            "kind": "forum",
            "held_on": "令和9年2月20日",  # events may lie ahead: groups register before
            "opens_at": "16:00",
            "closes_at": "13:00",
            "venue": "プラザ",
        },
    )
    assert "終了時刻は開始時刻より後にしてください。" in response.content.decode()
    assert Event.objects.count() == 0
    data = {"name": "つながりフォーラム", "kind": "forum", "held_on": "R9.2.20", "venue": "プラザ"}
    response = client.post(url, data)
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()


def test_register_groups_and_programme(
    keeper: Staff, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    event = make_event(keeper)
    client = as_user(keeper)
    groups = reverse("community:group_new", args=[event.pk])
    response = client.post(groups, _group(panel="", report=""))
    assert "パネル展示か活動報告の少なくとも一方を選んでください。" in response.content.decode()
    response = client.post(groups, _group(panel_title=""))
    assert "パネル展示のテーマを入力してください。" in response.content.decode()
    assert client.post(groups, _group()).status_code == 302
    response = client.post(groups, _group())
    assert "この団体はすでに登録されています。" in response.content.decode()
    assert EventGroup.objects.count() == 1
    programme = reverse("community:programme_new", args=[event.pk])
    item = {"starts_at": "13:10", "title": "押立地区の活動報告", "presenter": "押立地区協議体"}
    assert "開始時刻を入力してください。" in client.post(programme, {"title": "x"}).content.decode()
    response = client.post(programme, {**item, "district": str(district("oshitate").pk)})
    assert response.status_code == 302
    client.post(programme, {"starts_at": "13:00", "title": "開会"})
    assert list(ProgrammeItem.objects.values_list("title", flat=True)) == [
        "開会",
        "押立地区の活動報告",
    ]
    page = as_user(personas["window"]).get(event.get_absolute_url()).content.decode()
    assert "朝市が帰ってきた" in page and "1 団体・3 人" in page


@pytest.mark.pdf
def test_print_the_programme(
    keeper: Staff, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    event = make_event(keeper)
    client = as_user(keeper)
    client.post(
        reverse("community:programme_new", args=[event.pk]),
        {
            "starts_at": "13:10",
            "title": "平尾地区の活動報告",
            "district": str(district("hirao").pk),
        },
    )
    client.post(reverse("community:group_new", args=[event.pk]), _group())
    reader = as_user(personas["agency_a"])
    page = reader.get(reverse("community:programme_print", args=[event.pk])).content.decode()
    assert "平尾地区の活動報告（平尾地区）" in page and "朝市が帰ってきた" in page
    assert "print.css" in page
    response = reader.get(reverse("community:programme_pdf", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    prints = AuditEvent.objects.filter(action="print", object_type="community.event")
    assert prints.count() == 2
