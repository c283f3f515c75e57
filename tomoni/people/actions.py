"""Every write to households and people: check the policy, write, audit — in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import District, Staff, Tag

from .models import Consent, Household, Membership, Person, Relation, Relationship

HOUSEHOLD_FIELDS = ("postal_code", "address", "district", "phone", "notes")
PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "birth_date",
    "sex",
    "phone",
    "notes",
    "deceased_on",
)


def _assign(obj: Any, fields: Iterable[str], data: dict[str, Any]) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def register_household(
    actor: Staff,
    *,
    address: str = "",
    district: District | None = None,
    postal_code: str = "",
    phone: str = "",
    notes: str = "",
    tags: Iterable[Tag] = (),
    request: HttpRequest | None = None,
) -> Household:
    access.require_create(actor, Household)
    household = Household(
        # A placeholder until the primary key exists; the 世帯番号 is derived from it.
        code=uuid.uuid4().hex[:20],
        address=address,
        district=district,
        postal_code=postal_code,
        phone=phone,
        notes=notes,
        created_by=actor,
    )
    household.save()
    household.code = f"H{household.pk:07d}"
    household.save(update_fields=["code", "phone_key"])
    household.tags.set(list(tags))
    record(Action.CREATE, actor=actor, request=request, obj=household)
    return household


@transaction.atomic
def update_household(
    actor: Staff,
    household: Household,
    data: dict[str, Any],
    *,
    tags: Iterable[Tag] | None = None,
    request: HttpRequest | None = None,
) -> list[str]:
    access.require(actor, access.CHANGE, household)
    changed = _assign(household, HOUSEHOLD_FIELDS, data)
    if tags is not None:
        new = {t.pk for t in tags}
        if new != set(household.tags.values_list("pk", flat=True)):
            household.tags.set(list(new))
            changed.append("tags")
    if changed:
        household.updated_at = timezone.now()
        household.save()
        record(
            Action.CHANGE, actor=actor, request=request, obj=household, detail={"fields": changed}
        )
    return changed


@transaction.atomic
def register_person(
    actor: Staff,
    data: dict[str, Any],
    *,
    household: Household | None = None,
    relationship: str = Relationship.UNKNOWN,
    start_date: date | None = None,
    request: HttpRequest | None = None,
) -> Person:
    """Register a person, and if a household is given, make them a member of it."""
    access.require_create(actor, Person)
    if household is not None:
        access.require(actor, access.CHANGE, household)
    person = Person(created_by=actor)
    _assign(person, PERSON_FIELDS, data)
    person.save()
    record(Action.CREATE, actor=actor, request=request, obj=person)
    if household is not None:
        _add_membership(actor, person, household, relationship, start_date, request)
    return person


@transaction.atomic
def update_person(
    actor: Staff, person: Person, data: dict[str, Any], *, request: HttpRequest | None = None
) -> list[str]:
    access.require(actor, access.CHANGE, person)
    changed = _assign(person, PERSON_FIELDS, data)
    if changed:
        person.updated_at = timezone.now()
        person.save()
        record(Action.CHANGE, actor=actor, request=request, obj=person, detail={"fields": changed})
    return changed


def _add_membership(
    actor: Staff,
    person: Person,
    household: Household,
    relationship: str,
    start_date: date | None,
    request: HttpRequest | None,
) -> Membership:
    if Membership.current.filter(person=person, household=household).exists():
        raise ValidationError("この方はすでにこの世帯の世帯員です。")
    membership = Membership.objects.create(
        person=person, household=household, relationship=relationship, start_date=start_date
    )
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=membership,
        detail={"household": household.pk, "person": person.pk},
    )
    return membership


@transaction.atomic
def add_membership(
    actor: Staff,
    person: Person,
    household: Household,
    relationship: str,
    start_date: date | None = None,
    *,
    request: HttpRequest | None = None,
) -> Membership:
    access.require(actor, access.CHANGE, household)
    access.require(actor, access.CHANGE, person)
    return _add_membership(actor, person, household, relationship, start_date, request)


@transaction.atomic
def end_membership(
    actor: Staff,
    membership: Membership,
    end_date: date,
    reason: str,
    *,
    request: HttpRequest | None = None,
) -> Membership:
    """A member leaves (moves out, enters a facility, dies): the history stays."""
    access.require(actor, access.CHANGE, membership.household)
    if membership.end_date is not None:
        raise ValidationError("この世帯員の記録はすでに終了しています。")
    if membership.start_date and end_date < membership.start_date:
        raise ValidationError("終了日は開始日より後にしてください。")
    membership.end_date = end_date
    membership.end_reason = reason
    membership.save(update_fields=["end_date", "end_reason"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=membership,
        detail={"fields": ["end_date", "end_reason"]},
    )
    return membership


@transaction.atomic
def add_relation(
    actor: Staff,
    from_person: Person,
    to_person: Person,
    kind: str,
    note: str = "",
    *,
    request: HttpRequest | None = None,
) -> Relation:
    access.require(actor, access.CHANGE, from_person)
    access.require(actor, access.CHANGE, to_person)
    if from_person.pk == to_person.pk:
        raise ValidationError("同じ人どうしの関係は登録できません。")
    relation, created = Relation.objects.get_or_create(
        from_person=from_person, to_person=to_person, kind=kind, defaults={"note": note}
    )
    if created:
        record(Action.CREATE, actor=actor, request=request, obj=relation)
    return relation


@transaction.atomic
def record_consent(
    actor: Staff,
    person: Person,
    *,
    scope: str,
    status: str,
    on: date,
    method: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    access.require(actor, access.CHANGE, person)
    if status == Consent.Status.WITHDRAWN:
        raise ValidationError("撤回は、撤回する同意を選んで登録してください。")
    consent = Consent.objects.create(
        person=person,
        scope=scope,
        status=status,
        on=on,
        method=method,
        note=note,
        recorded_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=consent)
    return consent


@transaction.atomic
def withdraw_consent(
    actor: Staff,
    consent: Consent,
    *,
    on: date,
    method: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Withdrawal is a new record pointing at the consent it withdraws."""
    access.require(actor, access.CHANGE, consent.person)
    if consent.status != Consent.Status.GIVEN:
        raise ValidationError("撤回できるのは「同意あり」の記録だけです。")
    if Consent.objects.filter(withdraws=consent).exists():
        raise ValidationError("この同意はすでに撤回されています。")
    if on < consent.on:
        raise ValidationError("撤回日は同意日より後にしてください。")
    withdrawal = Consent.objects.create(
        person=consent.person,
        scope=consent.scope,
        status=Consent.Status.WITHDRAWN,
        on=on,
        method=method,
        note=note,
        withdraws=consent,
        recorded_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=withdrawal)
    return withdrawal


def current_consent(person: Person, scope: str) -> Consent | None:
    """The latest statement for a scope: given, refused or withdrawn (None: never asked)."""
    return (
        Consent.objects.filter(person=person, scope=scope).order_by("-recorded_at", "-pk").first()
    )
