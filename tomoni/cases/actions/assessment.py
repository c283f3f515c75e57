"""インテーク・アセスメントシート, saved against the version the form was opened at."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Assessment, Case
from tomoni.directory.models import Staff
from tomoni.lib import dateranges
from tomoni.lib.concurrency import ConflictError, lock
from tomoni.lib.wareki import format_date

from ._common import _ensure_open, _touch

ASSESSMENT_FIELDS = (
    "work_status",
    "work",
    "housing",
    "housing_note",
    "insurance",
    "health_insurance",
    "pension_kind",
    "pension",
    "health",
    "income",
    "debts",
    "relationships",
    "strengths",
    "wishes",
    "supporters",
)


@transaction.atomic
def save_assessment(
    actor: Staff,
    case: Case,
    data: dict[str, str],
    *,
    version: int | None,
    assessed_on: date | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """インテーク・アセスメントシート. ``version`` is the one the form was opened at (None
    for a new sheet); somebody else's save in between is a conflict, not a lost update.
    ``assessed_on`` is the 実施日 the worker entered (None: today for a new sheet, unchanged
    for an existing one)."""
    access.require(actor, access.CHANGE, case)
    case = lock(case)
    _ensure_open(case)
    unknown = set(data) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError("アセスメントにない項目です。")
    if assessed_on is not None:
        problem = dateranges.problem(assessed_on, dateranges.PAST, "実施日")
        if problem is None and assessed_on < case.opened_on:
            problem = (
                f"実施日はケースの開始日（{format_date(case.opened_on)}）以降の日付を"
                "入力してください。"
            )
        if problem:
            raise ValidationError(problem)
    current = Assessment.objects.filter(case=case).first()
    if current is None:
        if version not in (None, 0):
            raise ConflictError("アセスメントが見つかりません。画面を読み込み直してください。")
        sheet = Assessment(
            case=case, updated_by=actor, assessed_on=assessed_on or timezone.localdate(), **data
        )
        sheet.full_clean(exclude=["case", "updated_by"])
        sheet.save()
        record(Action.CREATE, actor=actor, request=request, obj=sheet)
        _touch(case)
        return sheet
    if version != current.version:
        raise ConflictError(
            "他の職員がアセスメントを更新しました。最新の内容を確認してから入力し直してください。"
        )
    for name, value in data.items():
        setattr(current, name, value)
    changed = sorted(data)
    if assessed_on is not None and assessed_on != current.assessed_on:
        current.assessed_on = assessed_on
        changed = sorted([*changed, "assessed_on"])
    current.full_clean(exclude=["case", "updated_by"])
    current.version += 1
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.save()
    record(Action.CHANGE, actor=actor, request=request, obj=current, detail={"fields": changed})
    _touch(case)
    return current
