"""Plans (a new version per save) and their review (評価シート)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import (
    Attainment,
    Case,
    GoalReview,
    GoalTerm,
    Plan,
    PlanAction,
    PlanGoal,
    Review,
    ReviewDecision,
    Stage,
)
from tomoni.directory.models import Agency, Staff
from tomoni.lib import dateranges
from tomoni.lib.concurrency import ConflictError, lock
from tomoni.lib.wareki import format_date

from ._common import _ensure_open, _touch


@dataclass(frozen=True)
class PlanTerms:
    """What the プラン兼事業等利用申込書 adds to goals and actions: the person's own words
    (本人の希望), the plan period, the day the person agreed to this version (None: the
    consent is not confirmed yet) and the version's 作成日 (None: today)."""

    wishes: str = ""
    period_start: date | None = None
    period_end: date | None = None
    consented_on: date | None = None
    written_on: date | None = None

    def problems(self) -> str | None:
        if self.written_on and (
            message := dateranges.problem(self.written_on, dateranges.PAST, "作成日")
        ):
            return message
        if len(self.wishes.strip()) > 2000:
            return "本人の希望は2000文字以内で入力してください。"
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            return "計画期間の終了日は開始日より後の日付にしてください。"
        if self.consented_on and self.consented_on > timezone.localdate():
            return "本人が同意した日に未来の日付は指定できません。"
        return None


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
    terms: PlanTerms,
) -> Plan:
    latest = case.plans.first()
    number = latest.number + 1 if latest else 1
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                case=case,
                number=number,
                summary=summary.strip(),
                wishes=terms.wishes.strip(),
                period_start=terms.period_start,
                period_end=terms.period_end,
                consented_on=terms.consented_on,
                written_on=terms.written_on or timezone.localdate(),
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


def _written_before_case(case: Case, written_on: date | None) -> str | None:
    if written_on and written_on < case.opened_on:
        return (
            f"作成日はケースの開始日（{format_date(case.opened_on)}）以降の日付を入力してください。"
        )
    return None


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
    terms: PlanTerms | None = None,
    request: HttpRequest | None = None,
) -> Plan:
    """Save the plan as a new version. ``base`` is the version the coordinator started
    from (0 for the first): if somebody saved another version meanwhile, the save is refused
    as a conflict and both versions stay readable."""
    access.require(actor, access.CHANGE, case)
    case = lock(case)
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
    terms = terms or PlanTerms()
    problem = terms.problems() or _written_before_case(case, terms.written_on)
    if problem:
        raise ValidationError(problem)
    plan = _new_plan_version(
        actor,
        case,
        summary=summary,
        goals=goals,
        actions=actions,
        refer_outreach=refer_outreach,
        refer_participation=refer_participation,
        review_on=review_on,
        terms=terms,
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
    case = lock(case)
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
