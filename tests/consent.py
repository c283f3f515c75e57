"""Consent in tests, as the case page records it: the main person's answer per purpose
(people.Consent, issue 15)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, ConsentState
from tomoni.directory.models import Agency, Staff
from tomoni.people.models import Consent, Person

SHARE = Consent.Scope.SHARE_WITH_AGENCIES
JUSOU = Consent.Scope.JUSOU_MEETING


def main_person(case: Case) -> Person:
    case.refresh_from_db(fields=["person"])
    assert case.person is not None, "the case has no main person"
    return case.person


def set_consent(actor: Staff, case: Case, state: str, *, on: date | None = None) -> Case:
    """同意あり: sharing and the 重層的支援会議, in writing; 同意なし: sharing refused; 確認中:
    asked, not answered."""
    day = on or timezone.localdate()
    person = main_person(case)
    if state == ConsentState.GIVEN:
        for scope in (SHARE, JUSOU):
            actions.record_consent(
                actor, case, person, scope=scope, status="given", on=day, method="written"
            )
    else:
        status = "refused" if state == ConsentState.NONE else "pending"
        actions.record_consent(
            actor, case, person, scope=SHARE, status=status, on=day, method="oral"
        )
    case.refresh_from_db()
    return case


def withdraw(actor: Staff, case: Case, *, on: date | None = None) -> list[Agency]:
    """The main person withdraws their consent to sharing (the case page's 撤回)."""
    person = main_person(case)
    given = (
        Consent.objects.filter(person=person, scope=SHARE, status="given", withdrawal__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    assert given is not None, "nothing to withdraw"
    lost = actions.withdraw_consent(
        actor, case, given, on=on or timezone.localdate(), method="written"
    )
    case.refresh_from_db()
    return lost
