"""A case's consent is its main person's (people.Consent, per person and purpose).

``Case.consent`` keeps the main person's current answer for sharing within the team
(情報共有), so the policy and the lists filter by a column; this module is the only writer of
that column, in the transaction that records the person's consent (``consent_changed``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from tomoni.people.models import Consent

from .models import ENDED, Case, ConsentState

SHARE = Consent.Scope.SHARE_WITH_AGENCIES
JUSOU = Consent.Scope.JUSOU_MEETING
SCOPES = tuple(Consent.Scope.values)

_STATE: dict[str, str] = {
    Consent.Status.GIVEN: ConsentState.GIVEN,
    Consent.Status.REFUSED: ConsentState.NONE,
    Consent.Status.WITHDRAWN: ConsentState.NONE,
    Consent.Status.PENDING: ConsentState.PENDING,
}


def latest(rows: QuerySet[Consent]) -> dict[tuple[int, str], Consent]:
    """Each person's current statement per purpose among ``rows``, in one query (absent: never
    asked). Pages pass the rows the policy lets the user read."""
    current: dict[tuple[int, str], Consent] = {}
    for consent in rows.order_by("recorded_at", "pk").select_related("recorded_by"):
        current[(consent.person_id, consent.scope)] = consent
    return current


def state_of(person_id: int | None, scope: str = SHARE) -> str:
    """同意あり / 同意なし / 確認中 for one person and purpose (no person, never asked: 確認中)."""
    if person_id is None:
        return ConsentState.PENDING
    return state_of_statement(
        latest(Consent.objects.filter(person_id=person_id)).get((person_id, scope))
    )


def state_of_statement(consent: Consent | None) -> str:
    """同意あり / 同意なし / 確認中 for a person's current statement (None, never asked: 確認中)."""
    return _STATE[consent.status] if consent else ConsentState.PENDING


def may_go_to_jusou_meeting(case: Case) -> bool:
    """A 重層的支援会議 discusses a case only with its main person's consent to it."""
    return case.consent == ConsentState.GIVEN and state_of(case.person_id, JUSOU) == "given"


def sync(person_id: int, **_: Any) -> None:
    """Recompute the consent of every open case whose main person this is."""
    state = state_of(person_id)
    (
        Case.objects.filter(person_id=person_id)
        .exclude(stage__in=ENDED)
        .exclude(consent=state)
        .update(consent=state, version=F("version") + 1, updated_at=timezone.now())
    )
