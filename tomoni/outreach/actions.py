"""Every write of アウトリーチ: open an engagement, assign workers, move it through its stages
and record contacts. Each checks the policy, writes and audits in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case
from tomoni.directory.models import Role, Staff
from tomoni.lib import stages
from tomoni.lib.concurrency import bump, lock
from tomoni.lib.stages import Move
from tomoni.people.models import Household, Membership, Person

from .models import (
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


def _ensure_open(engagement: Engagement) -> None:
    if engagement.stage in FINISHED:
        raise ValidationError(
            f"このアウトリーチは「{engagement.get_stage_display()}」です。"
            "続けるには先に再開してください。"
        )


def _check_workers(workers: Iterable[Staff]) -> list[Staff]:
    chosen = list(dict.fromkeys(workers))
    if not chosen:
        raise ValidationError("担当の支援員を1人以上選んでください。")
    if any(w.role not in (Role.OUTREACH, Role.COORDINATOR) or not w.is_active for w in chosen):
        raise ValidationError("担当はアウトリーチ支援員かコーディネーターから選んでください。")
    return chosen


@transaction.atomic
def open_engagement(
    actor: Staff,
    *,
    household: Household,
    reason: str,
    workers: Iterable[Staff],
    person: Person | None = None,
    request_text: str = "",
    case: Case | None = None,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Engagement:
    """アウトリーチの開始: for a person (or a household) who does not come to a window."""
    access.require_create(actor, Engagement)
    if actor.agency is None:
        raise ValidationError("所属機関のない職員は登録できません。")
    if reason not in Reason.values:
        raise ValidationError("アウトリーチの理由を選んでください。")
    access.require(actor, access.VIEW, household)
    if (
        person is not None
        and not Membership.current.filter(household=household, person=person).exists()
    ):
        raise ValidationError("対象者は世帯員の中から選んでください。")
    if case is not None:
        access.require(actor, access.VIEW, case)
    chosen = _check_workers(workers)
    day = opened_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError("開始日に未来の日付は指定できません。")
    engagement = Engagement.objects.create(
        code=uuid.uuid4().hex[:20],
        person=person,
        household=household,
        case=case,
        reason=reason,
        requested_by=actor.agency,
        request_text=request_text.strip(),
        opened_on=day,
        created_by=actor,
    )
    engagement.code = f"A{engagement.pk:06d}"
    engagement.save(update_fields=["code"])
    engagement.workers.set(chosen)
    EngagementStep.objects.create(engagement=engagement, to_stage=Stage.NOTICED, by=actor)
    record(Action.CREATE, actor=actor, request=request, obj=engagement)
    return engagement


@transaction.atomic
def assign_workers(
    actor: Staff,
    engagement: Engagement,
    workers: Iterable[Staff],
    *,
    request: HttpRequest | None = None,
) -> Engagement:
    access.require(actor, access.CHANGE, engagement)
    engagement = lock(engagement)
    _ensure_open(engagement)
    chosen = _check_workers(workers)
    engagement.workers.set(chosen)
    detail = {"workers": [w.pk for w in chosen]}
    record(Action.CHANGE, actor=actor, request=request, obj=engagement, detail=detail)
    return engagement


_OPEN = frozenset({Stage.NOTICED, Stage.ATTEMPTING, Stage.RELATING, Stage.CONTINUING})
MOVES: dict[str, Move[Engagement]] = {
    "attempt": Move("接触を試みる", frozenset({Stage.NOTICED}), Stage.ATTEMPTING),
    "relate": Move("関係づくりへ", frozenset({Stage.ATTEMPTING}), Stage.RELATING),
    "continue": Move("継続支援へ", frozenset({Stage.RELATING}), Stage.CONTINUING),
    "connect": Move(
        "つながった（支援機関との関係が安定）", frozenset({Stage.CONTINUING}), Stage.CONNECTED
    ),
    "back": Move(
        "接触の試みに戻す",
        frozenset({Stage.RELATING, Stage.CONTINUING}),
        Stage.ATTEMPTING,
        needs_note=True,
    ),
    "end": Move("終了", _OPEN, Stage.ENDED, needs_note=True),
    "reopen": Move("再開", FINISHED, Stage.ATTEMPTING, needs_note=True),
}


def available_moves(engagement: Engagement) -> list[tuple[str, Move[Engagement]]]:
    return stages.available(MOVES, engagement.stage)


@transaction.atomic
def move_engagement(
    actor: Staff,
    engagement: Engagement,
    name: str,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Engagement:
    """Move an アウトリーチ one step, at the ``version`` the worker's page showed: a move
    somebody else made in between is a conflict, not a double step."""
    access.require(actor, access.CHANGE, engagement)
    move = MOVES.get(name)
    if move is None:
        raise ValidationError("この操作はありません。")
    engagement = lock(engagement, version)
    move.refuse_unless_allowed(
        engagement,
        stage=engagement.stage,
        stage_label=engagement.get_stage_display(),
        note=note,
    )
    before = engagement.stage
    EngagementStep.objects.create(
        engagement=engagement,
        from_stage=before,
        to_stage=move.target,
        by=actor,
        note=note.strip()[:300],
    )
    engagement.stage = move.target
    engagement.stage_changed_at = timezone.now()
    engagement.ended_on = timezone.localdate() if move.target in FINISHED else None
    bump(engagement, "stage", "stage_changed_at", "ended_on")
    detail = {"stage": [before, move.target], "move": name}
    record(Action.CHANGE, actor=actor, request=request, obj=engagement, detail=detail)
    return engagement


@transaction.atomic
def record_contact(
    actor: Staff,
    engagement: Engagement,
    *,
    on: date,
    method: str,
    outcome: str,
    accompaniment: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Contact:
    """One attempt, whatever came of it: 不在 and 拒否 count as much as 会えた, because the
    rhythm of attempts is the work."""
    access.require(actor, access.CHANGE, engagement)
    engagement = lock(engagement)
    _ensure_open(engagement)
    if method not in ContactMethod.values:
        raise ValidationError("方法を選んでください。")
    if outcome not in ContactOutcome.values:
        raise ValidationError("結果を選んでください。")
    if accompaniment not in Accompaniment.values:
        raise ValidationError("同行支援の種類を選んでください。")
    if accompaniment and method != ContactMethod.ACCOMPANY:
        raise ValidationError("受診同行・手続き支援・退院支援は、方法「同行」で記録してください。")
    if on > timezone.localdate():
        raise ValidationError("未来の日付の接触は記録できません。")
    if on < engagement.opened_on:
        raise ValidationError("開始日より前の接触は記録できません。")
    contact = Contact.objects.create(
        engagement=engagement,
        on=on,
        method=method,
        outcome=outcome,
        accompaniment=accompaniment,
        note=note.strip(),
        by=actor,
    )
    if engagement.last_contact_on is None or on > engagement.last_contact_on:
        Engagement.objects.filter(pk=engagement.pk).update(last_contact_on=on)
    record(Action.CREATE, actor=actor, request=request, obj=contact)
    return contact


def days_since_contact(engagement: Engagement, today: date | None = None) -> int:
    """Days since the last attempt (or since the engagement opened, if none yet)."""
    last = engagement.last_contact_on or engagement.opened_on
    return ((today or timezone.localdate()) - last).days
