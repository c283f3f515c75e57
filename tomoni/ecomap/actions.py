"""Writes to the エコマップ: check CHANGE on the household, write, audit — in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Staff
from tomoni.people.models import Household, Membership

from .models import Direction, EcomapTie, InformalKind, Strength, TieKind


@transaction.atomic
def add_tie(
    actor: Staff,
    household: Household,
    data: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> EcomapTie:
    """A tie the worker knows of: an informal supporter, or the strength and direction of
    the line to an agency or a place."""
    access.require(actor, access.CHANGE, household)
    tie = EcomapTie(household=household, created_by=actor)
    for name in (
        "kind",
        "agency",
        "place",
        "informal_kind",
        "name",
        "person",
        "strength",
        "direction",
        "note",
    ):
        if name in data:
            setattr(tie, name, data[name])
    if tie.kind not in TieKind.values:
        raise ValidationError("つながりの種類を選んでください。")
    if tie.strength not in Strength.values or tie.direction not in Direction.values:
        raise ValidationError("つながりの強さと向きを選んでください。")
    if tie.kind == TieKind.AGENCY and tie.agency is None:
        raise ValidationError("機関を選んでください。")
    if tie.kind == TieKind.AGENCY:
        refuse_merged(tie.agency)  # the window is the 自立相談支援機関 (directory.merged)
    if tie.kind == TieKind.PLACE and tie.place is None:
        raise ValidationError("居場所・社会資源を選んでください。")
    if tie.kind == TieKind.INFORMAL:
        if tie.informal_kind not in InformalKind.values:
            raise ValidationError("支援者の種類を選んでください（民生委員、近隣住民など）。")
        tie.agency = tie.place = None
    else:
        tie.informal_kind = ""
        tie.agency = tie.agency if tie.kind == TieKind.AGENCY else None
        tie.place = tie.place if tie.kind == TieKind.PLACE else None
    if (
        tie.person is not None
        and not Membership.current.filter(household=household, person=tie.person).exists()
    ):
        raise ValidationError("主に関わる世帯員は、この世帯の世帯員から選んでください。")
    tie.full_clean(exclude=["household", "person", "created_by", "agency", "place"])
    # A newer statement about the same agency or place replaces the older one.
    same = EcomapTie.objects.filter(household=household, end_on__isnull=True)
    if tie.agency is not None:
        _end(actor, same.filter(agency=tie.agency), request)
    if tie.place is not None:
        _end(actor, same.filter(place=tie.place), request)
    tie.save()
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=tie,
        detail={"household": household.pk, "kind": tie.kind},
    )
    return tie


def _end(actor: Staff, ties: Any, request: HttpRequest | None) -> None:
    for old in ties:
        old.end_on = timezone.localdate()
        old.save(update_fields=["end_on"])
        record(Action.CHANGE, actor=actor, request=request, obj=old, detail={"fields": ["end_on"]})


@transaction.atomic
def end_tie(
    actor: Staff, tie: EcomapTie, *, on: date | None = None, request: HttpRequest | None = None
) -> EcomapTie:
    """The supporter is no longer involved: the line leaves the map, the record stays."""
    tie = EcomapTie.objects.select_for_update().get(pk=tie.pk)
    access.require(actor, access.CHANGE, tie.household)
    if tie.end_on is not None:
        raise ValidationError("このつながりはすでに終了しています。")
    tie.end_on = on or timezone.localdate()
    if tie.end_on < tie.start_on:
        raise ValidationError("終了日は開始日より後にしてください。")
    tie.save(update_fields=["end_on"])
    record(Action.CHANGE, actor=actor, request=request, obj=tie, detail={"fields": ["end_on"]})
    return tie
