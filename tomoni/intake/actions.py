"""Every write of 包括的相談支援: take a consultation, decide its outcome, refer it and move
the referral through its states. Each checks the policy, writes and audits in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.access.candidates import pickable
from tomoni.audit.log import Action, record
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Concern, Staff, Tag
from tomoni.lib import dateranges
from tomoni.lib.bizdays import add_business_days
from tomoni.lib.concurrency import ConflictError, bump, lock
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Household, Membership, Person

from .models import (
    ConsentVersion,
    Consultation,
    ConsultationConcern,
    Method,
    Outcome,
    Referral,
    RouteStep,
    Urgency,
)

State = Referral.State


@dataclass(frozen=True)
class Route:
    kind: str
    agency: Agency | None = None
    relation: str = ""


def _index(consultation: Consultation) -> None:
    from tomoni.fulltext.api import index

    index("intake.consultation", consultation.pk, f"{consultation.summary}\n{consultation.text}")


@transaction.atomic
def take_consultation(
    actor: Staff,
    *,
    method: str,
    summary: str,
    consent: str,
    received_at: datetime | None = None,
    text: str = "",
    urgency: str = "normal",
    is_new: bool = True,
    concerns: Sequence[Concern] = (),
    primary: Concern | None = None,
    tags: Iterable[Tag] = (),
    route: Sequence[Route] = (),
    caller_name: str = "",
    caller_relation: str = "",
    caller_phone: str = "",
    person: Person | None = None,
    household: Household | None = None,
    new_person: dict[str, Any] | None = None,
    new_household: dict[str, Any] | None = None,
    relationship: str = "head",
    shown: Collection[int] = (),
    request: HttpRequest | None = None,
) -> Consultation:
    """相談受付. The person may be one already known, a new one, or nobody yet (an anonymous
    first call). A known person is one the worker may see, or one the matches panel showed
    them as a candidate a moment ago (``shown``: access.candidates.shown(request)) — whoever
    registered them. Anyone else is refused like a missing record (404)."""
    access.require_create(actor, Consultation)
    if person is not None and not pickable(actor, shown).filter(pk=person.pk).exists():
        raise access.NotVisible("people.Person", person.pk)
    if household is not None and not access.can(actor, access.VIEW, household):
        raise access.NotVisible("people.Household", household.pk)
    if actor.agency is None:
        raise ValidationError("所属機関のない職員は相談を受け付けられません。")
    # Checked before anything is written: a refused intake leaves no half-made person.
    summary = summary.strip()
    if not summary:
        raise ValidationError("相談の要旨を入力してください。")
    if received_at is not None:
        dateranges.check(timezone.localdate(received_at), dateranges.EVENT, "受付日")
    if new_person:
        dateranges.check(new_person.get("birth_date"), dateranges.BIRTH, "生年月日")
    if len(summary) > 120:
        raise ValidationError("相談の要旨は120文字以内で入力してください。")
    if method not in Method.values:
        raise ValidationError("相談方法を選んでください。")
    if consent not in ConsentVersion.values:
        raise ValidationError("本人同意（同意あり／同意なし）を選んでください。")
    if urgency not in Urgency.values:
        raise ValidationError("緊急度を選んでください。")
    concerns = list(dict.fromkeys(concerns))
    if primary is not None and primary not in concerns:
        raise ValidationError("◎ は選んだ課題の中から1つ選んでください。")
    if person is not None and new_person:
        raise ValidationError("既存の方と新しい方の両方は指定できません。")
    if new_person:
        if household is None and new_household is not None:
            household = people_actions.register_household(actor, **new_household, request=request)
        person = people_actions.register_person(
            actor, new_person, household=household, relationship=relationship, request=request
        )
    elif person is not None and household is None:
        current = Membership.current.filter(person=person).select_related("household").first()
        household = current.household if current else None
    consultation = Consultation(
        code=uuid.uuid4().hex[:20],  # until the primary key exists; see below
        received_at=received_at or timezone.now(),
        receiver=actor,
        agency=actor.agency,
        assignee=actor,
        method=method,
        is_new=is_new,
        person=person,
        household=household,
        caller_name=caller_name,
        caller_relation=caller_relation,
        caller_phone=caller_phone,
        summary=summary,
        text=text,
        urgency=urgency,
        consent=consent,
    )
    consultation.save()
    consultation.code = f"S{consultation.pk:07d}"
    consultation.save(update_fields=["code"])
    ConsultationConcern.objects.bulk_create(
        ConsultationConcern(consultation=consultation, concern=c, is_primary=(c == primary))
        for c in concerns
    )
    consultation.tags.set(list(tags))
    RouteStep.objects.bulk_create(
        RouteStep(
            consultation=consultation,
            order=i,
            kind=step.kind,
            agency=step.agency,
            relation=step.relation,
        )
        for i, step in enumerate(route, start=1)
    )
    detail = {
        "person": person.pk if person else None,
        "household": household.pk if household else None,
    }
    record(Action.CREATE, actor=actor, request=request, obj=consultation, detail=detail)
    if consent == ConsentVersion.GIVEN and person is not None:
        # The 申込票【本人同意あり】 is the person's written consent to sharing with the
        # agencies (DOMAIN.md §4): it becomes their consent record, not a flag of this form.
        people_actions.record_consent(
            actor,
            person,
            scope=Consent.Scope.SHARE_WITH_AGENCIES,
            status=Consent.Status.GIVEN,
            on=min(timezone.localdate(consultation.received_at), timezone.localdate()),
            method=Consent.Method.WRITTEN,
            note="相談受付・申込票【本人同意あり】",
            context=f"相談 {consultation.code}",
            request=request,
        )
    _index(consultation)
    return consultation


@transaction.atomic
def set_outcome(
    actor: Staff, consultation: Consultation, outcome: str, *, request: HttpRequest | None = None
) -> Consultation:
    access.require(actor, access.CHANGE, consultation)
    if outcome not in Outcome.values:
        raise ValidationError("対応結果を選んでください。")
    if outcome == Outcome.REFERRED and not consultation.referrals.exists():
        raise ValidationError(
            "他機関へつなぐときは、つなぎ先を選んで「つなぐ」から登録してください。"
        )
    consultation.outcome = outcome
    consultation.outcome_at = timezone.now()
    consultation.updated_at = consultation.outcome_at
    consultation.save(update_fields=["outcome", "outcome_at", "updated_at"])
    record(
        Action.CHANGE, actor=actor, request=request, obj=consultation, detail={"outcome": outcome}
    )
    return consultation


@transaction.atomic
def assign(
    actor: Staff,
    consultation: Consultation,
    assignee: Staff | None,
    *,
    request: HttpRequest | None = None,
) -> Consultation:
    """Take over (or release) a consultation within the receiving agency."""
    access.require(actor, access.CHANGE, consultation)
    if assignee is not None and assignee.agency_id != consultation.agency_id:
        raise ValidationError("担当者は受付機関の職員から選んでください。")
    consultation.assignee = assignee
    consultation.updated_at = timezone.now()
    consultation.save(update_fields=["assignee", "updated_at"])
    detail = {"assignee": assignee.pk if assignee else None}
    record(Action.CHANGE, actor=actor, request=request, obj=consultation, detail=detail)
    return consultation


def response_due(sent_on: date) -> date:
    """The business day by which the receiving agency should answer (土日祝・年末年始を除く)."""
    return add_business_days(sent_on, settings.TOMONI_REFERRAL_RESPONSE_DAYS)


@transaction.atomic
def refer(
    actor: Staff,
    consultation: Consultation,
    to_agency: Agency,
    shared_summary: str,
    *,
    request: HttpRequest | None = None,
) -> Referral:
    """つなぐ: hand the consultation to an agency, sharing only what ``shared_summary`` says
    and the person's basic data."""
    access.require(actor, access.CHANGE, consultation)
    # Lock the consultation: two workers referring at once queue here, so the check for an
    # open referral below sees the other's (the constraint on Referral is the backstop).
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if not shared_summary.strip():
        raise ValidationError("依頼先に伝える内容を入力してください。")
    if to_agency.pk == consultation.agency_id:
        raise ValidationError("自分の機関へはつなげません。")
    if not to_agency.active:
        raise ValidationError("この機関は現在つなぎ先に指定できません。")
    # The window is the 自立相談支援機関 (directory.merged): its separate row is no つなぎ先.
    refuse_merged(to_agency, from_window=consultation.agency.code == "window")
    open_states = (State.SENT, State.ACCEPTED)
    if consultation.referrals.filter(to_agency=to_agency, state__in=open_states).exists():
        raise ValidationError(f"{to_agency.name} へのつなぎが既に進行中です。")
    now = timezone.now()
    referral = Referral.objects.create(
        consultation=consultation,
        from_agency_id=consultation.agency_id,
        to_agency=to_agency,
        sent_by=actor,
        sent_at=now,
        shared_summary=shared_summary.strip(),
        due_on=response_due(timezone.localdate(now)),
    )
    if consultation.outcome in ("", Outcome.CONTINUING):
        consultation.outcome = Outcome.REFERRED
        consultation.outcome_at = consultation.updated_at = now
        consultation.save(update_fields=["outcome", "outcome_at", "updated_at"])
    record(Action.CREATE, actor=actor, request=request, obj=referral)
    return referral


# action → (states it may start from, state it leads to, permission, what must be given)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "accept": (frozenset({State.SENT}), State.ACCEPTED, access.RESPOND),
    "decline": (frozenset({State.SENT}), State.DECLINED, access.RESPOND),
    "complete": (frozenset({State.ACCEPTED}), State.COMPLETED, access.RESPOND),
    "withdraw": (frozenset({State.SENT, State.ACCEPTED}), State.WITHDRAWN, access.WITHDRAW),
}
ACTION_LABELS = {"accept": "受諾", "decline": "辞退", "complete": "完了", "withdraw": "取り下げ"}


@transaction.atomic
def move_referral(
    actor: Staff,
    referral: Referral,
    action: str,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Accept, decline (reason), complete (outcome) or withdraw (reason) a referral.

    The move stands on the state and ``version`` the worker saw: the row is re-read under a
    lock, and if another worker moved it in between, exactly one succeeds and the other is
    told what happened instead.
    """
    if action not in TRANSITIONS:
        raise ValidationError("不明な操作です。")
    sources, target, permission = TRANSITIONS[action]
    access.require(actor, permission, referral)
    if version != referral.version:
        raise _moved_first(referral)
    note = note.strip()
    label = ACTION_LABELS[action]
    if referral.state not in sources:
        raise ValidationError(f"「{referral.get_state_display()}」のつなぎは{label}できません。")
    if action in ("decline", "withdraw") and not note:
        raise ValidationError(f"{label}の理由を入力してください。")
    if action == "complete" and not note:
        raise ValidationError("つないだ結果を入力してください。")
    current = lock(referral)
    if current.version != version or current.state not in sources:
        raise _moved_first(current)
    now = timezone.now()
    changes: dict[str, Any] = {"state": target}
    if action in ("accept", "decline"):
        changes.update(responded_by=actor, responded_at=now)
    if action == "decline":
        changes["decline_reason"] = note
    elif action == "complete":
        changes.update(completed_by=actor, completed_at=now, outcome_note=note)
    elif action == "withdraw":
        changes.update(withdrawn_by=actor, withdrawn_at=now, withdraw_reason=note)
    for name, value in changes.items():
        setattr(current, name, value)
    bump(current, *changes)
    referral.refresh_from_db()
    record(Action.CHANGE, actor=actor, request=request, obj=referral, detail={"action": action})
    return referral


def _moved_first(current: Referral) -> ConflictError:
    return ConflictError(
        f"他の職員が先に操作しました（現在の状態: {current.get_state_display()}）。"
        "画面を更新して確認してください。何も変更していません。"
    )
