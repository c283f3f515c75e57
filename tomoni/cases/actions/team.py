"""The team of agencies, the concerns (課題の整理) and the tendency overrides."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case, CaseConcern, TeamMember, TeamRole
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Concern, Staff
from tomoni.lib.concurrency import lock
from tomoni.people.models import Membership, Person

from ._common import _ensure_open, _touch


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
    case = lock(case)
    _ensure_open(case)
    if role not in TeamRole.values:
        raise ValidationError("役割を選んでください。")
    if not agency.active:
        raise ValidationError("この機関は現在チームに加えられません。")
    refuse_merged(agency)  # the window is the 自立相談支援機関 (directory.merged)
    if case.team.filter(agency=agency, end_on__isnull=True).exists():
        raise ValidationError(f"{agency.name} は既にチームにいます。")
    day = start_on or timezone.localdate()
    if role == TeamRole.LEAD:
        case.team.filter(end_on__isnull=True, role=TeamRole.LEAD).update(role=TeamRole.RELATED)
    member = TeamMember.objects.create(
        case=case, agency=agency, role=role, contact=contact.strip(), start_on=day
    )
    _touch(case)
    recompute_tendencies([case.pk])
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
    case = lock(case)
    _ensure_open(case)
    if member.end_on is not None:
        raise ValidationError("この機関は既にチームを離れています。")
    day = end_on or timezone.localdate()
    if day < member.start_on:
        raise ValidationError("終了日は参加日より後にしてください。")
    member.end_on = day
    member.save(update_fields=["end_on"])
    _touch(case)
    recompute_tendencies([case.pk])
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
    case = lock(case)
    _ensure_open(case)
    if priority not in (1, 2, 3):
        raise ValidationError("優先度は 1（高）〜3（低）で選んでください。")
    if not Membership.current.filter(household_id=case.household_id, person=person).exists():
        raise ValidationError("課題は世帯員ごとに記録してください。")
    refuse_merged(agency)
    item, created = CaseConcern.objects.update_or_create(
        case=case,
        person=person,
        concern=concern,
        defaults={"priority": priority, "agency": agency, "note": note.strip()},
    )
    _touch(case)
    recompute_tendencies([case.pk])
    record(Action.CREATE if created else Action.CHANGE, actor=actor, request=request, obj=item)
    return item


@transaction.atomic
def remove_concern(actor: Staff, item: CaseConcern, *, request: HttpRequest | None = None) -> None:
    case = item.case
    access.require(actor, access.CHANGE, case)
    case = lock(case)
    _ensure_open(case)
    record(Action.DELETE, actor=actor, request=request, obj=item)
    item.delete()
    _touch(case)
    recompute_tendencies([case.pk])


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
    case = lock(case)
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
