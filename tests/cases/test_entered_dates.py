"""作成日・承認日・実施日 (issue 18): the dates the worker enters, kept beside the system's
stamps; the pages and print pages show them; a bad date is refused in Japanese and nothing
is saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Assessment, Case, GoalTerm, Plan
from tomoni.directory.models import Staff
from tomoni.lib.wareki import format_date
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind

from ..conftest import BrowserClient, as_seen_now
from .conftest import OPENED_ON, open_for, with_consent

pytestmark = pytest.mark.django_db

WRITTEN = date(2026, 3, 10)  # 令和7年度
ASSESSED = date(2026, 2, 20)


def _drafting(coordinator: Staff) -> Case:
    """A consented case opened on OPENED_ON (令和7年度), assessed and at プラン案."""
    case = with_consent(coordinator, open_for(coordinator, opened_on=OPENED_ON))
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(
        coordinator, case, {"wishes": "母の介護を続けたい"}, version=None, assessed_on=ASSESSED
    )
    as_seen_now(actions.move_case, coordinator, case, "draft")
    case.refresh_from_db()
    return case


def _save(coordinator: Staff, case: Case, base: int, written_on: date | None) -> Plan:
    return actions.save_plan(
        coordinator,
        case,
        base=base,
        summary="母の介護と本人の就労準備を分けて支える",
        goals=[(GoalTerm.LONG, "親子が安心して暮らせる")],
        actions=[],
        terms=actions.PlanTerms(written_on=written_on),
    )


def test_the_entered_dates_are_kept_beside_the_stamps(coordinator: Staff) -> None:
    case = _drafting(coordinator)
    plan = _save(coordinator, case, 0, WRITTEN)
    assert plan.written_on == WRITTEN
    assert timezone.localdate(plan.created_at) == timezone.localdate()  # saved today
    assert Assessment.objects.get(case=case).assessed_on == ASSESSED
    # Left out, a new version is written today.
    assert _save(coordinator, case, 1, None).written_on == timezone.localdate()


def test_an_approval_is_dated_by_its_meeting(coordinator: Staff) -> None:
    case = _drafting(coordinator)
    _save(coordinator, case, 0, WRITTEN)
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    tokyo = timezone.get_current_timezone()
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.JUSOU,
        title="重層的支援会議",
        starts_at=datetime(2026, 3, 24, 23, 30, tzinfo=tokyo),  # late: still the 24th in Tokyo
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
    )
    plan = case.plans.get()
    assert plan.approved_on == date(2026, 3, 24)
    assert timezone.localdate(plan.approved_at) == timezone.localdate()  # the audit stamp


@pytest.mark.parametrize(
    ("written_on", "message"),
    [
        (timezone.localdate() + timedelta(days=1), "作成日は"),
        (OPENED_ON - timedelta(days=1), "作成日はケースの開始日（令和7年6月15日）以降"),
    ],
)
def test_a_bad_written_on_is_refused_and_nothing_saved(
    coordinator: Staff, written_on: date, message: str
) -> None:
    case = _drafting(coordinator)
    with pytest.raises(ValidationError, match=message):
        _save(coordinator, case, 0, written_on)
    assert not Plan.objects.filter(case=case).exists()


def test_a_bad_assessed_on_is_refused_and_nothing_saved(coordinator: Staff) -> None:
    case = with_consent(coordinator, open_for(coordinator, opened_on=OPENED_ON))
    as_seen_now(actions.move_case, coordinator, case, "assess")
    for day, message in (
        (timezone.localdate() + timedelta(days=1), "実施日は"),
        (OPENED_ON - timedelta(days=1), "実施日はケースの開始日"),
    ):
        with pytest.raises(ValidationError, match=message):
            actions.save_assessment(
                coordinator, case, {"wishes": "x"}, version=None, assessed_on=day
            )
    assert not Assessment.objects.filter(case=case).exists()
    sheet = actions.save_assessment(
        coordinator, case, {"wishes": "母の介護"}, version=None, assessed_on=ASSESSED
    )
    with pytest.raises(ValidationError, match="実施日は"):
        actions.save_assessment(
            coordinator,
            case,
            {"wishes": "書き換え"},
            version=sheet.version,
            assessed_on=timezone.localdate() + timedelta(days=1),
        )
    sheet.refresh_from_db()
    assert (sheet.version, sheet.wishes, sheet.assessed_on) == (1, "母の介護", ASSESSED)


def test_the_pages_show_the_entered_dates(
    coordinator: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    case = _drafting(coordinator)
    _save(coordinator, case, 0, WRITTEN)
    client = as_user(coordinator)
    written = f"作成日 {format_date(WRITTEN)}"
    for url in (
        reverse("cases:plan", args=[case.pk, 1]),
        reverse("cases:case", args=[case.pk]),
    ):
        body = client.get(url).content.decode()
        assert written in body, url
        assert "作成</span>" not in body and " 作成</p>" not in body
    printed = client.get(reverse("print:plan", args=[case.pk, 1])).content.decode()
    assert f"作成日</th><td>{format_date(WRITTEN)}</td>" in printed
    sheet = client.get(reverse("cases:assessment", args=[case.pk])).content.decode()
    assert f"実施日 {format_date(ASSESSED)}" in sheet
    printed = client.get(reverse("print:assessment", args=[case.pk])).content.decode()
    assert f"実施日 {format_date(ASSESSED)}" in printed


def test_the_forms_take_the_dates_in_wareki(
    coordinator: Staff, as_user: Callable[..., BrowserClient]
) -> None:
    case = _drafting(coordinator)
    client = as_user(coordinator)
    url = reverse("cases:plan_new", args=[case.pk])
    editor = client.get(url).content.decode()
    assert "作成日" in editor and format_date(timezone.localdate()) in editor  # today by default
    post = {"base": "0", "goal_term_0": "long", "goal_text_0": "安心して暮らす"}
    for typed, error in (
        ("", "作成日を入力してください"),
        ("令和7年2月30日", "作成日"),
        ("令和7年6月14日", "作成日はケースの開始日（令和7年6月15日）以降"),
    ):
        response = client.post(url, {**post, "written_on": typed})
        assert response.status_code == 200, typed
        assert error in response.content.decode(), typed
    assert not Plan.objects.filter(case=case).exists()
    assert client.post(url, {**post, "written_on": "令和8年3月10日"}).status_code == 302
    assert case.plans.get().written_on == WRITTEN

    edit = reverse("cases:assessment_edit", args=[case.pk])
    form = client.get(edit).content.decode()
    assert format_date(ASSESSED) in form  # the sheet's own 実施日, not today
    response = client.post(edit, {"version": "1", "wishes": "x", "assessed_on": "令和99年1月1日"})
    assert response.status_code == 200 and "実施日" in response.content.decode()
    assert Assessment.objects.get(case=case).version == 1
    data = {"version": "1", "wishes": "母と暮らす", "assessed_on": "R8.1.5"}
    assert client.post(edit, data).status_code == 302
    sheet = Assessment.objects.get(case=case)
    assert (sheet.assessed_on, sheet.wishes) == (date(2026, 1, 5), "母と暮らす")
