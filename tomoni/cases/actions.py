"""Every write of 多機関協働: open a case, move it through its stages, record consent, the
assessment, plan versions, reviews, closure and tasks. Each checks the policy and the case's
state, writes and audits in one transaction; a refusal changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import Agency, Concern, Role, Staff, Tag
from tomoni.intake.actions import ConflictError
from tomoni.intake.models import Consultation, Outcome, Referral
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Household, Membership, Person, Relationship

from . import consent as case_consent
from .models import (
    ENDED,
    Assessment,
    Attainment,
    Case,
    CaseConcern,
    Closure,
    ConsentState,
    GoalReview,
    GoalTerm,
    Origin,
    Plan,
    PlanAction,
    PlanGoal,
    Review,
    ReviewDecision,
    Stage,
    StageChange,
    Task,
    TeamMember,
    TeamRole,
)

__all__ = ["ConflictError"]


# --- helpers ---------------------------------------------------------------------------


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock: two coordinators acting at once queue here, and the
    second one's checks see the first one's change."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _ensure_open(case: Case) -> None:
    if case.stage in ENDED:
        raise ValidationError(
            f"このケースは{case.get_stage_display()}しています。変更するには先に再開してください。"
        )


def _touch(case: Case, *fields: str) -> None:
    case.updated_at = timezone.now()
    case.version = F("version") + 1
    case.save(update_fields=[*fields, "updated_at", "version"])
    case.refresh_from_db(fields=["version"])


def _move(actor: Staff, case: Case, to: str, note: str = "") -> None:
    StageChange.objects.create(case=case, from_stage=case.stage, to_stage=to, by=actor, note=note)
    case.stage = to
    case.stage_changed_at = timezone.now()


def _is_coordinator(actor: Staff) -> bool:
    return actor.role == Role.COORDINATOR


# --- opening ---------------------------------------------------------------------------


@transaction.atomic
def open_case(
    actor: Staff,
    *,
    household: Household,
    title: str,
    person: Person | None = None,
    consultation: Consultation | None = None,
    request_text: str = "",
    tags: Iterable[Tag] = (),
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a 多機関協働 case for a household.

    From the window's consultation (「多機関協働へ」) or as an agency's own request
    (支援機関向けの相談). A coordinator who opens it leads it; a request from anyone else
    waits, unassigned, for a coordinator to take the lead. The requesting agency joins the
    team as 関係機関.
    """
    access.require_create(actor, Case)
    if actor.agency is None:
        raise ValidationError("所属機関のない職員はケースを登録できません。")
    title = title.strip()
    if not title:
        raise ValidationError("ケースの概要を入力してください。")
    if len(title) > 120:
        raise ValidationError("ケースの概要は120文字以内で入力してください。")
    access.require(actor, access.VIEW, household)
    if consultation is not None:
        access.require(actor, access.CHANGE, consultation)
        if consultation.household_id not in (None, household.pk):
            raise ValidationError("相談の世帯とケースの世帯が違います。")
        if consultation.cases.exclude(stage__in=ENDED).exists():
            raise ValidationError("この相談からは既にケースが開かれています。")
    if person is not None:
        member = Membership.current.filter(household=household, person=person).exists()
        if not member:
            raise ValidationError("主な本人は世帯員の中から選んでください。")
    if person is None and consultation is not None:
        person = consultation.person
    if person is None:
        # A case has a main person, whose consent is the case's: the head of the household
        # unless somebody else is chosen.
        members = Membership.current.filter(household=household).order_by("pk")
        first = members.filter(relationship=Relationship.HEAD).first() or members.first()
        person = first.person if first else None
    lead = actor if _is_coordinator(actor) else None
    now = timezone.now()
    case = Case.objects.create(
        code=uuid.uuid4().hex[:20],  # until the primary key exists; see below
        household=household,
        person=person,
        title=title,
        origin=Origin.CONSULTATION if consultation is not None else Origin.AGENCY_REQUEST,
        consultation=consultation,
        requested_by=actor.agency,
        request_text=request_text.strip(),
        lead=lead,
        opened_on=opened_on or timezone.localdate(),
        created_by=actor,
    )
    case.code = f"K{case.pk:06d}"
    case.save(update_fields=["code"])
    case.tags.set(list(tags))
    StageChange.objects.create(case=case, to_stage=Stage.RECEIVED, by=actor, note="受付")
    if not _is_coordinator(actor):
        TeamMember.objects.create(
            case=case, agency=actor.agency, role=TeamRole.RELATED, contact=str(actor)
        )
    if consultation is not None:
        _join_accepting_agencies(case, consultation)
    # The main person's consent (given at the window with the 申込票【本人同意あり】) is the
    # case's from the start: nobody records it twice.
    case.consent = case_consent.state_of(case.person_id)
    case.save(update_fields=["consent"])
    if consultation is not None and consultation.outcome != Outcome.COLLABORATION:
        consultation.outcome = Outcome.COLLABORATION
        consultation.outcome_at = consultation.updated_at = now
        consultation.save(update_fields=["outcome", "outcome_at", "updated_at"])
    record(Action.CREATE, actor=actor, request=request, obj=case)
    return case


def _join_accepting_agencies(case: Case, consultation: Consultation) -> None:
    """Agencies that accepted a referral for the consultation are already working with the
    household: they join the team as 関係機関, dated from their acceptance."""
    accepted = (
        consultation.referrals.filter(state__in=[Referral.State.ACCEPTED, Referral.State.COMPLETED])
        .exclude(to_agency__in=case.team.filter(end_on__isnull=True).values("agency"))
        .order_by("responded_at", "pk")
    )
    joined: set[int] = set()
    for referral in accepted:
        if referral.to_agency_id in joined:
            continue
        joined.add(referral.to_agency_id)
        answered = referral.responded_at or referral.sent_at
        TeamMember.objects.create(
            case=case,
            agency_id=referral.to_agency_id,
            role=TeamRole.RELATED,
            start_on=timezone.localdate(answered),
        )


@transaction.atomic
def take_lead(
    actor: Staff, case: Case, lead: Staff | None = None, *, request: HttpRequest | None = None
) -> Case:
    """A coordinator takes (or hands over) the lead of a case."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    lead = lead or actor
    if lead.role != Role.COORDINATOR or not lead.is_active:
        raise ValidationError("担当は多機関協働のコーディネーターから選んでください。")
    case.lead = lead
    _touch(case, "lead")
    record(Action.CHANGE, actor=actor, request=request, obj=case, detail={"lead": lead.pk})
    return case


# --- stages ----------------------------------------------------------------------------


def _has_assessment(case: Case) -> str:
    return (
        "" if Assessment.objects.filter(case=case).exists() else "アセスメントを記入してください。"
    )


def _has_plan(case: Case) -> str:
    return "" if case.plans.exists() else "プラン案を作成してください。"


def _has_lead(case: Case) -> str:
    return "" if case.lead_id else "担当コーディネーターを決めてください。"


def _decided(case: Case) -> str:
    """支援決定 rests on the main person's consent and the newest plan approved at a
    重層的支援会議 (DOMAIN.md §1). Without consent a 支援会議 agrees how to approach the family
    (見守り, アウトリーチ, 情報共有の範囲); it approves no plan and decides no support."""
    if case.consent == ConsentState.PENDING:
        return "本人同意を確認してから支援決定してください。"
    if case.consent != ConsentState.GIVEN:
        return (
            "本人同意のないケースは支援決定できません。支援会議（第106条の6）で"
            "見守り・アウトリーチなど関わり方を決め、同意が得られてからプランを承認してください。"
        )
    latest = case.plans.first()
    if latest is None or latest.approved_at is None:
        return "支援決定には、重層的支援会議で最新のプランが承認されている必要があります。"
    return ""


@dataclass(frozen=True)
class Move:
    label: str
    sources: frozenset[str]
    target: str
    checks: tuple[Any, ...] = field(default=())
    needs_note: bool = False


# name → what it does. Closing and suspending go through close_case (they need a reason and
# a hand-off); reopening through reopen_case.
MOVES: dict[str, Move] = {
    "assess": Move(
        "アセスメントを開始", frozenset({Stage.RECEIVED}), Stage.ASSESSMENT, (_has_lead,)
    ),
    "draft": Move(
        "プラン案の作成へ", frozenset({Stage.ASSESSMENT}), Stage.DRAFT_PLAN, (_has_assessment,)
    ),
    "to_meeting": Move("会議にかける", frozenset({Stage.DRAFT_PLAN}), Stage.MEETING, (_has_plan,)),
    "decide": Move("支援決定", frozenset({Stage.MEETING}), Stage.DECIDED, (_decided,)),
    "start": Move("支援実施へ", frozenset({Stage.DECIDED}), Stage.IN_SUPPORT),
    "evaluate": Move("評価へ", frozenset({Stage.IN_SUPPORT}), Stage.EVALUATION),
    "continue": Move("支援を継続", frozenset({Stage.EVALUATION}), Stage.IN_SUPPORT),
    "replan": Move(
        "再プラン",
        frozenset({Stage.IN_SUPPORT, Stage.EVALUATION, Stage.MEETING}),
        Stage.DRAFT_PLAN,
        needs_note=True,
    ),
    "reassess": Move(
        "アセスメントに戻す",
        frozenset({Stage.DRAFT_PLAN, Stage.MEETING}),
        Stage.ASSESSMENT,
        needs_note=True,
    ),
}


def available_moves(case: Case) -> list[tuple[str, Move]]:
    return [(name, m) for name, m in MOVES.items() if case.stage in m.sources]


@transaction.atomic
def move_case(
    actor: Staff,
    case: Case,
    name: str,
    *,
    note: str = "",
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move a case one step. ``version`` (from the page the coordinator saw) turns a move
    somebody else made in between into a conflict instead of a double step."""
    access.require(actor, access.CHANGE, case)
    move = MOVES.get(name)
    if move is None:
        raise ValidationError("この操作はありません。")
    case = _locked(case)
    if version is not None and version != case.version:
        raise ConflictError("他の職員がこのケースを更新しました。画面を読み込み直してください。")
    _ensure_open(case)
    if case.stage not in move.sources:
        raise ValidationError(
            f"「{case.get_stage_display()}」の段階からは「{move.label}」できません。"
        )
    if move.needs_note and not note.strip():
        raise ValidationError(f"「{move.label}」の理由を入力してください。")
    for check in move.checks:
        problem = check(case)
        if problem:
            raise ValidationError(problem)
    before = case.stage
    _move(actor, case, move.target, note.strip())
    _touch(case, "stage", "stage_changed_at")
    if name == "replan":
        _copy_plan_forward(actor, case)
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=case,
        detail={"stage": [before, case.stage], "move": name},
    )
    return case


def _copy_plan_forward(actor: Staff, case: Case) -> None:
    """再プラン starts from the plan in force: a new, unapproved version with its goals and
    actions, which the coordinator then edits."""
    latest = case.plans.first()
    if latest is None:
        return
    _new_plan_version(
        actor,
        case,
        summary=latest.summary,
        goals=[(g.term, g.text) for g in latest.goals.all()],
        actions=[PlannedAction(a.what, a.agency, a.who, a.due_on) for a in latest.actions.all()],
        refer_outreach=latest.refer_outreach,
        refer_participation=latest.refer_participation,
        review_on=latest.review_on,
    )


@transaction.atomic
def close_case(
    actor: Staff,
    case: Case,
    *,
    kind: str,
    reason: str,
    on: date | None = None,
    handoff_agency: Agency | None = None,
    request: HttpRequest | None = None,
) -> Closure:
    """終結 (issues sorted, roles agreed, a 主担当 agency carries on) or 中断."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if kind not in Closure.Kind.values:
        raise ValidationError("終結か中断かを選んでください。")
    if not reason.strip():
        raise ValidationError("終結・中断の理由を入力してください。")
    if kind == Closure.Kind.CLOSED:
        if case.stage not in (Stage.IN_SUPPORT, Stage.EVALUATION):
            raise ValidationError("終結は支援実施または評価の段階から行えます。")
        if handoff_agency is None:
            raise ValidationError(
                "終結するときは、引き続き支援する主担当機関を選んでください"
                "（多機関協働が抱え込まないために）。"
            )
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError("未来の日付では終結・中断できません。")
    closure = Closure.objects.create(
        case=case,
        kind=kind,
        on=day,
        reason=reason.strip(),
        handoff_agency=handoff_agency,
        by=actor,
    )
    if handoff_agency is not None:
        _set_lead_agency(case, handoff_agency, day)
    _move(actor, case, kind, reason.strip()[:300])
    case.closed_on = day
    _touch(case, "stage", "stage_changed_at", "closed_on")
    record(Action.CHANGE, actor=actor, request=request, obj=case, detail={"closure": kind})
    return closure


def _set_lead_agency(case: Case, agency: Agency, day: date) -> None:
    """The hand-off: ``agency`` becomes (or stays) the current 主担当."""
    current = case.team.filter(end_on__isnull=True)
    current.filter(role=TeamRole.LEAD).exclude(agency=agency).update(role=TeamRole.RELATED)
    updated = current.filter(agency=agency).update(role=TeamRole.LEAD)
    if not updated:
        TeamMember.objects.create(case=case, agency=agency, role=TeamRole.LEAD, start_on=day)


@transaction.atomic
def reopen_case(
    actor: Staff, case: Case, *, reason: str, request: HttpRequest | None = None
) -> Case:
    """再開: back to アセスメント, with the reason on record."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    if case.stage not in ENDED:
        raise ValidationError("終結・中断したケースだけが再開できます。")
    if not reason.strip():
        raise ValidationError("再開の理由を入力してください。")
    Closure.objects.filter(case=case, reopened_at__isnull=True).update(reopened_at=timezone.now())
    _move(actor, case, Stage.ASSESSMENT, reason.strip()[:300])
    case.closed_on = None
    _touch(case, "stage", "stage_changed_at", "closed_on")
    record(Action.CHANGE, actor=actor, request=request, obj=case, detail={"reopened": True})
    return case


# --- consent ---------------------------------------------------------------------------


def _member_of(case: Case, person: Person) -> None:
    if not case.household.memberships.filter(person=person).exists():
        raise ValidationError("同意は、この世帯の世帯員について記録してください。")


@transaction.atomic
def record_consent(
    actor: Staff,
    case: Case,
    person: Person,
    *,
    scope: str,
    status: str,
    on: date,
    method: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """One member's consent for one purpose, recorded from the case page (a people.Consent of
    that person, like every consent). The main person's sharing consent is the case's."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    _member_of(case, person)
    return people_actions.record_consent(
        actor,
        person,
        scope=scope,
        status=status,
        on=on,
        method=method,
        note=note,
        context=f"ケース {case.code}",
        request=request,
    )


@transaction.atomic
def withdraw_consent(
    actor: Staff,
    case: Case,
    consent: Consent,
    *,
    on: date,
    method: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> list[Agency]:
    """A member withdraws a consent. Returns the agencies of the team that can no longer open
    the case because of it (the sharing consent of the main person), for the coordinator's
    message; their access ends in this transaction."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    _member_of(case, consent.person)
    had = case.consent
    people_actions.withdraw_consent(
        actor,
        consent,
        on=on,
        method=method,
        note=note,
        context=f"ケース {case.code}",
        request=request,
    )
    case.refresh_from_db(fields=["consent", "version"])
    if had == ConsentState.GIVEN and case.consent != ConsentState.GIVEN:
        return list(
            Agency.objects.filter(case_teams__case=case, case_teams__end_on__isnull=True).order_by(
                "order", "pk"
            )
        )
    return []


# --- team and concerns -----------------------------------------------------------------


@transaction.atomic
def add_team_member(
    actor: Staff,
    case: Case,
    agency: Agency,
    *,
    role: str = TeamRole.RELATED,
    contact: str = "",
    start_on: date | None = None,
    request: HttpRequest | None = None,
) -> TeamMember:
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if role not in TeamRole.values:
        raise ValidationError("役割を選んでください。")
    if not agency.active:
        raise ValidationError("この機関は現在チームに加えられません。")
    if case.team.filter(agency=agency, end_on__isnull=True).exists():
        raise ValidationError(f"{agency.name} は既にチームにいます。")
    day = start_on or timezone.localdate()
    if role == TeamRole.LEAD:
        case.team.filter(end_on__isnull=True, role=TeamRole.LEAD).update(role=TeamRole.RELATED)
    member = TeamMember.objects.create(
        case=case, agency=agency, role=role, contact=contact.strip(), start_on=day
    )
    _touch(case)
    record(Action.CREATE, actor=actor, request=request, obj=member)
    return member


@transaction.atomic
def end_team_member(
    actor: Staff,
    member: TeamMember,
    *,
    end_on: date | None = None,
    request: HttpRequest | None = None,
) -> TeamMember:
    case = member.case
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if member.end_on is not None:
        raise ValidationError("この機関は既にチームを離れています。")
    day = end_on or timezone.localdate()
    if day < member.start_on:
        raise ValidationError("終了日は参加日より後にしてください。")
    member.end_on = day
    member.save(update_fields=["end_on"])
    _touch(case)
    record(Action.CHANGE, actor=actor, request=request, obj=member, detail={"end_on": str(day)})
    return member


@transaction.atomic
def set_concern(
    actor: Staff,
    case: Case,
    *,
    person: Person,
    concern: Concern,
    priority: int = 2,
    agency: Agency | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> CaseConcern:
    """課題の整理: record (or update) one member's concern, its priority and its agency."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if priority not in (1, 2, 3):
        raise ValidationError("優先度は 1（高）〜3（低）で選んでください。")
    if not Membership.current.filter(household_id=case.household_id, person=person).exists():
        raise ValidationError("課題は世帯員ごとに記録してください。")
    item, created = CaseConcern.objects.update_or_create(
        case=case,
        person=person,
        concern=concern,
        defaults={"priority": priority, "agency": agency, "note": note.strip()},
    )
    _touch(case)
    record(Action.CREATE if created else Action.CHANGE, actor=actor, request=request, obj=item)
    return item


@transaction.atomic
def remove_concern(actor: Staff, item: CaseConcern, *, request: HttpRequest | None = None) -> None:
    case = item.case
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    record(Action.DELETE, actor=actor, request=request, obj=item)
    item.delete()
    _touch(case)


@transaction.atomic
def set_tendency_override(
    actor: Staff,
    case: Case,
    number: int,
    value: bool | None,
    *,
    request: HttpRequest | None = None,
) -> Case:
    """A coordinator's judgement on one of the five tendencies; None returns to the rule."""
    access.require(actor, access.CHANGE, case)
    if number not in range(1, 6):
        raise ValidationError("傾向は①〜⑤から選んでください。")
    case = _locked(case)
    _ensure_open(case)
    overrides = dict(case.tendency_overrides)
    if value is None:
        overrides.pop(str(number), None)
    else:
        overrides[str(number)] = value
    case.tendency_overrides = overrides
    _touch(case, "tendency_overrides")
    detail = {"tendency": number, "override": value}
    record(Action.CHANGE, actor=actor, request=request, obj=case, detail=detail)
    return case


# --- assessment ------------------------------------------------------------------------

ASSESSMENT_FIELDS = (
    "work",
    "housing",
    "housing_note",
    "health_insurance",
    "pension",
    "health",
    "income",
    "debts",
    "relationships",
    "strengths",
    "wishes",
    "supporters",
)


@transaction.atomic
def save_assessment(
    actor: Staff,
    case: Case,
    data: dict[str, str],
    *,
    version: int | None,
    request: HttpRequest | None = None,
) -> Assessment:
    """インテーク・アセスメントシート. ``version`` is the one the form was opened at (None
    for a new sheet); somebody else's save in between is a conflict, not a lost update."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    unknown = set(data) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError("アセスメントにない項目です。")
    current = Assessment.objects.filter(case=case).first()
    if current is None:
        if version not in (None, 0):
            raise ConflictError("アセスメントが見つかりません。画面を読み込み直してください。")
        sheet = Assessment(case=case, updated_by=actor, **data)
        sheet.full_clean(exclude=["case", "updated_by"])
        sheet.save()
        record(Action.CREATE, actor=actor, request=request, obj=sheet)
        _touch(case)
        return sheet
    if version != current.version:
        raise ConflictError(
            "他の職員がアセスメントを更新しました。最新の内容を確認してから入力し直してください。"
        )
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(exclude=["case", "updated_by"])
    changed = sorted(data)
    current.version += 1
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.save()
    record(Action.CHANGE, actor=actor, request=request, obj=current, detail={"fields": changed})
    _touch(case)
    return current


# --- plans -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedAction:
    what: str
    agency: Agency | None = None
    who: str = ""
    due_on: date | None = None


PLAN_STAGES = frozenset({Stage.ASSESSMENT, Stage.DRAFT_PLAN, Stage.MEETING})


def _new_plan_version(
    actor: Staff,
    case: Case,
    *,
    summary: str,
    goals: Sequence[tuple[str, str]],
    actions: Sequence[PlannedAction],
    refer_outreach: bool,
    refer_participation: bool,
    review_on: date | None,
) -> Plan:
    latest = case.plans.first()
    number = latest.number + 1 if latest else 1
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                case=case,
                number=number,
                summary=summary.strip(),
                refer_outreach=refer_outreach,
                refer_participation=refer_participation,
                review_on=review_on,
                created_by=actor,
            )
    except IntegrityError:
        raise ConflictError(
            "他の職員が同時にプランを保存しました。最新の版を確認してください。"
        ) from None
    PlanGoal.objects.bulk_create(
        PlanGoal(plan=plan, term=term, text=text.strip(), order=i)
        for i, (term, text) in enumerate(goals)
    )
    PlanAction.objects.bulk_create(
        PlanAction(
            plan=plan,
            what=a.what.strip(),
            agency=a.agency,
            who=a.who.strip(),
            due_on=a.due_on,
            order=i,
        )
        for i, a in enumerate(actions)
    )
    return plan


@transaction.atomic
def save_plan(
    actor: Staff,
    case: Case,
    *,
    base: int,
    summary: str,
    goals: Sequence[tuple[str, str]],
    actions: Sequence[PlannedAction],
    refer_outreach: bool = False,
    refer_participation: bool = False,
    review_on: date | None = None,
    request: HttpRequest | None = None,
) -> Plan:
    """Save the plan as a new version. ``base`` is the version the coordinator started
    from (0 for the first): if somebody saved another version meanwhile, the save is refused
    as a conflict and both versions stay readable."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if case.stage not in PLAN_STAGES:
        raise ValidationError(
            "プランを作り直すには「再プラン」にしてください（支援決定後のプランは承認済みの版のまま残ります）。"
        )
    latest = case.plans.first()
    if (latest.number if latest else 0) != base:
        raise ConflictError(
            f"他の職員がプランを第{latest.number if latest else 0}版として保存しました。"
            "最新の版を確認してから入力し直してください。"
        )
    goals = [(term, text) for term, text in goals if text.strip()]
    actions = [a for a in actions if a.what.strip()]
    if not any(term == GoalTerm.LONG for term, _ in goals) and not any(
        term == GoalTerm.SHORT for term, _ in goals
    ):
        raise ValidationError("目標を1つ以上入力してください。")
    if any(term not in GoalTerm.values for term, _ in goals):
        raise ValidationError("目標の期間（長期・短期）を選んでください。")
    if any(len(text.strip()) > 300 for _, text in goals):
        raise ValidationError("目標は300文字以内で入力してください。")
    if any(len(a.what.strip()) > 300 or len(a.who.strip()) > 60 for a in actions):
        raise ValidationError("支援内容は300文字以内、「誰が」は60文字以内で入力してください。")
    plan = _new_plan_version(
        actor,
        case,
        summary=summary,
        goals=goals,
        actions=actions,
        refer_outreach=refer_outreach,
        refer_participation=refer_participation,
        review_on=review_on,
    )
    case.review_on = review_on
    _touch(case, "review_on")
    record(Action.CREATE, actor=actor, request=request, obj=plan, detail={"number": plan.number})
    return plan


# --- review ----------------------------------------------------------------------------


@transaction.atomic
def review_case(
    actor: Staff,
    case: Case,
    *,
    on: date,
    decision: str,
    attainments: dict[int, tuple[str, str]],
    changes: str = "",
    request: HttpRequest | None = None,
) -> Review:
    """評価シート: attainment for every goal of the approved plan, and the decision. The
    decision itself (終結, 再プラン …) is then taken as its own step."""
    access.require(actor, access.CHANGE, case)
    case = _locked(case)
    _ensure_open(case)
    if case.stage != Stage.EVALUATION:
        raise ValidationError("評価は「評価」の段階で記録してください。")
    if decision not in ReviewDecision.values:
        raise ValidationError("判定を選んでください。")
    plan = case.plans.filter(approved_at__isnull=False).first() or case.plans.first()
    if plan is None:
        raise ValidationError("評価するプランがありません。")
    goals = list(plan.goals.all())
    missing = [g for g in goals if g.pk not in attainments]
    if missing:
        raise ValidationError(f"目標「{missing[0].text}」の達成度を選んでください。")
    if any(a not in Attainment.values for a, _ in attainments.values()):
        raise ValidationError("達成度を選んでください。")
    review = Review.objects.create(
        case=case, plan=plan, on=on, decision=decision, changes=changes.strip(), by=actor
    )
    GoalReview.objects.bulk_create(
        GoalReview(
            review=review,
            goal=g,
            attainment=attainments[g.pk][0],
            comment=attainments[g.pk][1].strip()[:300],
        )
        for g in goals
    )
    _touch(case)
    record(Action.CREATE, actor=actor, request=request, obj=review, detail={"decision": decision})
    return review


# --- tasks -----------------------------------------------------------------------------


@transaction.atomic
def add_task(
    actor: Staff,
    *,
    title: str,
    owner_agency: Agency,
    due_on: date,
    owner: Staff | None = None,
    case: Case | None = None,
    decision: Any = None,
    request: HttpRequest | None = None,
) -> Task:
    """役割分担の作業. On a case, only its coordinators hand work out."""
    if case is not None:
        access.require(actor, access.CHANGE, case)
        case = _locked(case)
        if decision is None:  # a meeting's 終結 decision may still hand out hand-off work
            _ensure_open(case)
    elif not _is_coordinator(actor):
        raise ValidationError("作業を割り当てられるのは多機関協働のコーディネーターです。")
    title = title.strip()
    if not title:
        raise ValidationError("作業の内容を入力してください。")
    if len(title) > 200:
        raise ValidationError("作業の内容は200文字以内で入力してください。")
    if owner is not None and owner.agency_id != owner_agency.pk:
        raise ValidationError("担当者は担当機関の職員から選んでください。")
    task = Task.objects.create(
        case=case,
        decision=decision,
        title=title,
        owner_agency=owner_agency,
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=task)
    return task


@transaction.atomic
def complete_task(actor: Staff, task: Task, *, request: HttpRequest | None = None) -> Task:
    access.require(actor, access.CHANGE, task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError("この作業は既に完了しています。")
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    record(Action.CHANGE, actor=actor, request=request, obj=task, detail={"done": True})
    return task
