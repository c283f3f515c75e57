"""Consents recorded from the case page (people.Consent records of the household's members)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from tomoni import access
from tomoni.cases.models import Case, ConsentState
from tomoni.directory.models import Agency, Staff
from tomoni.lib.concurrency import lock
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Person

from ._common import _ensure_open


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
    case = lock(case)
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
    case = lock(case)
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
