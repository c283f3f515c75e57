"""Every write about meetings: schedule, agenda, attendees, 守秘義務 pledges, minutes and
decisions (which act on cases and hand out tasks). Each checks the policy and the law's
rules, writes and audits in one transaction; a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases import actions as case_actions
from tomoni.cases import consent as case_consent
from tomoni.cases.models import ENDED, Case, ConsentState, Stage
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Role, Staff
from tomoni.lib import dateranges
from tomoni.lib.concurrency import bump, lock

from .models import (
    APPROACH_KINDS,
    CONFIDENTIAL,
    AgendaItem,
    Attendance,
    Decision,
    Kind,
    Meeting,
    Pledge,
)


@transaction.atomic
def schedule_meeting(
    actor: Staff,
    *,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    request: HttpRequest | None = None,
) -> Meeting:
    access.require_create(actor, Meeting)
    dateranges.check(timezone.localdate(starts_at), dateranges.EVENT, "開催日")
    if kind not in Kind.values:
        raise ValidationError("会議の種別を選んでください。")
    title = title.strip()
    if not title:
        raise ValidationError("会議の名称を入力してください。")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError("終了日時は開始日時より後にしてください。")
    meeting = Meeting.objects.create(
        kind=kind,
        title=title[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:120],
        convened_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=meeting)
    return meeting


def _check_case_for(meeting: Meeting, case: Case) -> None:
    if case.stage in ENDED:
        raise ValidationError(f"{case.code} は{case.get_stage_display()}しています。")
    if meeting.kind not in CONFIDENTIAL and case.consent != ConsentState.GIVEN:
        # Only a 支援会議 (第106条の6) may share a case without the person's consent; a
        # 重層的支援会議 or ケース会議 opens its materials without a pledge.
        raise ValidationError(
            f"本人同意のないケースは{meeting.get_kind_display()}では扱えません。"
            "支援会議（第106条の6）で検討してください。"
        )
    if meeting.kind == Kind.JUSOU and not case_consent.may_go_to_jusou_meeting(case):
        raise ValidationError(
            "重層的支援会議で検討するには、主な本人の「重層的支援会議での検討」への同意が必要です。"
            "ケースの画面で同意を記録してください。"
        )


def _agenda_cases(meeting: Meeting) -> QuerySet[Case]:
    return Case.objects.filter(agenda_items__meeting=meeting)


@transaction.atomic
def change_kind(
    actor: Staff, meeting: Meeting, kind: str, *, request: HttpRequest | None = None
) -> Meeting:
    """Correct a meeting's kind (a 全体会 entered as a 支援会議, or the other way). Every case on
    its agenda must suit the new kind (consent), and a meeting with decisions keeps its kind
    (a plan approved at a 重層的支援会議 stays approved there). Tendencies ④⑤ of the cases on
    the agenda follow: a 全体会 listing counts for neither."""
    access.require(actor, access.CHANGE, meeting)
    meeting = lock(meeting)
    if kind not in Kind.values:
        raise ValidationError("会議の種別を選んでください。")
    if kind == meeting.kind:
        return meeting
    if meeting.decisions.exists():
        raise ValidationError("決定事項が記録された会議の種別は変更できません。")
    before = meeting.kind
    meeting.kind = kind
    for item in meeting.agenda.select_related("case"):
        _check_case_for(meeting, item.case)
    bump(meeting, "kind")
    recompute_tendencies(_agenda_cases(meeting))
    detail = {"kind": kind, "was": before}
    record(Action.CHANGE, actor=actor, request=request, obj=meeting, detail=detail)
    return meeting


@transaction.atomic
def add_agenda_item(
    actor: Staff,
    meeting: Meeting,
    case: Case,
    *,
    purpose: str = "",
    request: HttpRequest | None = None,
) -> AgendaItem:
    access.require(actor, access.CHANGE, meeting)
    access.require(actor, access.CHANGE, case)
    meeting = lock(meeting)
    case = lock(case)  # consent as it is now
    _check_case_for(meeting, case)
    if meeting.agenda.filter(case=case).exists():
        raise ValidationError(f"{case.code} は既に議題にあります。")
    order = meeting.agenda.count() + 1
    item = AgendaItem.objects.create(
        meeting=meeting, case=case, order=order, purpose=purpose.strip()[:200]
    )
    recompute_tendencies([case.pk])  # ④⑤ read the meetings about the case
    record(Action.CREATE, actor=actor, request=request, obj=item, detail={"case": case.pk})
    return item


@transaction.atomic
def prepare_snapshot(
    actor: Staff,
    item: AgendaItem,
    *,
    summary: str,
    household_note: str = "",
    question: str = "",
    request: HttpRequest | None = None,
) -> AgendaItem:
    """What the meeting is shown of a case (第106条の6: what it needs), dated. Pledged
    attendees read this snapshot, never the case itself; a paper meeting prints it."""
    meeting = lock(item.meeting)
    access.require(actor, access.CHANGE, meeting)
    access.require(actor, access.CHANGE, item.case)
    summary, household_note, question = summary.strip(), household_note.strip(), question.strip()
    if not summary:
        raise ValidationError("会議で共有する概要を入力してください。")
    if len(summary) > 2000 or len(household_note) > 2000:
        raise ValidationError("概要と世帯の状況は、それぞれ2,000文字以内で入力してください。")
    if len(question) > 300:
        raise ValidationError("会議で検討したいことは300文字以内で入力してください。")
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    item.summary, item.household_note, item.question = summary, household_note, question
    item.prepared_by = actor
    item.prepared_at = timezone.now()
    item.save(update_fields=["summary", "household_note", "question", "prepared_by", "prepared_at"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=item,
        detail={"snapshot": True, "meeting": meeting.pk},
    )
    return item


@transaction.atomic
def add_attendee(
    actor: Staff,
    meeting: Meeting,
    *,
    agency: Agency,
    staff: Staff | None = None,
    name: str = "",
    request: HttpRequest | None = None,
) -> Attendance:
    """An attendee by account (who can then open the meeting) or by name only."""
    access.require(actor, access.CHANGE, meeting)
    if staff is None and not name.strip():
        raise ValidationError("出席者の職員か氏名を入力してください。")
    refuse_merged(agency)  # the window is the 自立相談支援機関 (directory.merged)
    if staff is not None:
        if staff.agency_id != agency.pk:
            raise ValidationError("出席者の所属機関が違います。")
        if meeting.attendances.filter(staff=staff).exists():
            raise ValidationError(f"{staff} は既に出席者にいます。")
        if staff.role in (Role.ADMIN, Role.AUDITOR, Role.MANAGER):
            raise ValidationError("この役割の職員は会議の出席者にできません。")
    attendance = Attendance.objects.create(
        meeting=meeting, agency=agency, staff=staff, name=name.strip()[:60]
    )
    recompute_tendencies(_agenda_cases(meeting))  # ④⑤ read who attended
    record(Action.CREATE, actor=actor, request=request, obj=attendance)
    return attendance


@transaction.atomic
def record_pledge(
    actor: Staff,
    attendance: Attendance,
    *,
    signed_on: date | None = None,
    request: HttpRequest | None = None,
) -> Pledge:
    """守秘義務の誓約: the attendee signs for themself, or the convener records a signed paper.
    Dated, never edited."""
    meeting = attendance.meeting
    if attendance.staff_id != actor.pk:
        access.require(actor, access.CHANGE, meeting)
    day = signed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError("誓約日に未来の日付は指定できません。")
    if Pledge.objects.filter(attendance=attendance).exists():
        raise ValidationError("この出席者の誓約は既に記録されています。")
    pledge = Pledge.objects.create(attendance=attendance, signed_on=day, recorded_by=actor)
    record(Action.CREATE, actor=actor, request=request, obj=pledge)
    return pledge


@transaction.atomic
def save_minutes(
    actor: Staff,
    meeting: Meeting,
    minutes: str,
    *,
    version: int,
    request: HttpRequest | None = None,
) -> Meeting:
    """議事録. ``version`` is what the writer opened; a save by somebody else in between is
    a conflict (no lost update)."""
    access.require(actor, access.CHANGE, meeting)
    meeting = lock(
        meeting, version, "他の職員が議事録を更新しました。最新の内容を確認してください。"
    )
    if len(minutes) > 20000:
        raise ValidationError("議事録は20,000文字以内で入力してください。")
    meeting.minutes = minutes.strip()
    meeting.minutes_by = actor
    meeting.held = True
    bump(meeting, "minutes", "minutes_by", "held")
    record(Action.CHANGE, actor=actor, request=request, obj=meeting, detail={"minutes": True})
    return meeting


@dataclass(frozen=True)
class TaskSpec:
    title: str
    owner_agency: Agency
    due_on: date
    owner: Staff | None = None


@transaction.atomic
def decide(
    actor: Staff,
    meeting: Meeting,
    case: Case,
    *,
    kind: str,
    text: str,
    tasks: Sequence[TaskSpec] = (),
    handoff_agency: Agency | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    """A decision on a case on this meeting's agenda. プラン承認 approves the newest plan
    (重層的支援会議 with consent only); 終結/中断 close the case; every decision may hand out
    tasks."""
    access.require(actor, access.CHANGE, meeting)
    access.require(actor, access.CHANGE, case)
    meeting = lock(meeting)
    case = lock(case)
    if kind not in Decision.Kind.values:
        raise ValidationError("決定の種別を選んでください。")
    if not text.strip():
        raise ValidationError("決定内容を入力してください。")
    if not meeting.agenda.filter(case=case).exists():
        raise ValidationError("議題にないケースについては決定を記録できません。")
    _check_case_for(meeting, case)
    if meeting.starts_at > timezone.now():
        raise ValidationError("開催前の会議に決定事項は記録できません。")
    if case.consent != ConsentState.GIVEN and kind not in APPROACH_KINDS:
        raise ValidationError(
            "本人同意のないケースでは、見守り・アウトリーチ・情報共有の範囲・役割分担など"
            "関わり方の決定だけを記録できます（プラン承認・支援決定はできません）。"
        )
    plan = None
    if kind == Decision.Kind.PLAN_APPROVAL:
        if meeting.kind != Kind.JUSOU:
            raise ValidationError("プランの承認は重層的支援会議で行います。")
        plan = case.plans.first()
        if plan is None:
            raise ValidationError("承認するプランがありません。")
        if plan.approved_at is not None:
            raise ValidationError(f"第{plan.number}版は既に承認されています。")
        if case.stage != Stage.MEETING:
            raise ValidationError("プランを承認するには、ケースを「会議」の段階にしてください。")
    if kind in (Decision.Kind.CLOSE, Decision.Kind.SUSPEND) and meeting.kind not in (
        Kind.JUSOU,
        Kind.SUPPORT,
        Kind.PLENARY,
    ):
        raise ValidationError(
            "終結・中断は重層的支援会議（同意のないケースは支援会議）で決定します。"
        )
    decision = Decision.objects.create(
        meeting=meeting, case=case, kind=kind, text=text.strip(), plan=plan, by=actor
    )
    if plan is not None:
        plan.approved_at = timezone.now()
        plan.approved_on = timezone.localdate(meeting.starts_at)  # 承認日: the meeting's date
        plan.approved_meeting = meeting
        plan.save(update_fields=["approved_at", "approved_on", "approved_meeting"])
    if kind in (Decision.Kind.CLOSE, Decision.Kind.SUSPEND):
        case_actions.close_case(
            actor,
            case,
            kind="closed" if kind == Decision.Kind.CLOSE else "suspended",
            reason=text,
            handoff_agency=handoff_agency,
            on=timezone.localdate(meeting.starts_at),
            request=request,
        )
    for spec in tasks:
        case_actions.add_task(
            actor,
            title=spec.title,
            owner_agency=spec.owner_agency,
            owner=spec.owner,
            due_on=spec.due_on,
            case=case,
            decision=decision,
            request=request,
        )
    if not meeting.held:
        meeting.held = True
        meeting.save(update_fields=["held"])
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=decision,
        detail={"case": case.pk, "kind": kind, "tasks": len(tasks)},
    )
    return decision
