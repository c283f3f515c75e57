"""Tasks (役割分担の作業): handed out by coordinators, seen and completed by the owning
agency, invisible (404) to every other agency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tomoni import access
from tomoni.cases import actions
from tomoni.cases.models import Case, Stage, Task
from tomoni.directory.models import Role, Staff

from .conftest import agency, case_at

DUE = date(2026, 1, 30)


def test_owner_agency_sees_and_completes(personas: dict[str, Staff], coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    task = actions.add_task(
        coordinator,
        title="介護保険の申請を支援",
        owner_agency=agency("houkatsu1"),
        due_on=DUE,
        case=case,
    )
    agency_a, agency_b = personas["agency_a"], personas["agency_b"]
    assert access.visible(agency_a, Task).filter(pk=task.pk).exists()
    assert access.can(agency_a, access.CHANGE, task)
    assert not access.visible(agency_b, Task).filter(pk=task.pk).exists()
    with pytest.raises(Http404):
        access.get_for_user(agency_b, Task, task.pk)
    with pytest.raises(Http404):
        actions.complete_task(agency_b, task)
    task.refresh_from_db()
    assert task.done_at is None

    done = actions.complete_task(agency_a, task)
    assert done.done_at is not None and done.done_by == agency_a
    with pytest.raises(ValidationError, match="既に完了"):
        actions.complete_task(agency_a, task)


def test_a_colleague_of_the_named_owner_sees_it_too(
    personas: dict[str, Staff], coordinator: Staff, make_staff: Callable[..., Staff]
) -> None:
    colleague = make_staff(Role.AGENCY, "houkatsu1")
    task = actions.add_task(
        coordinator,
        title="訪問",
        owner_agency=agency("houkatsu1"),
        owner=personas["agency_a"],
        due_on=DUE,
    )
    assert task.owner == personas["agency_a"]
    assert access.can(colleague, access.VIEW, task)
    assert access.can(coordinator, access.CHANGE, task)


def test_the_owner_must_belong_to_the_owner_agency(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    with pytest.raises(ValidationError, match="担当機関の職員"):
        actions.add_task(
            coordinator,
            title="訪問",
            owner_agency=agency("houkatsu1"),
            owner=personas["agency_b"],
            due_on=DUE,
            case=case,
        )
    assert not Task.objects.filter(case=case).exists()


@pytest.mark.parametrize(("title", "match"), [("  ", "作業の内容を入力"), ("あ" * 201, "200文字")])
def test_a_title_is_required_and_short(coordinator: Staff, title: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        actions.add_task(coordinator, title=title, owner_agency=agency("houkatsu1"), due_on=DUE)
    assert not Task.objects.exists()


def test_only_coordinators_hand_out_work(personas: dict[str, Staff], coordinator: Staff) -> None:
    """Without a case only a coordinator assigns; on a case, CHANGE on the case is needed."""
    with pytest.raises(ValidationError, match="コーディネーター"):
        actions.add_task(
            personas["agency_a"], title="訪問", owner_agency=agency("houkatsu1"), due_on=DUE
        )
    case = case_at(coordinator, Stage.IN_SUPPORT)
    with pytest.raises(Http404):
        actions.add_task(
            personas["agency_b"],
            title="訪問",
            owner_agency=agency("shogai-soudan"),
            due_on=DUE,
            case=case,
        )
    assert not Task.objects.exists()


def test_a_closed_case_takes_no_new_tasks(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.CLOSED)
    with pytest.raises(ValidationError, match="再開"):
        actions.add_task(
            coordinator, title="訪問", owner_agency=agency("houkatsu1"), due_on=DUE, case=case
        )
    assert not Task.objects.filter(case=case).exists()


def test_a_case_closed_meanwhile_takes_no_new_tasks(coordinator: Staff) -> None:
    case = case_at(coordinator, Stage.IN_SUPPORT)
    page_copy = Case.objects.get(pk=case.pk)  # the task form was opened before the closure
    actions.close_case(
        coordinator, case, kind="closed", reason="解決", handoff_agency=agency("houkatsu1")
    )
    with pytest.raises(ValidationError):
        actions.add_task(
            coordinator, title="訪問", owner_agency=agency("houkatsu1"), due_on=DUE, case=page_copy
        )
    assert not Task.objects.filter(case=case).exists()


def test_overdue_is_an_open_task_past_its_date(coordinator: Staff) -> None:
    old = actions.add_task(
        coordinator, title="昔の作業", owner_agency=agency("houkatsu1"), due_on=date(2000, 1, 1)
    )
    far = actions.add_task(
        coordinator, title="先の作業", owner_agency=agency("houkatsu1"), due_on=date(2999, 1, 1)
    )
    assert old.is_overdue and not far.is_overdue
    actions.complete_task(coordinator, old)
    old.refresh_from_db()
    assert not old.is_overdue
