"""回答期限: N business days after sending, skipping weekends, holidays and 年末年始; and when
a referral counts as overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.intake import actions
from tomoni.intake.actions import response_due
from tomoni.intake.models import Referral

from ..conftest import agency_of
from .conftest import referral_in, take

State = Referral.State
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # Golden Week 2026: 5/3 (Sun) 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日.
        (date(2026, 4, 30), date(2026, 5, 7)),
        (date(2026, 5, 1), date(2026, 5, 8)),
        # 年末年始: offices close 12/29–1/3.
        (date(2026, 12, 28), date(2027, 1, 5)),
        (date(2026, 12, 25), date(2027, 1, 4)),
        # A Friday → the Tuesday after the weekend.
        (date(2026, 6, 5), date(2026, 6, 9)),
        # Sent on a Saturday: counting starts from the next business day.
        (date(2026, 6, 6), date(2026, 6, 9)),
        # An ordinary Monday.
        (date(2026, 6, 8), date(2026, 6, 10)),
    ],
)
def test_response_due_default_two_business_days(sent: date, due: date) -> None:
    """By default the answer is due on the second business day after sending."""
    assert response_due(sent) == due


def test_response_days_are_configurable(settings: object) -> None:
    """TOMONI_REFERRAL_RESPONSE_DAYS changes N (read at call time, not import time)."""
    settings.TOMONI_REFERRAL_RESPONSE_DAYS = 5  # type: ignore[attr-defined]
    assert response_due(date(2026, 6, 5)) == date(2026, 6, 12)
    assert response_due(date(2026, 4, 30)) == date(2026, 5, 12)
    settings.TOMONI_REFERRAL_RESPONSE_DAYS = 0  # type: ignore[attr-defined]
    assert response_due(date(2026, 5, 3)) == date(2026, 5, 7)  # the next opening day


def test_refer_counts_from_the_day_it_is_sent_in_japan(
    personas: dict[str, Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A referral sent on 4/30 at 08:30 JST (4/29 in UTC) is due 5/7: the local date counts."""
    sent = datetime(2026, 4, 30, 8, 30, tzinfo=TOKYO)
    consultation = take(personas["window"])
    monkeypatch.setattr(timezone, "now", lambda: sent)
    referral = actions.refer(
        personas["window"], consultation, agency_of(personas["agency_a"]), "面談をお願いします。"
    )
    assert referral.sent_at == sent
    assert referral.due_on == date(2026, 5, 7)


def test_overdue_is_a_sent_referral_past_its_due_date(personas: dict[str, Staff]) -> None:
    """Unanswered after the due day is overdue; on the due day it is not yet."""
    referral = referral_in(State.SENT, personas["window"], personas["agency_a"])
    due = referral.due_on
    assert not referral.is_overdue(due - timedelta(days=1))
    assert not referral.is_overdue(due)
    assert referral.is_overdue(due + timedelta(days=1))


def test_fresh_referral_is_not_overdue_today(personas: dict[str, Staff]) -> None:
    """Without a date the check uses today: a referral sent now is not overdue."""
    referral = referral_in(State.SENT, personas["window"], personas["agency_a"])
    assert not referral.is_overdue()
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    referral.refresh_from_db()
    assert referral.is_overdue()


@pytest.mark.parametrize(
    "state", [State.ACCEPTED, State.DECLINED, State.COMPLETED, State.WITHDRAWN]
)
def test_answered_referrals_are_never_overdue(personas: dict[str, Staff], state: str) -> None:
    """Once answered (or taken back) a referral is off the overdue list, however late."""
    referral = referral_in(state, personas["window"], personas["agency_a"])
    assert not referral.is_overdue(referral.due_on + timedelta(days=30))
