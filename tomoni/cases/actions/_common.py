"""What every write of a case shares: is it open, the stage step, the version bump."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from tomoni.cases.models import ENDED, Case, StageChange
from tomoni.directory.models import Role, Staff
from tomoni.lib.concurrency import bump


def _ensure_open(case: Case) -> None:
    if case.stage in ENDED:
        raise ValidationError(
            f"このケースは{case.get_stage_display()}しています。変更するには先に再開してください。"
        )


def _touch(case: Case, *fields: str) -> None:
    """Save ``fields`` of a case locked with ``lock`` (tomoni.lib.concurrency), as a change
    every open page of it must notice: a new ``updated_at`` and the next version."""
    case.updated_at = timezone.now()
    bump(case, *fields, "updated_at")


def _move(actor: Staff, case: Case, to: str, note: str = "") -> None:
    StageChange.objects.create(case=case, from_stage=case.stage, to_stage=to, by=actor, note=note)
    case.stage = to
    case.stage_changed_at = timezone.now()


def _is_coordinator(actor: Staff) -> bool:
    return actor.role == Role.COORDINATOR
