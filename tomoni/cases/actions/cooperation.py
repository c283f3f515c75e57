"""関係機関との連携: a cooperation with an agency (退院支援, 受診同行, 支援会議への参加 …)
recorded on the case, on the day the worker enters. One with an agency outside welfare makes
tendency ④ fire (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case, Cooperation, CooperationKind
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Staff
from tomoni.lib import dateranges
from tomoni.lib.concurrency import lock

from ._common import _ensure_open, _touch
from .moves import STALE_CASE


@transaction.atomic
def record_cooperation(
    actor: Staff,
    case: Case,
    *,
    agency: Agency,
    kind: str,
    on: date,
    note: str = "",
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Cooperation:
    """Kept like a 支援経過記録 (the NOTE right): the coordinators and, with consent, the team
    agency that went to the hospital with the person record it. ``version``: the case as the
    page showed it (None compares nothing)."""
    access.require(actor, access.NOTE, case)
    case = lock(case, version, STALE_CASE)
    _ensure_open(case)
    if kind not in CooperationKind.values:
        raise ValidationError("連携の種類を選んでください。")
    if not agency.active:
        raise ValidationError("この機関は現在選べません。")
    refuse_merged(agency)  # the window is the 自立相談支援機関 (directory.merged)
    dateranges.check(on, dateranges.PAST, "連携の日付")
    cooperation = Cooperation.objects.create(
        case=case, agency=agency, kind=kind, on=on, note=note.strip(), by=actor
    )
    _touch(case)
    recompute_tendencies([case.pk])
    record(Action.CREATE, actor=actor, request=request, obj=cooperation)
    return cooperation
