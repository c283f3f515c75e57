"""Every write of 統計: a manager sets (or clears) a target. Checked, written and audited in
one transaction; bad input changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import District, Staff

from .models import Kpi, Target

FIRST_FY = 2019  # 令和元年度: nothing older is planned in this system
MAX_VALUE = 1_000_000


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
    if not FIRST_FY <= fy <= timezone.localdate().year + 1:
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
