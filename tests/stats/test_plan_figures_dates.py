"""支援プラン figures count the dates people entered (issue 18): 作成日 and 承認日, not the
moment the record was saved; 見直し（第2版以降） counts 再プラン, not every save."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, GoalTerm, Plan
from tomoni.directory.models import Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind
from tomoni.stats import figures

from ..cases.conftest import OPENED_ON, open_for, with_consent
from ..conftest import as_seen_now

pytestmark = pytest.mark.django_db

R7, R8 = 2025, 2026  # 令和7年度, 令和8年度 (today's)


def _plans(fy: int) -> dict[str, int]:
    report = figures.build([figures.fiscal_period(fy)], history=False)
    return {row.label: int(row.values[0] or 0) for row in report.table("plans").rows}


def _case(coordinator: Staff) -> Case:
    """A consented case opened in 令和7年度, assessed and at プラン案."""
    case = with_consent(coordinator, open_for(coordinator, opened_on=OPENED_ON))
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"wishes": "x"}, version=None)
    as_seen_now(actions.move_case, coordinator, case, "draft")
    case.refresh_from_db()
    return case


def _save(coordinator: Staff, case: Case, base: int, written_on: date | None = None) -> Plan:
    return actions.save_plan(
        coordinator,
        case,
        base=base,
        summary="方向性",
        goals=[(GoalTerm.LONG, "安心して暮らせる")],
        actions=[],
        terms=actions.PlanTerms(written_on=written_on),
    )


def _approve(coordinator: Staff, case: Case, starts_at: datetime) -> None:
    meeting = meeting_actions.schedule_meeting(
        coordinator, kind=Kind.JUSOU, title="重層的支援会議", starts_at=starts_at
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
    )


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


def test_a_plan_written_last_year_counts_last_year(coordinator: Staff) -> None:
    """Entered as written on 令和8年3月10日 (令和7年度), saved today (令和8年度)."""
    _save(coordinator, _case(coordinator), 0, date(2026, 3, 10))
    assert _plans(R7)["作成（初版）"] == 1
    assert _plans(R8)["作成（初版）"] == 0


def test_an_approval_counts_in_the_year_of_its_meeting(coordinator: Staff) -> None:
    case = _case(coordinator)
    _save(coordinator, case, 0, date(2026, 3, 2))
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    _approve(coordinator, case, datetime(2026, 3, 25, 14, tzinfo=timezone.get_current_timezone()))
    assert _plans(R7)["重層的支援会議で承認"] == 1
    assert _plans(R8)["重層的支援会議で承認"] == 0


def test_a_review_is_a_replan_not_a_second_save(coordinator: Staff) -> None:
    case = _case(coordinator)
    _save(coordinator, case, 0)
    _save(coordinator, case, 1)  # the same draft saved again: 第2版, no 見直し
    assert _plans(R8) == {"作成（初版）": 1, "見直し（第2版以降）": 0, "重層的支援会議で承認": 0}
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    _approve(coordinator, case, timezone.now())
    for move in ("decide", "start", "replan"):
        case = as_seen_now(actions.move_case, coordinator, case, move, note="状況の変化")
    _save(coordinator, case, 3)  # the replanned version, edited
    assert _plans(R8) == {"作成（初版）": 1, "見直し（第2版以降）": 1, "重層的支援会議で承認": 1}
    assert _plans(R7)["見直し（第2版以降）"] == 0
