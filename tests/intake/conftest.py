"""Helpers for the intake tests: consultations and referrals built through the actions."""

from __future__ import annotations

from typing import Any

import pytest

from tomoni.directory.models import Concern, Staff
from tomoni.intake import actions
from tomoni.intake.models import ConsentVersion, Consultation, Method, Referral

State = Referral.State

# How a referral sent by ``sender`` reaches each state: (action, who acts, note).
PATHS: dict[str, list[tuple[str, str, str]]] = {
    State.SENT: [],
    State.ACCEPTED: [("accept", "receiver", "")],
    State.DECLINED: [("decline", "receiver", "対象の要件に該当しないため。")],
    State.COMPLETED: [("accept", "receiver", ""), ("complete", "receiver", "面談を実施した。")],
    State.WITHDRAWN: [("withdraw", "sender", "本人が転居したため。")],
}


@pytest.fixture
def concerns(master: None) -> dict[str, Concern]:
    """The 課題 taxonomy by code (loaded by a data migration)."""
    return {c.code: c for c in Concern.objects.all()}


def take(actor: Staff, **fields: Any) -> Consultation:
    """A consultation taken by ``actor`` through the action (anonymous unless told)."""
    data: dict[str, Any] = {
        "method": Method.PHONE,
        "summary": "家賃の支払いが難しく、今後の生活が不安",
        "consent": ConsentVersion.GIVEN,
    }
    data.update(fields)
    return actions.take_consultation(actor, **data)


def referral_in(state: str, sender: Staff, receiver: Staff, **fields: Any) -> Referral:
    """A referral from ``sender``'s agency to ``receiver``'s, moved into ``state``."""
    assert receiver.agency is not None
    consultation = take(sender, **fields)
    referral = actions.refer(
        sender, consultation, receiver.agency, "家計と住まいの立て直しについて面談をお願いします。"
    )
    for action, who, note in PATHS[state]:
        actor = receiver if who == "receiver" else sender
        referral = actions.move_referral(
            actor, referral, action, version=referral.version, note=note
        )
    assert referral.state == state
    return referral
