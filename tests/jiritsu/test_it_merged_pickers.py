"""Issue 18: where the window is the 自立相談支援機関, the separate 「自立相談支援機関」 row is
offered by no agency picker — a case's team, 連携, 終結's hand-off, a meeting's attendees, an
エコマップ tie, the 業務紹介 list — and the window is labelled as the referral form labels it.
An action handed the row anyway refuses with the reason and writes nothing. With
TOMONI_WINDOW_IS_JIRITSU off the row is an agency like any other. (Before this, only the
referral form left it out: the team picker offered both, as two agencies.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.cases.models import (
    Case,
    Closure,
    Cooperation,
    CooperationKind,
    GoalTerm,
    Task,
    TeamMember,
)
from tomoni.directory.models import Agency, Concern, Staff
from tomoni.ecomap import actions as ecomap_actions
from tomoni.ecomap.models import EcomapTie
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Attendance, Meeting
from tomoni.people.models import Membership

from ..cases.conftest import open_for
from ..conftest import BrowserClient, as_seen_now
from ..meetings.conftest import meeting_of

MERGED = "福祉くらしの総合窓口が自立相談支援機関です"


@pytest.fixture
def case(personas: dict[str, Staff]) -> Case:
    return open_for(personas["coordinator"])


def _pages(case: Case, meeting: Meeting) -> dict[str, str]:
    """Every page with an agency picker, as the coordinator opens it."""
    return {
        "チーム": reverse("cases:team_add", args=[case.pk]),
        "連携": reverse("cases:cooperation_add", args=[case.pk]),
        "終結の引き継ぎ先": reverse("cases:close", args=[case.pk]),
        "会議の出席者": reverse("meetings:meeting", args=[meeting.pk]),
        "エコマップ": reverse("ecomap:tie_new", args=[case.household_id]),
    }


def _option(agency: Agency) -> str:
    return f'<option value="{agency.pk}"'


@pytest.mark.parametrize(
    "picker", ["チーム", "連携", "終結の引き継ぎ先", "会議の出席者", "エコマップ"]
)
def test_no_picker_offers_the_merged_jiritsu(
    picker: str, personas: dict[str, Staff], case: Case, as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    page = as_user(coordinator).get(_pages(case, meeting_of(coordinator))[picker])
    assert page.status_code == 200
    html = page.content.decode()
    window = Agency.objects.get(code="window")
    assert _option(Agency.objects.get(code="houkatsu1")) in html  # the picker is there
    assert _option(Agency.objects.get(code="jiritsu")) not in html
    assert f"{_option(window)}>{window.name}［自立相談支援機関］</option>" in html


@pytest.mark.parametrize(
    "picker", ["チーム", "連携", "終結の引き継ぎ先", "会議の出席者", "エコマップ"]
)
def test_a_city_with_a_separate_jiritsu_picks_it_everywhere(
    picker: str,
    personas: dict[str, Staff],
    case: Case,
    as_user: Callable[..., BrowserClient],
    settings: Any,
) -> None:
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    coordinator = personas["coordinator"]
    html = as_user(coordinator).get(_pages(case, meeting_of(coordinator))[picker])
    window = Agency.objects.get(code="window")
    assert _option(Agency.objects.get(code="jiritsu")) in html.content.decode()
    assert f"{_option(window)}>{window.name}</option>" in html.content.decode()


def test_the_gyomu_shokai_lists_the_window_as_the_jiritsu(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], settings: Any
) -> None:
    """The 業務紹介 page: one row for the office, the window's, named as the pickers name it."""
    client = as_user(personas["community"])
    url = reverse("community:agencies")
    window = Agency.objects.get(code="window")
    html = client.get(url).content.decode()
    assert 'id="agency-jiritsu"' not in html
    assert f"{window.name}［自立相談支援機関］" in html
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    html = client.get(url).content.decode()
    assert 'id="agency-jiritsu"' in html
    assert f"{window.name}［自立相談支援機関］" not in html


def test_posting_the_merged_jiritsu_to_the_team_form_adds_nothing(
    personas: dict[str, Staff], case: Case, as_user: Callable[..., BrowserClient]
) -> None:
    jiritsu = Agency.objects.get(code="jiritsu")
    response = as_user(personas["coordinator"]).post(
        reverse("cases:team_add", args=[case.pk]), {"agency": jiritsu.pk, "role": "related"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert not TeamMember.objects.filter(case=case, agency=jiritsu).exists()


def _refusals(coordinator: Staff, case: Case, jiritsu: Agency) -> dict[str, Callable[[], object]]:
    """Every action that takes an agency a picker offered, handed the merged row."""
    today = timezone.localdate()
    person = Membership.current.filter(household_id=case.household_id).first()
    assert person is not None
    meeting = meeting_of(coordinator)
    return {
        "team": lambda: case_actions.add_team_member(coordinator, case, jiritsu),
        "concern": lambda: case_actions.set_concern(
            coordinator,
            case,
            person=person.person,
            concern=Concern.objects.filter(active=True).first(),  # type: ignore[arg-type]
            agency=jiritsu,
        ),
        "cooperation": lambda: case_actions.record_cooperation(
            coordinator, case, agency=jiritsu, kind=CooperationKind.values[0], on=today
        ),
        "close": lambda: case_actions.close_case(
            coordinator, case, kind=Closure.Kind.SUSPENDED, reason="転居", handoff_agency=jiritsu
        ),
        "task": lambda: case_actions.add_task(
            coordinator, title="家計の確認", owner_agency=jiritsu, due_on=today, case=case
        ),
        "attendee": lambda: meeting_actions.add_attendee(
            coordinator, meeting, agency=jiritsu, name="自立 担当者"
        ),
        "tie": lambda: ecomap_actions.add_tie(
            coordinator,
            case.household,
            {"kind": "agency", "agency": jiritsu, "strength": "normal", "direction": "both"},
        ),
    }


@pytest.mark.parametrize(
    "action", ["team", "concern", "cooperation", "close", "task", "attendee", "tie"]
)
def test_the_actions_refuse_the_merged_jiritsu_and_write_nothing(
    action: str, personas: dict[str, Staff], case: Case
) -> None:
    coordinator = personas["coordinator"]
    jiritsu = Agency.objects.get(code="jiritsu")
    run = _refusals(coordinator, case, jiritsu)[action]
    events = AuditEvent.objects.count()
    stage = Case.objects.get(pk=case.pk).stage
    with pytest.raises(ValidationError, match=MERGED):
        run()
    assert AuditEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).stage == stage
    assert not TeamMember.objects.filter(agency=jiritsu).exists()
    assert not Cooperation.objects.filter(agency=jiritsu).exists()
    assert not Closure.objects.filter(handoff_agency=jiritsu).exists()
    assert not Task.objects.filter(owner_agency=jiritsu).exists()
    assert not Attendance.objects.filter(agency=jiritsu).exists()
    assert not EcomapTie.objects.filter(agency=jiritsu).exists()
    assert not case.concerns.filter(agency=jiritsu).exists()


def test_with_a_separate_jiritsu_the_team_takes_it(
    personas: dict[str, Staff], case: Case, settings: Any
) -> None:
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    jiritsu = Agency.objects.get(code="jiritsu")
    member = case_actions.add_team_member(personas["coordinator"], case, jiritsu)
    assert member.agency == jiritsu
    attendance = meeting_actions.add_attendee(
        personas["coordinator"], meeting_of(personas["coordinator"]), agency=jiritsu, name="担当"
    )
    assert attendance.agency == jiritsu


def test_a_team_that_named_the_jiritsu_before_still_shows_it(
    personas: dict[str, Staff],
    case: Case,
    as_user: Callable[..., BrowserClient],
    settings: Any,
) -> None:
    """Records made while the office was separate stay readable on the case page."""
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    jiritsu = Agency.objects.get(code="jiritsu")
    case_actions.add_team_member(personas["coordinator"], case, jiritsu)
    settings.TOMONI_WINDOW_IS_JIRITSU = True
    client = as_user(personas["coordinator"])
    assert f"<tr><td>{jiritsu.name}</td>" in client.get(case.get_absolute_url()).content.decode()
    team_add = client.get(reverse("cases:team_add", args=[case.pk])).content.decode()
    assert _option(jiritsu) not in team_add  # shown on the team, not offered to add


def test_a_plan_carried_forward_keeps_the_jiritsu_it_names(
    personas: dict[str, Staff],
    case: Case,
    as_user: Callable[..., BrowserClient],
    settings: Any,
) -> None:
    """The plan editor starts from the newest version: an action that named the separate
    office keeps it (chosen), so saving the next version does not drop who does what."""
    coordinator = personas["coordinator"]
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    jiritsu = Agency.objects.get(code="jiritsu")
    as_seen_now(case_actions.move_case, coordinator, case, "assess")
    case_actions.save_assessment(coordinator, case, {"wishes": "家計を立て直したい"}, version=None)
    as_seen_now(case_actions.move_case, coordinator, case, "draft")
    case_actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="家計の立て直し",
        goals=[(GoalTerm.LONG, "暮らしが安定する")],
        actions=[case_actions.PlannedAction("家計改善支援", jiritsu, "相談支援員", None)],
    )
    settings.TOMONI_WINDOW_IS_JIRITSU = True
    html = as_user(coordinator).get(reverse("cases:plan_new", args=[case.pk])).content.decode()
    assert f'<option value="{jiritsu.pk}" selected>{jiritsu.name}</option>' in html
    assert html.count(_option(jiritsu)) == 1  # in the row that names it, not offered anew
