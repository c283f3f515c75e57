"""Opening a case (from the window's consultation or an agency's request) and its lead."""

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
from tomoni.cases import consent as case_consent
from tomoni.cases.models import ENDED, Case, Origin, Stage, StageChange, TeamMember, TeamRole
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.models import Role, Staff, Tag
from tomoni.intake.models import Consultation, Outcome, Referral
from tomoni.lib.concurrency import lock
from tomoni.people.models import Household, Membership, Person, Relationship

from ._common import _ensure_open, _is_coordinator, _touch


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
    recompute_tendencies([case.pk])
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
    case = lock(case)
    _ensure_open(case)
    lead = lead or actor
    if lead.role != Role.COORDINATOR or not lead.is_active:
        raise ValidationError("担当は多機関協働のコーディネーターから選んでください。")
    case.lead = lead
    _touch(case, "lead")
    record(Action.CHANGE, actor=actor, request=request, obj=case, detail={"lead": lead.pk})
    return case
