"""The whole life of a case, start to finish, through the actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tomoni.cases import actions
from tomoni.cases.models import Attainment, ReviewDecision, Stage
from tomoni.directory.models import Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind

from ..conftest import as_seen_now
from ..consent import set_consent
from .conftest import agency, held_meeting, open_for, to_meeting, with_consent


def test_a_case_runs_from_intake_to_closure(coordinator: Staff) -> None:
    case = with_consent(coordinator, open_for(coordinator))
    case = to_meeting(coordinator, case)
    meeting = held_meeting(coordinator)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    with pytest.raises(ValidationError, match="承認されている必要"):
        as_seen_now(actions.move_case, coordinator, case, "decide")
    meeting_actions.decide(
        coordinator,
        meeting,
        case,
        kind=Decision.Kind.PLAN_APPROVAL,
        text="プランを承認",
        tasks=[meeting_actions.TaskSpec("介護保険の申請", agency("houkatsu1"), case.opened_on)],
    )
    for move in ("decide", "start", "evaluate"):
        case = as_seen_now(actions.move_case, coordinator, case, move)
    plan = case.plans.get()
    review = actions.review_case(
        coordinator,
        case,
        on=case.opened_on,
        decision=ReviewDecision.CLOSE,
        attainments={g.pk: (Attainment.ACHIEVED, "") for g in plan.goals.all()},
    )
    assert review.goals.count() == 2
    actions.close_case(
        coordinator,
        case,
        kind="closed",
        reason="役割分担が定着",
        handoff_agency=agency("houkatsu1"),
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.team.get(end_on__isnull=True, role="lead").agency.code == "houkatsu1"
    with pytest.raises(ValidationError, match="再開"):
        actions.save_assessment(coordinator, case, {"wishes": "x"}, version=1)
    actions.reopen_case(coordinator, case, reason="再び困りごと")
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def test_no_consent_case_never_reaches_a_jusou_meeting(coordinator: Staff) -> None:
    case = open_for(coordinator)
    set_consent(coordinator, case, "none", on=case.opened_on)
    case.refresh_from_db()
    meeting = held_meeting(coordinator, Kind.JUSOU)
    with pytest.raises(ValidationError, match="重層的支援会議では扱えません"):
        meeting_actions.add_agenda_item(coordinator, meeting, case)
    assert not meeting.agenda.exists()
