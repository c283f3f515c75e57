"""The task lists (自分の作業・自機関の作業・期限切れ), a task's page and 完了 over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, Task
from tomoni.directory.models import Staff
from tomoni.lib.wareki import format_date

from ..conftest import BrowserClient
from .conftest import agency, open_for, with_consent


@pytest.fixture
def case(personas: dict[str, Staff]) -> Case:
    """A consented case with agency A (地域包括) on the team; agency B is not on it."""
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    return case


def _task(coordinator: Staff, title: str, code: str, days: int, **fields: object) -> Task:
    return actions.add_task(
        coordinator,
        title=title,
        owner_agency=agency(code),
        due_on=timezone.localdate() + timedelta(days=days),
        **fields,  # type: ignore[arg-type]
    )


def test_tabs_show_mine_my_agencys_and_overdue_work(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, worker = personas["coordinator"], personas["agency_a"]
    _task(coordinator, "母の介護認定の申請", "houkatsu1", 3, case=case, owner=worker)
    _task(coordinator, "長男への訪問", "houkatsu1", -2, case=case)
    _task(coordinator, "障害福祉サービスの説明", "shogai-soudan", 5, case=case)
    client = as_user(worker)
    url = reverse("cases:tasks")
    mine = client.get(url).content.decode()
    assert "母の介護認定の申請" in mine and "長男への訪問" not in mine
    assert format_date(timezone.localdate() + timedelta(days=3)) in mine
    ours = client.get(url, {"tab": "agency"}).content.decode()
    assert "母の介護認定の申請" in ours and "長男への訪問" in ours
    assert "障害福祉サービスの説明" not in ours
    overdue = client.get(url, {"tab": "overdue"}).content.decode()
    assert "長男への訪問" in overdue and "母の介護認定の申請" not in overdue
    assert "期限切れ" in overdue
    # The coordinator sees every overdue task; the case is linked (they may open it).
    everything = as_user(coordinator).get(url, {"tab": "overdue"}).content.decode()
    assert "長男への訪問" in everything and case.get_absolute_url() in everything


def test_a_task_on_a_case_the_user_cannot_open_shows_only_its_title(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency B owns a task on a case it is not on: it sees the task, not the case."""
    task = _task(personas["coordinator"], "障害福祉サービスの説明", "shogai-soudan", 5, case=case)
    client = as_user(personas["agency_b"])
    listing = client.get(reverse("cases:tasks"), {"tab": "agency"}).content.decode()
    assert "障害福祉サービスの説明" in listing
    assert case.get_absolute_url() not in listing and case.code not in listing
    page = client.get(task.get_absolute_url()).content.decode()
    assert "閲覧権限のないケース" in page and case.get_absolute_url() not in page
    assert client.get(case.get_absolute_url()).status_code == 404


def test_complete_from_the_list(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    worker = personas["agency_a"]
    task = _task(personas["coordinator"], "長男への訪問", "houkatsu1", 1, case=case)
    client = as_user(worker)
    back = reverse("cases:tasks") + "?tab=agency"
    url = reverse("cases:task_complete", args=[task.pk])
    response = client.post(url, {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert task.done_by == worker and task.done_at is not None
    listing = client.get(back).content.decode()
    assert "「長男への訪問」を完了にしました。" in listing  # the message, not a row
    assert ">長男への訪問</a>" not in listing
    again = client.post(url, {"next": back}, follow=True).content.decode()
    assert "この作業は既に完了しています。" in again


def test_complete_never_redirects_elsewhere(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    task = _task(personas["coordinator"], "長男への訪問", "houkatsu1", 1, case=case)
    url = reverse("cases:task_complete", args=[task.pk])
    response = as_user(personas["agency_a"]).post(url, {"next": "https://example.com/"})
    assert response["Location"] == task.get_absolute_url()


def test_another_agency_cannot_see_or_complete_a_task(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    task = _task(personas["coordinator"], "長男への訪問", "houkatsu1", 1, case=case)
    client = as_user(personas["agency_b"])
    assert client.get(task.get_absolute_url()).status_code == 404
    assert client.post(reverse("cases:task_complete", args=[task.pk])).status_code == 404
    assert (
        "長男への訪問"
        not in client.get(reverse("cases:tasks"), {"tab": "overdue"}).content.decode()
    )
    task.refresh_from_db()
    assert task.done_at is None


def test_unknown_tab_falls_back_to_mine(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    response = as_user(personas["agency_a"]).get(reverse("cases:tasks"), {"tab": "x"})
    assert response.status_code == 200
    assert 'aria-current="page">自分の作業' in response.content.decode()
