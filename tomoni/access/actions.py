"""Break-glass (緊急閲覧): the one write this app makes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff

from .models import BreakGlass

BREAKABLE = {"people.household", "people.person", "intake.consultation", "cases.case"}


def open_break_glass(
    actor: Staff, object_type: str, object_id: int, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    """Grant ``actor`` a time-limited read of one record, with the reason on record."""
    reason = reason.strip()
    if object_type not in BREAKABLE:
        raise ValidationError("この記録は緊急閲覧の対象ではありません。")
    if len(reason) < 5:
        raise ValidationError("緊急閲覧の理由を5文字以上で具体的に入力してください。")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            staff=actor,
            object_type=object_type,
            object_id=object_id,
            reason=reason[:300],
            created_at=now,
            expires_at=now + timedelta(minutes=settings.TOMONI_BREAK_GLASS_MINUTES),
        )
        record(
            Action.BREAK_GLASS,
            actor=actor,
            request=request,
            object_type=object_type,
            object_id=str(object_id),
            reason=grant.reason,
        )
    return grant
