"""The case's stage machine (``MOVES``), 終結・中断 and 再開."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import (
    ENDED,
    Assessment,
    Case,
    Closure,
    ConsentState,
    Stage,
    TeamMember,
    TeamRole,
)
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Staff
from tomoni.lib import stages
from tomoni.lib.concurrency import lock
from tomoni.lib.stages import Move

from ._common import _ensure_open, _move, _touch
from .plans import PlannedAction, PlanTerms, _new_plan_version


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


STALE_CASE = "他の職員がこのケースを更新しました。画面を読み込み直してください。"

# name → what it does. Closing and suspending go through close_case (they need a reason and
# a hand-off); reopening through reopen_case.
MOVES: dict[str, Move[Case]] = {
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


def available_moves(case: Case) -> list[tuple[str, Move[Case]]]:
    return stages.available(MOVES, case.stage)


@transaction.atomic
def move_case(
    actor: Staff,
    case: Case,
    name: str,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Move a case one step. ``version`` (from the page the coordinator saw) turns a move
    somebody else made in between into a conflict instead of a double step."""
    access.require(actor, access.CHANGE, case)
    move = MOVES.get(name)
    if move is None:
        raise ValidationError("この操作はありません。")
    case = lock(case, version, STALE_CASE)
    _ensure_open(case)
    move.refuse_unless_allowed(
        case, stage=case.stage, stage_label=case.get_stage_display(), note=note
    )
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
    """再プラン starts from the plan in force: a new, unapproved version with its goals,
    actions, 本人の希望 and period, which the coordinator then edits. The person's consent is
    not carried: they have not agreed to the new plan yet."""
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
        terms=PlanTerms(latest.wishes, latest.period_start, latest.period_end),
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
    case = lock(case)
    _ensure_open(case)
    if kind not in Closure.Kind.values:
        raise ValidationError("終結か中断かを選んでください。")
    if not reason.strip():
        raise ValidationError("終結・中断の理由を入力してください。")
    refuse_merged(handoff_agency)  # the window is the 自立相談支援機関 (directory.merged)
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
        recompute_tendencies([case.pk])  # the hand-off agency may have joined the team
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
    case = lock(case)
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
