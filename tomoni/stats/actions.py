"""Every write of 統計: a manager sets (or clears) a target, or a cell of the cost sheet
(事業費). Checked, written and audited in one transaction; bad input changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import District, Staff

from .models import Business, Cost, CostField, Kpi, Target

FIRST_FY = 2019  # 令和元年度: nothing older is planned in this system
MAX_VALUE = 1_000_000
MAX_AMOUNT = 999_999_999_999  # 円: a cell of the cost sheet (under 1兆円)


def _settable(fy: int) -> bool:
    """A 年度 a target or a cost may be set for: from the first 年度 to next year's."""
    return FIRST_FY <= fy <= timezone.localdate().year + 1


@transaction.atomic
def set_target(
    actor: Staff,
    *,
    fy: int,
    kpi: str,
    value: int | None,
    district: District | None = None,
    request: HttpRequest | None = None,
) -> Target | None:
    """Set the target of ``kpi`` for 年度 ``fy`` (city-wide, or per 地区 for places); an
    empty value removes it. Returns the target, or None when removed."""
    access.require_create(actor, Target)
    problems = []
    if kpi not in Kpi.values:
        problems.append("指標を選んでください。")
    if district is not None and kpi != Kpi.PLACES:
        problems.append("地区別の目標は「居場所・社会資源の数」だけに設定できます。")
    if not _settable(fy):
        problems.append("年度を選び直してください。")
    if value is not None and not 0 <= value <= MAX_VALUE:
        problems.append("目標値は0以上の整数で入力してください。")
    if problems:
        raise ValidationError(problems)
    # The default ordering joins District, which FOR UPDATE refuses on PostgreSQL.
    existing = (
        Target.objects.select_for_update()
        .filter(fy=fy, kpi=kpi, district=district)
        .order_by("pk")
        .first()
    )
    if value is None:
        if existing is not None:
            record(
                Action.DELETE,
                actor=actor,
                request=request,
                obj=existing,
                detail={"fy": fy, "kpi": kpi, "value": existing.value},
            )
            existing.delete()
        return None
    if existing is None:
        try:
            with transaction.atomic():
                target = Target.objects.create(
                    fy=fy, kpi=kpi, district=district, value=value, set_by=actor
                )
        except IntegrityError:  # another manager set it at the same moment
            raise ValidationError(
                "同じ目標値が同時に設定されました。画面を開き直して確認してください。"
            ) from None
        record(
            Action.CREATE,
            actor=actor,
            request=request,
            obj=target,
            detail={"fy": fy, "kpi": kpi, "value": value},
        )
        return target
    before = existing.value
    existing.value, existing.set_by, existing.set_at = value, actor, timezone.now()
    existing.save(update_fields=["value", "set_by", "set_at"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=existing,
        detail={"fy": fy, "kpi": kpi, "from": before, "to": value},
    )
    return existing


@transaction.atomic
def set_cost(
    actor: Staff,
    fy: int,
    business: str,
    field: str,
    amount: int | None,
    note: str | None = None,
    request: HttpRequest | None = None,
) -> Cost | None:
    """Set what ``business`` spent in ``field`` in 年度 ``fy`` (円). Empty (None) or 0
    removes the cell: the sheet keeps no row for nothing spent, so a cleared cell and one
    never entered look the same. ``note`` None keeps the cell's note. Returns the cost, or
    None when removed (or there was none). Unchanged values write nothing."""
    access.require_create(actor, Cost)
    problems = []
    if business not in Business.values:
        problems.append("事業を選んでください。")
    if field not in CostField.values:
        problems.append("分野を選んでください。")
    if not _settable(fy):
        problems.append("年度を選び直してください。")
    if amount is not None and not 0 <= amount <= MAX_AMOUNT:
        problems.append("金額は0以上の整数（円）で入力してください。")
    if note is not None and len(note) > 200:
        problems.append("備考は200文字以内にしてください。")
    if problems:
        raise ValidationError(problems)
    existing = (
        Cost.objects.select_for_update()
        .filter(fy=fy, business=business, field=field)
        .order_by("pk")
        .first()
    )
    what = {"fy": fy, "business": business, "field": field}
    if not amount:
        if existing is not None:
            record(
                Action.DELETE,
                actor=actor,
                request=request,
                obj=existing,
                detail={**what, "amount": existing.amount},
            )
            existing.delete()
        return None
    if existing is None:
        try:
            with transaction.atomic():
                cost = Cost.objects.create(
                    fy=fy,
                    business=business,
                    field=field,
                    amount=amount,
                    note=note or "",
                    updated_by=actor,
                )
        except IntegrityError:  # another manager entered it at the same moment
            raise ValidationError(
                "同じ事業費が同時に入力されました。画面を開き直して確認してください。"
            ) from None
        record(
            Action.CREATE, actor=actor, request=request, obj=cost, detail={**what, "amount": amount}
        )
        return cost
    if existing.amount == amount and (note is None or note == existing.note):
        return existing
    before = existing.amount
    existing.amount = amount
    if note is not None:
        existing.note = note
    existing.updated_by, existing.updated_at = actor, timezone.now()
    existing.save(update_fields=["amount", "note", "updated_by", "updated_at"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=existing,
        detail={**what, "from": before, "to": amount},
    )
    return existing


@transaction.atomic
def set_costs(
    actor: Staff,
    fy: int,
    amounts: dict[tuple[str, str], int | None],
    request: HttpRequest | None = None,
) -> int:
    """Save the whole sheet of 年度 ``fy`` at once ((事業, 分野) → 円): every cell or none.
    Returns how many cells changed."""
    access.require_create(actor, Cost)
    before = {(c.business, c.field): c.amount for c in Cost.objects.filter(fy=fy)}
    changed = 0
    for (business, field), amount in amounts.items():
        if before.get((business, field), 0) != (amount or 0):
            changed += 1
        set_cost(actor, fy, business, field, amount, request=request)
    return changed
