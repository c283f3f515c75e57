"""Every write of 参加支援: keep the places catalog, write participation plans, pick places,
record trials, settlement and follow-ups. Each checks the policy, writes and audits in one
transaction; a refusal changes nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.lib.concurrency import bump, check_version, lock
from tomoni.people.models import Membership, Person

from . import matching
from .models import (
    Constraint,
    FollowUp,
    Match,
    ParticipationPlan,
    Place,
    PlaceKind,
    Trial,
    Welcome,
)

STALE_PLAN = "他の職員がこのプランを更新しました。最新の内容を確認してください。"

PLACE_FIELDS = (
    "name",
    "kind",
    "district",
    "address",
    "description",
    "welcomes",
    "interests",
    "days",
    "opens_at",
    "closes_at",
    "schedule_note",
    "cost",
    "cost_note",
    "step_free",
    "transport",
    "capacity",
    "host",
    "contact_name",
    "phone",
    "email",
    "atmosphere",
    "active",
    "started_on",
    "paused_on",
)


def clean_place_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a place's fields (shared by the form and the HSDS import)."""
    unknown = set(data) - set(PLACE_FIELDS)
    if unknown:
        raise ValidationError(f"居場所にない項目です: {', '.join(sorted(unknown))}")
    problems = []
    if "name" in data and not str(data["name"]).strip():
        problems.append("名称を入力してください。")
    if "host" in data and not str(data["host"]).strip():
        problems.append("運営団体を入力してください。")
    if "kind" in data and data["kind"] not in PlaceKind.values:
        problems.append("種類を選んでください。")
    if any(w not in Welcome.values for w in data.get("welcomes", [])):
        problems.append("対象の世代を選び直してください。")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in data.get("days", [])):
        problems.append("曜日を選び直してください。")
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens and closes and closes <= opens:
        problems.append("終了時刻は開始時刻より後にしてください。")
    started, paused = data.get("started_on"), data.get("paused_on")
    if paused and data.get("active", False):
        problems.append("活動中の居場所に休止日は入れられません。再開したときは休止日を消します。")
    if started and paused and paused < started:
        problems.append("休止日は開始日より後にしてください。")
    if problems:
        raise ValidationError(problems)
    cleaned = dict(data)
    for key in ("interests",):
        if key in cleaned:
            cleaned[key] = sorted({str(i).strip() for i in cleaned[key] if str(i).strip()})
    if "days" in cleaned:
        cleaned["days"] = sorted(set(cleaned["days"]))
    return cleaned


@transaction.atomic
def save_place(
    actor: Staff,
    place: Place | None,
    data: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Place:
    """Add a place (``place`` None) or change one."""
    if place is None:
        access.require_create(actor, Place)
        place = Place()
        action = Action.CREATE
    else:
        access.require(actor, access.CHANGE, place)
        action = Action.CHANGE
    cleaned = clean_place_data(data)
    for name, value in cleaned.items():
        setattr(place, name, value)
    place.full_clean(exclude=["uid", "host_uid"])
    place.updated_at = timezone.now()
    place.save()
    record(action, actor=actor, request=request, obj=place, detail={"fields": sorted(cleaned)})
    return place


# --- participation plans -------------------------------------------------------------------


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    if not str(data.get("goal", "")).strip():
        raise ValidationError("目標を入力してください。")
    if any(c not in Constraint.values for c in data.get("constraints", [])):
        raise ValidationError("制約を選び直してください。")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in data.get("days", [])):
        raise ValidationError("曜日を選び直してください。")
    cleaned = dict(data)
    cleaned["interests"] = sorted(
        {str(i).strip() for i in data.get("interests", []) if str(i).strip()}
    )
    return cleaned


PLAN_FIELDS = (
    "district",
    "interests",
    "strengths",
    "constraints",
    "days",
    "max_cost",
    "needs_step_free",
    "needs_transport",
    "goal",
)


@transaction.atomic
def create_plan(
    actor: Staff,
    person: Person,
    data: dict[str, Any],
    *,
    case: Any = None,
    engagement: Any = None,
    worker: Staff | None = None,
    request: HttpRequest | None = None,
) -> ParticipationPlan:
    """参加支援プラン for a person the worker may see (directly, or through the case or the
    engagement it comes from)."""
    access.require_create(actor, ParticipationPlan)
    through = case or engagement
    if through is not None:
        access.require(actor, access.VIEW, through)
        if (
            through.person_id != person.pk
            and not Membership.current.filter(
                household_id=through.household_id, person=person
            ).exists()
        ):
            raise ValidationError("本人はケース・アウトリーチの世帯員から選んでください。")
    else:
        access.require(actor, access.VIEW, person)
    if set(data) - set(PLAN_FIELDS):
        raise ValidationError("参加支援プランにない項目です。")
    worker = worker or actor
    if worker.role not in ("coordinator", "outreach", "community") or not worker.is_active:
        raise ValidationError(
            "担当はコーディネーター・アウトリーチ支援員・地域福祉コーディネーターから選んでください。"
        )
    cleaned = _clean_plan(data)
    if "district" not in cleaned:
        current = Membership.current.filter(person=person).select_related("household").first()
        cleaned["district"] = current.household.district if current else None
    plan = ParticipationPlan.objects.create(
        code=uuid.uuid4().hex[:20],
        person=person,
        case=case,
        engagement=engagement,
        worker=worker,
        created_by=actor,
        **cleaned,
    )
    plan.code = f"P{plan.pk:06d}"
    plan.save(update_fields=["code"])
    record(Action.CREATE, actor=actor, request=request, obj=plan)
    return plan


def _ensure_active(plan: ParticipationPlan) -> None:
    if plan.status == ParticipationPlan.Status.ENDED:
        raise ValidationError("この参加支援は終了しています。")


@transaction.atomic
def update_plan(
    actor: Staff,
    plan: ParticipationPlan,
    data: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> ParticipationPlan:
    access.require(actor, access.CHANGE, plan)
    plan = lock(plan)
    _ensure_active(plan)
    check_version(
        plan, version, "他の職員がこのプランを更新しました。最新の内容を確認してください。"
    )
    if set(data) - set(PLAN_FIELDS):
        raise ValidationError("参加支援プランにない項目です。")
    cleaned = _clean_plan(data)
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.updated_at = timezone.now()
    bump(plan, *cleaned, "updated_at")
    record(Action.CHANGE, actor=actor, request=request, obj=plan, detail={"fields": sorted(data)})
    return plan


@transaction.atomic
def end_plan(
    actor: Staff, plan: ParticipationPlan, *, request: HttpRequest | None = None
) -> ParticipationPlan:
    access.require(actor, access.CHANGE, plan)
    plan = lock(plan)
    _ensure_active(plan)
    plan.status = ParticipationPlan.Status.ENDED
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    record(Action.CHANGE, actor=actor, request=request, obj=plan, detail={"status": "ended"})
    return plan


# --- matches, trials, settlement, follow-ups -----------------------------------------------


@transaction.atomic
def pick_place(
    actor: Staff, plan: ParticipationPlan, place: Place, *, request: HttpRequest | None = None
) -> Match:
    """The worker picks a place; the ranking's score and reasons are kept with the pick."""
    access.require(actor, access.CHANGE, plan)
    plan = lock(plan)
    _ensure_active(plan)
    if not place.active:
        raise ValidationError(f"{place.name} は現在休止中です。")
    ranked = matching.score(plan, place)
    if ranked.excluded:
        raise ValidationError(
            f"{place.name} はこのプランの条件に合いません（{'、'.join(ranked.excluded)}）。"
        )
    try:
        with transaction.atomic():
            match = Match.objects.create(
                plan=plan,
                place=place,
                score=ranked.score,
                reasons=ranked.reasons,
                picked_by=actor,
            )
    except IntegrityError:
        raise ValidationError(f"{place.name} は既に候補に入っています。") from None
    record(Action.CREATE, actor=actor, request=request, obj=match, detail={"place": place.pk})
    return match


def _match_locked(actor: Staff, match: Match) -> Match:
    access.require(actor, access.CHANGE, match.plan)
    _ensure_active(lock(match.plan))
    return lock(match)


@transaction.atomic
def record_trial(
    actor: Staff,
    match: Match,
    *,
    on: date,
    outcome: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Trial:
    match = _match_locked(actor, match)
    if match.state in (Match.State.DROPPED, Match.State.SETTLED):
        raise ValidationError(f"「{match.get_state_display()}」の候補には体験を記録できません。")
    if outcome not in Trial.Outcome.values:
        raise ValidationError("体験の結果を選んでください。")
    if on > timezone.localdate():
        raise ValidationError("未来の日付の体験は記録できません。")
    trial = Trial.objects.create(match=match, on=on, outcome=outcome, note=note.strip(), by=actor)
    match.state = Match.State.TRIAL
    match.save(update_fields=["state"])
    record(Action.CREATE, actor=actor, request=request, obj=trial)
    return trial


@transaction.atomic
def settle(actor: Staff, match: Match, *, on: date, request: HttpRequest | None = None) -> Match:
    """定着: the person goes on their own; follow-ups continue."""
    match = _match_locked(actor, match)
    if match.state != Match.State.TRIAL:
        raise ValidationError("定着は体験の後に記録してください。")
    if not match.trials.exclude(
        outcome__in=[Trial.Outcome.NOT_FIT, Trial.Outcome.NO_SHOW]
    ).exists():
        raise ValidationError("「また行きたい」か「迷っている」体験があるときに定着にできます。")
    if on > timezone.localdate():
        raise ValidationError("未来の日付では定着にできません。")
    match.state = Match.State.SETTLED
    match.settled_on = on
    match.save(update_fields=["state", "settled_on"])
    ParticipationPlan.objects.filter(pk=match.plan_id).update(
        status=ParticipationPlan.Status.SETTLED, updated_at=timezone.now()
    )
    record(Action.CHANGE, actor=actor, request=request, obj=match, detail={"state": "settled"})
    return match


@transaction.atomic
def drop_match(
    actor: Staff, match: Match, *, reason: str, request: HttpRequest | None = None
) -> Match:
    match = _match_locked(actor, match)
    if match.state == Match.State.DROPPED:
        raise ValidationError("この候補は既に見送りました。")
    if match.state == Match.State.SETTLED:
        raise ValidationError("定着した参加は見送りにできません。参加支援を終了してください。")
    if not reason.strip():
        raise ValidationError("見送りの理由を入力してください。")
    match.state = Match.State.DROPPED
    match.dropped_reason = reason.strip()[:300]
    match.save(update_fields=["state", "dropped_reason"])
    record(Action.CHANGE, actor=actor, request=request, obj=match, detail={"state": "dropped"})
    return match


@transaction.atomic
def add_follow_up(
    actor: Staff,
    match: Match,
    *,
    kind: str,
    on: date,
    note: str,
    request: HttpRequest | None = None,
) -> FollowUp:
    """本人へのフォロー (after settling) or 受け入れ先への連絡 (any time after the pick)."""
    match = _match_locked(actor, match)
    if kind not in FollowUp.Kind.values:
        raise ValidationError("フォローの種類を選んでください。")
    if kind == FollowUp.Kind.FOLLOW_UP and match.state != Match.State.SETTLED:
        raise ValidationError("本人へのフォローは定着の後に記録します。")
    if not note.strip():
        raise ValidationError("内容を入力してください。")
    if on > timezone.localdate():
        raise ValidationError("未来の日付は記録できません。")
    follow_up = FollowUp.objects.create(match=match, kind=kind, on=on, note=note.strip(), by=actor)
    record(Action.CREATE, actor=actor, request=request, obj=follow_up)
    return follow_up
