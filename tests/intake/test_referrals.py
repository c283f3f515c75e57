"""つなぎ: sending a referral, and every transition of its state machine, legal and illegal,
with who may make it."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Agency, Staff
from tomoni.intake import actions
from tomoni.intake.actions import ACTION_LABELS, TRANSITIONS
from tomoni.intake.models import Outcome, Referral

from ..conftest import agency_of
from .conftest import referral_in, take

State = Referral.State
MATRIX = list(product(TRANSITIONS, State.values))
NOTES = {
    "accept": "",
    "decline": "担当圏域外のため。",
    "complete": "訪問して要介護認定の申請を支援した。",
    "withdraw": "本人から取り下げの申し出があったため。",
}


def _row(referral: Referral) -> dict[str, Any]:
    return dict(Referral.objects.filter(pk=referral.pk).values().get())


def _referral_events() -> int:
    return AuditEvent.objects.filter(object_type="intake.referral").count()


@pytest.fixture
def parties(personas: dict[str, Staff]) -> dict[str, Staff]:
    """The window sends; agency A (地域包括) receives."""
    return {"sender": personas["window"], "receiver": personas["agency_a"]}


def _actor(action: str, parties: dict[str, Staff]) -> Staff:
    return parties["sender"] if action == "withdraw" else parties["receiver"]


def test_refer_sends_with_a_due_date(parties: dict[str, Staff]) -> None:
    """A referral is sent at version 1, due per response_due, and audited."""
    sender, receiver = parties["sender"], parties["receiver"]
    consultation = take(sender)
    referral = actions.refer(sender, consultation, agency_of(receiver), "  面談をお願いします。 ")
    assert (referral.state, referral.version) == (State.SENT, 1)
    assert (referral.from_agency, referral.to_agency) == (sender.agency, receiver.agency)
    assert referral.sent_by == sender
    assert referral.shared_summary == "面談をお願いします。"
    assert referral.due_on == actions.response_due(timezone.localdate(referral.sent_at))
    consultation.refresh_from_db()
    assert consultation.outcome == Outcome.REFERRED
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        "create",
        "intake.referral",
        str(referral.pk),
    )


def test_refer_marks_the_consultation_updated(parties: dict[str, Staff]) -> None:
    """Referring changes the consultation's outcome, so its 更新日時 moves with it."""
    consultation = take(parties["sender"])
    actions.refer(parties["sender"], consultation, agency_of(parties["receiver"]), "お願いします。")
    consultation.refresh_from_db()
    assert consultation.outcome_at is not None
    assert consultation.updated_at == consultation.outcome_at


def test_refer_keeps_a_decided_outcome(parties: dict[str, Staff]) -> None:
    """A consultation already sent to 多機関協働 keeps that outcome when it is also referred."""
    sender = parties["sender"]
    consultation = take(sender)
    actions.set_outcome(sender, consultation, Outcome.COLLABORATION)
    actions.refer(sender, consultation, agency_of(parties["receiver"]), "見守りをお願いします。")
    consultation.refresh_from_db()
    assert consultation.outcome == Outcome.COLLABORATION


@pytest.mark.parametrize(
    ("target", "summary", "message"),
    [
        ("houkatsu1", "   ", "依頼先に伝える内容を入力してください。"),
        ("window", "面談をお願いします。", "自分の機関へはつなげません。"),
        ("inactive", "面談をお願いします。", "この機関は現在つなぎ先に指定できません。"),
    ],
)
def test_bad_referrals_are_refused(
    parties: dict[str, Staff], target: str, summary: str, message: str
) -> None:
    """No summary, the own agency or an inactive one: refused, nothing written."""
    if target == "inactive":
        Agency.objects.filter(code="kenri").update(active=False)
        target = "kenri"
    consultation = take(parties["sender"])
    before = (Referral.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        actions.refer(parties["sender"], consultation, Agency.objects.get(code=target), summary)
    assert error.value.messages == [message]
    assert (Referral.objects.count(), AuditEvent.objects.count()) == before
    consultation.refresh_from_db()
    assert consultation.outcome == ""


@pytest.mark.parametrize("state", State.values)
def test_one_open_referral_per_agency(parties: dict[str, Staff], state: str) -> None:
    """A second referral to an agency is refused while one is open, allowed once closed."""
    sender, receiver = parties["sender"], parties["receiver"]
    first = referral_in(state, sender, receiver)
    consultation = first.consultation
    if state in (State.SENT, State.ACCEPTED):
        with pytest.raises(ValidationError, match="既に進行中です"):
            actions.refer(sender, consultation, agency_of(receiver), "再度お願いします。")
        assert consultation.referrals.count() == 1
    else:
        actions.refer(sender, consultation, agency_of(receiver), "再度お願いします。")
        assert consultation.referrals.count() == 2


def test_outsiders_cannot_refer(personas: dict[str, Staff]) -> None:
    """Agency B cannot refer a consultation the window took: it does not exist for them."""
    consultation = take(personas["window"])
    with pytest.raises(Http404):
        actions.refer(personas["agency_b"], consultation, agency_of(personas["agency_b"]), "お願い")
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("action", "state"), MATRIX)
def test_transition_matrix(action: str, state: str, parties: dict[str, Staff]) -> None:
    """Legal moves set exactly their fields; illegal ones are refused and change nothing."""
    sources, target, _permission = TRANSITIONS[action]
    referral = referral_in(state, parties["sender"], parties["receiver"])
    actor = _actor(action, parties)
    before, events = _row(referral), _referral_events()
    if state not in sources:
        with pytest.raises(ValidationError) as error:
            actions.move_referral(
                actor, referral, action, version=referral.version, note=NOTES[action] or "メモ"
            )
        label = State(state).label
        assert error.value.messages == [f"「{label}」のつなぎは{ACTION_LABELS[action]}できません。"]
        assert _row(referral) == before
        assert _referral_events() == events
        return
    moved = actions.move_referral(
        actor, referral, action, version=referral.version, note=f"  {NOTES[action]}  "
    )
    after = _row(moved)
    assert after["state"] == target
    assert after["version"] == before["version"] + 1
    changed = {key for key in after if after[key] != before[key]}
    if action == "accept":
        assert changed == {"state", "version", "responded_by_id", "responded_at"}
        assert after["responded_by_id"] == actor.pk
    elif action == "decline":
        assert changed == {"state", "version", "responded_by_id", "responded_at", "decline_reason"}
        assert (after["responded_by_id"], after["decline_reason"]) == (actor.pk, NOTES[action])
    elif action == "complete":
        assert changed == {"state", "version", "completed_by_id", "completed_at", "outcome_note"}
        assert (after["completed_by_id"], after["outcome_note"]) == (actor.pk, NOTES[action])
        assert after["responded_by_id"] == parties["receiver"].pk  # kept from the acceptance
    else:
        assert changed == {"state", "version", "withdrawn_by_id", "withdrawn_at", "withdraw_reason"}
        assert (after["withdrawn_by_id"], after["withdraw_reason"]) == (actor.pk, NOTES[action])
        # A referral withdrawn before any answer keeps no responder.
        assert (after["responded_by_id"] is None) == (state == State.SENT)
    for stamp in ("responded_at", "completed_at", "withdrawn_at"):
        if stamp in changed:
            assert abs((timezone.now() - after[stamp]).total_seconds()) < 60
    assert _referral_events() == events + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_id, event.detail) == ("change", actor.pk, {"action": action})


def test_matrix_covers_the_whole_machine() -> None:
    """The table: sent → accepted/declined, accepted → completed, both → withdrawn."""
    assert {a: (set(s), t) for a, (s, t, _p) in TRANSITIONS.items()} == {
        "accept": ({State.SENT}, State.ACCEPTED),
        "decline": ({State.SENT}, State.DECLINED),
        "complete": ({State.ACCEPTED}, State.COMPLETED),
        "withdraw": ({State.SENT, State.ACCEPTED}, State.WITHDRAWN),
    }
    final = {State.DECLINED, State.COMPLETED, State.WITHDRAWN}
    assert not any(final & set(sources) for sources, _t, _p in TRANSITIONS.values())


@pytest.mark.parametrize(
    ("action", "state", "message"),
    [
        ("decline", State.SENT, "辞退の理由を入力してください。"),
        ("withdraw", State.SENT, "取り下げの理由を入力してください。"),
        ("withdraw", State.ACCEPTED, "取り下げの理由を入力してください。"),
        ("complete", State.ACCEPTED, "つないだ結果を入力してください。"),
    ],
)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_reasons_and_results_are_required(
    parties: dict[str, Staff], action: str, state: str, message: str, note: str
) -> None:
    """Decline and withdraw need a reason, complete a result; blank changes nothing."""
    referral = referral_in(state, parties["sender"], parties["receiver"])
    before, events = _row(referral), _referral_events()
    with pytest.raises(ValidationError) as error:
        actions.move_referral(
            _actor(action, parties), referral, action, version=referral.version, note=note
        )
    assert error.value.messages == [message]
    assert _row(referral) == before
    assert _referral_events() == events


def test_unknown_action_is_refused(parties: dict[str, Staff]) -> None:
    """Only the four actions exist."""
    referral = referral_in(State.SENT, parties["sender"], parties["receiver"])
    with pytest.raises(ValidationError, match="不明な操作です"):
        actions.move_referral(parties["receiver"], referral, "reopen", version=referral.version)
    assert _row(referral)["state"] == State.SENT


# Who tries each action on a referral from the window to agency A, and what they get.
PERMISSIONS: list[tuple[str, str, type[Exception] | None]] = [
    *((action, "agency_a", None) for action in ("accept", "decline", "complete")),
    *((action, "agency_a_colleague", None) for action in ("accept", "decline", "complete")),
    *((action, "window", PermissionDenied) for action in ("accept", "decline", "complete")),
    *((action, "coordinator", PermissionDenied) for action in ("accept", "decline", "complete")),
    *((action, "agency_b", Http404) for action in ("accept", "decline", "complete")),
    *((action, "manager", Http404) for action in ("accept", "decline", "complete")),
    ("withdraw", "window", None),
    ("withdraw", "window_colleague", None),
    ("withdraw", "agency_a", PermissionDenied),
    ("withdraw", "coordinator", PermissionDenied),
    ("withdraw", "agency_b", Http404),
    ("withdraw", "auditor", Http404),
]


@pytest.mark.parametrize(("action", "who", "error"), PERMISSIONS)
def test_only_the_right_agency_moves_it(
    action: str,
    who: str,
    error: type[Exception] | None,
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
) -> None:
    """Receivers answer, senders withdraw; other viewers get 403, everyone else 404."""
    start = State.ACCEPTED if action == "complete" else State.SENT
    referral = referral_in(start, personas["window"], personas["agency_a"])
    if who == "agency_a_colleague":
        actor = make_staff("agency", "houkatsu1")
    elif who == "window_colleague":
        actor = make_staff("window", "window")
    else:
        actor = personas[who]
    before = _row(referral)
    if error is None:
        moved = actions.move_referral(
            actor, referral, action, version=referral.version, note=NOTES[action]
        )
        assert moved.state == TRANSITIONS[action][1]
        return
    with pytest.raises(error):
        actions.move_referral(actor, referral, action, version=referral.version, note=NOTES[action])
    assert error is not Http404 or not isinstance(error, PermissionDenied)
    assert _row(referral) == before


def test_receiver_agency_worker_completes_start_to_finish(personas: dict[str, Staff]) -> None:
    """The demo walk-through: the window takes and refers; agency A accepts and completes."""
    window, agency_a = personas["window"], personas["agency_a"]
    consultation = take(window, summary="夫が施設に入ってしまった、ケーブルテレビの解約ができない")
    referral = actions.refer(
        window, consultation, agency_of(agency_a), "解約手続きの支援をお願いします。"
    )
    referral = actions.move_referral(agency_a, referral, "accept", version=referral.version)
    referral = actions.move_referral(
        agency_a, referral, "complete", note="家族の代理で解約できた。", version=referral.version
    )
    assert (referral.state, referral.version) == (State.COMPLETED, 3)
    assert referral.responded_by == agency_a
