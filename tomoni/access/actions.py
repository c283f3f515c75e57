"""Break-glass (緊急閲覧): opening a grant, and its review by the 監査担当."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.directory.models import Role, Staff

from .engine import MAX_PK, role_of
from .models import BreakGlass
from .policy import BREAK_GLASS_ROLES, BREAKABLE

# Stored as lower-case labels ("people.person"), as the audit log names objects.
BREAKABLE_TYPES: frozenset[str] = frozenset(label.lower() for label in BREAKABLE)
MIN_REASON = 10


def meaningful_length(text: str) -> int:
    """How many letters and digits a reason has (spaces and punctuation do not count), or 0
    when it is one character repeated (「ああああああああああ」)."""
    kept = [c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c)[0] in "LN"]
    return len(kept) if len(set(kept)) > 2 else 0


def open_break_glass(
    actor: Staff,
    object_type: str,
    object_id: int,
    reason: str,
    category: str = BreakGlass.Category.OTHER,
    request: HttpRequest | None = None,
) -> BreakGlass:
    """Grant ``actor`` a time-limited read of one record, with the reason on record."""
    if role_of(actor) not in BREAK_GLASS_ROLES:
        raise PermissionDenied("この役割では緊急閲覧はできません。")
    if object_type not in BREAKABLE_TYPES or not 0 < object_id <= MAX_PK:
        raise ValidationError("この記録は緊急閲覧の対象ではありません。")
    if category not in BreakGlass.Category.values:
        raise ValidationError("緊急閲覧の理由の区分を選んでください。")
    reason = " ".join(reason.split())
    if meaningful_length(reason) < MIN_REASON:
        raise ValidationError(
            f"緊急閲覧の理由を、何のために必要かが分かるよう{MIN_REASON}文字以上で入力してください。"
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            staff=actor,
            object_type=object_type,
            object_id=object_id,
            category=category,
            reason=reason[:300],
            created_at=now,
            expires_at=now + timedelta(hours=settings.TOMONI_BREAK_GLASS_HOURS),
        )
        record(
            Action.BREAK_GLASS,
            actor=actor,
            request=request,
            object_type=object_type,
            object_id=str(object_id),
            reason=f"{grant.get_category_display()}: {grant.reason}",
        )
    return grant


def review_break_glass(
    actor: Staff, grant: BreakGlass, comment: str, request: HttpRequest | None = None
) -> BreakGlass:
    """The 監査担当 marks a grant as reviewed, with what they found."""
    if role_of(actor) != Role.AUDITOR:
        raise PermissionDenied("緊急閲覧の確認は監査担当が行います。")
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            "確認の所見を入力してください（例: 理由は妥当。本人の安否確認のため）。"
        )
    with transaction.atomic():
        locked = BreakGlass.objects.select_for_update().get(pk=grant.pk)
        if locked.reviewed_at is not None:
            raise ValidationError("この緊急閲覧はすでに確認済みです。")
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.review_comment = comment[:2000]
        locked.save(update_fields=["reviewed_by", "reviewed_at", "review_comment"])
        record(
            Action.CHANGE, actor=actor, request=request, obj=locked, detail={"fields": ["reviewed"]}
        )
    return locked
