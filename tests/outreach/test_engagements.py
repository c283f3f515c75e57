"""The アウトリーチ actions: every stage move from every stage, contacts and their dates, and
who may open an engagement for whom. Each refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Role, Staff
from tomoni.lib.concurrency import ConflictError
from tomoni.outreach import actions
from tomoni.outreach.models import (
    FINISHED,
    Accompaniment,
    Contact,
    ContactMethod,
    ContactOutcome,
    Engagement,
    EngagementStep,
    Reason,
    Stage,
)
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, Membership

from ..conftest import as_seen_now, first_member, register_household

# How to bring a fresh engagement (把握) to each stage: (move, note).
PATHS: dict[str, list[tuple[str, str]]] = {
    Stage.NOTICED: [],
    Stage.ATTEMPTING: [("attempt", "")],
    Stage.RELATING: [("attempt", ""), ("relate", "")],
    Stage.CONTINUING: [("attempt", ""), ("relate", ""), ("continue", "")],
    Stage.CONNECTED: [("attempt", ""), ("relate", ""), ("continue", ""), ("connect", "")],
    Stage.ENDED: [("end", "本人が転居した")],
}


def _today() -> date:
    return timezone.localdate()


def _open(
    coordinator: Staff,
    workers: list[Staff],
    *,
    household: Household | None = None,
    days_ago: int = 60,
) -> Engagement:
    household = household or register_household(coordinator)
    return actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=workers,
        opened_on=_today() - timedelta(days=days_ago),
    )


def _in_stage(coordinator: Staff, worker: Staff, stage: str) -> Engagement:
    engagement = _open(coordinator, [worker])
    for name, note in PATHS[stage]:
        engagement = as_seen_now(actions.move_engagement, worker, engagement, name, note=note)
    assert engagement.stage == stage
    return engagement


def _state(engagement: Engagement) -> tuple[object, ...]:
    fresh = Engagement.objects.get(pk=engagement.pk)
    return (
        fresh.stage,
        fresh.version,
        fresh.stage_changed_at,
        fresh.ended_on,
        fresh.last_contact_on,
        EngagementStep.objects.filter(engagement=engagement).count(),
        Contact.objects.filter(engagement=engagement).count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def coordinator(personas: dict[str, Staff]) -> Staff:
    return personas["coordinator"]


@pytest.fixture
def worker(personas: dict[str, Staff]) -> Staff:
    return personas["outreach"]


@pytest.fixture
def engagement(coordinator: Staff, worker: Staff) -> Engagement:
    return _open(coordinator, [worker])


# --- stages ---------------------------------------------------------------------------------

CASES = [(name, stage) for name in actions.MOVES for stage in Stage.values]


@pytest.mark.parametrize(("name", "stage"), CASES)
def test_every_move_from_every_stage(
    name: str, stage: str, coordinator: Staff, worker: Staff
) -> None:
    """A move listed for the stage goes through, with a step and an audit event; any other
    is refused and changes nothing."""
    move = actions.MOVES[name]
    engagement = _in_stage(coordinator, worker, stage)
    assert ((name, move) in actions.available_moves(engagement)) == (stage in move.sources)
    before = _state(engagement)
    note = "理由を書いた"
    if stage not in move.sources:
        with pytest.raises(ValidationError, match="できません"):
            as_seen_now(actions.move_engagement, worker, engagement, name, note=note)
        assert _state(engagement) == before
        return
    moved = actions.move_engagement(worker, engagement, name, note=note, version=engagement.version)
    fresh = Engagement.objects.get(pk=engagement.pk)
    assert moved.stage == fresh.stage == move.target
    assert fresh.version == engagement.version + 1 == moved.version
    assert (fresh.ended_on is not None) == (move.target in FINISHED)
    step = EngagementStep.objects.filter(engagement=engagement).latest("pk")
    assert (step.from_stage, step.to_stage, step.by, step.note) == (
        stage,
        move.target,
        worker,
        note,
    )
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        AuditEvent.Action.CHANGE,
        "outreach.engagement",
        str(engagement.pk),
    )
    assert event.actor_id == worker.pk
    assert event.detail == {"stage": [stage, move.target], "move": name}


@pytest.mark.parametrize("name", [n for n, m in actions.MOVES.items() if m.needs_note])
@pytest.mark.parametrize("note", ["", "   "])
def test_moves_that_need_a_reason_refuse_a_blank_one(
    name: str, note: str, coordinator: Staff, worker: Staff
) -> None:
    source = sorted(actions.MOVES[name].sources)[0]
    engagement = _in_stage(coordinator, worker, source)
    before = _state(engagement)
    with pytest.raises(ValidationError, match="理由を入力"):
        as_seen_now(actions.move_engagement, worker, engagement, name, note=note)
    assert _state(engagement) == before


def test_moves_without_a_reason_need_none(worker: Staff, engagement: Engagement) -> None:
    assert not actions.MOVES["attempt"].needs_note
    assert (
        as_seen_now(actions.move_engagement, worker, engagement, "attempt").stage
        == Stage.ATTEMPTING
    )


def test_unknown_move_is_refused(worker: Staff, engagement: Engagement) -> None:
    before = _state(engagement)
    with pytest.raises(ValidationError, match="この操作はありません"):
        as_seen_now(actions.move_engagement, worker, engagement, "teleport")
    assert _state(engagement) == before


def test_stale_version_is_a_conflict(worker: Staff, engagement: Engagement) -> None:
    """Two workers on the same page: the second save must not silently win."""
    stale = engagement.version
    actions.move_engagement(worker, engagement, "attempt", version=stale)
    fresh = Engagement.objects.get(pk=engagement.pk)
    before = _state(fresh)
    with pytest.raises(ConflictError):
        actions.move_engagement(worker, fresh, "relate", version=stale)
    assert _state(fresh) == before
    assert actions.move_engagement(worker, fresh, "relate", version=stale + 1).stage == (
        Stage.RELATING
    )


def test_reopening_clears_the_end_date(worker: Staff, coordinator: Staff) -> None:
    engagement = _in_stage(coordinator, worker, Stage.ENDED)
    assert Engagement.objects.get(pk=engagement.pk).ended_on == _today()
    as_seen_now(actions.move_engagement, worker, engagement, "reopen", note="本人から連絡があった")
    fresh = Engagement.objects.get(pk=engagement.pk)
    assert (fresh.stage, fresh.ended_on) == (Stage.ATTEMPTING, None)


@pytest.mark.parametrize("name", ["agency_a", "community", "window"])
def test_outsiders_cannot_move_it(
    name: str, personas: dict[str, Staff], engagement: Engagement
) -> None:
    before = _state(engagement)
    with pytest.raises(Http404):
        as_seen_now(actions.move_engagement, personas[name], engagement, "attempt")
    assert _state(engagement) == before


# --- contacts -------------------------------------------------------------------------------


def test_contact_is_recorded_and_audited(worker: Staff, engagement: Engagement) -> None:
    day = _today() - timedelta(days=3)
    contact = actions.record_contact(
        worker,
        engagement,
        on=day,
        method=ContactMethod.VISIT,
        outcome=ContactOutcome.ABSENT,
        note="  インターホンに応答なし  ",
    )
    assert (contact.on, contact.by, contact.note) == (day, worker, "インターホンに応答なし")
    assert Engagement.objects.get(pk=engagement.pk).last_contact_on == day
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        AuditEvent.Action.CREATE,
        "outreach.contact",
        str(contact.pk),
    )


@pytest.mark.parametrize(
    ("on", "method", "outcome", "accompaniment", "message"),
    [
        (1, ContactMethod.VISIT, ContactOutcome.MET, "", "未来の日付"),
        (-61, ContactMethod.VISIT, ContactOutcome.MET, "", "開始日より前"),
        (0, ContactMethod.VISIT, ContactOutcome.MET, Accompaniment.MEDICAL, "方法「同行」"),
        (0, ContactMethod.PHONE, ContactOutcome.TALKED, Accompaniment.PROCEDURES, "方法「同行」"),
        (0, ContactMethod.LETTER, ContactOutcome.NO_REPLY, Accompaniment.DISCHARGE, "方法「同行」"),
        (0, "teleport", ContactOutcome.MET, "", "方法を選んで"),
        (0, ContactMethod.VISIT, "maybe", "", "結果を選んで"),
        (0, ContactMethod.ACCOMPANY, ContactOutcome.MET, "taxi", "同行支援の種類"),
    ],
)
def test_bad_contacts_are_refused(
    on: int,
    method: str,
    outcome: str,
    accompaniment: str,
    message: str,
    worker: Staff,
    engagement: Engagement,
) -> None:
    """The engagement opened 60 days ago: a day before that, or tomorrow, is refused."""
    before = _state(engagement)
    with pytest.raises(ValidationError, match=message):
        actions.record_contact(
            worker,
            engagement,
            on=_today() + timedelta(days=on),
            method=method,
            outcome=outcome,
            accompaniment=accompaniment,
        )
    assert _state(engagement) == before


@pytest.mark.parametrize("kind", [a for a in Accompaniment.values if a])
def test_accompaniments_are_recorded_with_method_accompany(
    kind: str, worker: Staff, engagement: Engagement
) -> None:
    contact = actions.record_contact(
        worker,
        engagement,
        on=_today(),
        method=ContactMethod.ACCOMPANY,
        outcome=ContactOutcome.TALKED,
        accompaniment=kind,
    )
    assert contact.accompaniment == kind


def test_contact_on_the_opening_day_and_today_is_accepted(
    worker: Staff, engagement: Engagement
) -> None:
    for day in (engagement.opened_on, _today()):
        actions.record_contact(
            worker, engagement, on=day, method=ContactMethod.LETTER, outcome=ContactOutcome.NO_REPLY
        )
    assert Contact.objects.filter(engagement=engagement).count() == 2


@pytest.mark.parametrize("stage", sorted(FINISHED))
def test_finished_engagement_refuses_contacts_until_reopened(
    stage: str, coordinator: Staff, worker: Staff
) -> None:
    engagement = _in_stage(coordinator, worker, stage)
    before = _state(engagement)
    with pytest.raises(ValidationError, match="先に再開"):
        actions.record_contact(
            worker, engagement, on=_today(), method=ContactMethod.VISIT, outcome=ContactOutcome.MET
        )
    assert _state(engagement) == before
    as_seen_now(actions.move_engagement, worker, engagement, "reopen", note="家族から再度の相談")
    actions.record_contact(
        worker, engagement, on=_today(), method=ContactMethod.VISIT, outcome=ContactOutcome.MET
    )
    assert Engagement.objects.get(pk=engagement.pk).last_contact_on == _today()


def test_finished_engagement_refuses_new_workers(
    coordinator: Staff, worker: Staff, make_staff: Callable[..., Staff]
) -> None:
    engagement = _in_stage(coordinator, worker, Stage.ENDED)
    other = make_staff(Role.OUTREACH, "shakyo")
    with pytest.raises(ValidationError, match="先に再開"):
        actions.assign_workers(coordinator, engagement, [other])
    assert list(engagement.workers.all()) == [worker]


def test_last_contact_only_moves_forward(worker: Staff, engagement: Engagement) -> None:
    """A visit written up late (an older date) does not make the engagement look fresher or
    staler than it is."""
    recent, older = _today() - timedelta(days=5), _today() - timedelta(days=20)
    actions.record_contact(
        worker, engagement, on=recent, method=ContactMethod.VISIT, outcome=ContactOutcome.MET
    )
    actions.record_contact(
        worker, engagement, on=older, method=ContactMethod.PHONE, outcome=ContactOutcome.REFUSED
    )
    fresh = Engagement.objects.get(pk=engagement.pk)
    assert fresh.last_contact_on == recent
    assert actions.days_since_contact(fresh) == 5
    actions.record_contact(
        worker,
        engagement,
        on=_today(),
        method=ContactMethod.LETTER,
        outcome=ContactOutcome.NO_REPLY,
    )
    assert Engagement.objects.get(pk=engagement.pk).last_contact_on == _today()


def test_days_since_contact_counts_from_opening_until_a_contact(
    worker: Staff, engagement: Engagement
) -> None:
    assert engagement.last_contact_on is None
    assert actions.days_since_contact(engagement) == 60
    assert actions.days_since_contact(engagement, today=engagement.opened_on) == 0
    later = engagement.opened_on + timedelta(days=100)
    assert actions.days_since_contact(engagement, today=later) == 100
    actions.record_contact(
        worker,
        engagement,
        on=_today() - timedelta(days=31),
        method=ContactMethod.VISIT,
        outcome=ContactOutcome.ABSENT,
    )
    fresh = Engagement.objects.get(pk=engagement.pk)
    assert actions.days_since_contact(fresh) == 31
    assert actions.days_since_contact(fresh, today=_today() + timedelta(days=9)) == 40


# --- opening --------------------------------------------------------------------------------


def test_open_engagement_starts_at_noticed_with_a_step(coordinator: Staff, worker: Staff) -> None:
    household = register_household(coordinator)
    engagement = actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.SELF_NEGLECT,
        workers=[worker, coordinator, worker],
        request_text="  近隣住民から  ",
    )
    assert engagement.code == f"A{engagement.pk:06d}"
    assert (engagement.stage, engagement.opened_on) == (Stage.NOTICED, _today())
    assert engagement.requested_by == coordinator.agency
    assert engagement.request_text == "近隣住民から"
    assert set(engagement.workers.all()) == {worker, coordinator}
    step = EngagementStep.objects.get(engagement=engagement)
    assert (step.from_stage, step.to_stage, step.by) == ("", Stage.NOTICED, coordinator)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type) == (AuditEvent.Action.CREATE, "outreach.engagement")


@pytest.mark.parametrize("who", ["agency", "window", "community", "inactive", "nobody"])
def test_workers_must_be_active_outreach_or_coordinators(
    who: str, coordinator: Staff, personas: dict[str, Staff], make_staff: Callable[..., Staff]
) -> None:
    household = register_household(coordinator)
    if who == "inactive":
        gone = make_staff(Role.OUTREACH, "shakyo")
        gone.is_active = False
        gone.save()
        workers = [gone]
    elif who == "nobody":
        workers = []
    else:
        workers = [personas["outreach"], personas[{"agency": "agency_a"}.get(who, who)]]
    count = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="担当"):
        actions.open_engagement(
            coordinator, household=household, reason=Reason.ISOLATION, workers=workers
        )
    assert not Engagement.objects.exists()
    assert AuditEvent.objects.count() == count


def test_assigning_workers_checks_them_too(
    worker: Staff, engagement: Engagement, personas: dict[str, Staff]
) -> None:
    with pytest.raises(ValidationError, match="アウトリーチ支援員かコーディネーター"):
        actions.assign_workers(worker, engagement, [worker, personas["agency_a"]])
    assert list(engagement.workers.all()) == [worker]


def test_person_must_be_a_current_member(coordinator: Staff, worker: Staff) -> None:
    household = register_household(coordinator)
    elsewhere = first_member(register_household(coordinator))
    leaver = first_member(household)
    people_actions.end_membership(
        coordinator,
        Membership.objects.get(household=household, person=leaver),
        _today() - timedelta(days=1),
        Membership.EndReason.FACILITY,
    )
    for person in (elsewhere, leaver):
        with pytest.raises(ValidationError, match="世帯員の中から"):
            actions.open_engagement(
                coordinator,
                household=household,
                person=person,
                reason=Reason.HIKIKOMORI,
                workers=[worker],
            )
    assert not Engagement.objects.exists()


def test_household_must_be_visible(
    coordinator: Staff, worker: Staff, personas: dict[str, Staff]
) -> None:
    """An outreach worker may open engagements, but only for a household they can see: one
    the window registered is not theirs to reach."""
    theirs = register_household(personas["window"])
    with pytest.raises(Http404):
        actions.open_engagement(worker, household=theirs, reason=Reason.ISOLATION, workers=[worker])
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("name", ["window", "agency_a", "community", "manager", "admin"])
def test_other_roles_cannot_open_engagements(
    name: str, coordinator: Staff, worker: Staff, personas: dict[str, Staff]
) -> None:
    household = register_household(coordinator)
    with pytest.raises(PermissionDenied):
        actions.open_engagement(
            personas[name], household=household, reason=Reason.ISOLATION, workers=[worker]
        )
    assert not Engagement.objects.exists()


def test_opening_in_the_future_or_without_a_reason_is_refused(
    coordinator: Staff, worker: Staff
) -> None:
    household = register_household(coordinator)
    with pytest.raises(ValidationError, match="未来の日付"):
        actions.open_engagement(
            coordinator,
            household=household,
            reason=Reason.ISOLATION,
            workers=[worker],
            opened_on=_today() + timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="理由を選んで"):
        actions.open_engagement(coordinator, household=household, reason="", workers=[worker])
    assert not Engagement.objects.exists()
