"""Every write of 生活困窮 at the window: the 自立相談支援 items of a consultation
(``record_support``) and the city's 人口 and 目安値 per 年度 (``set_benchmark``). Each
checks the policy and the 自立相談支援 rules, writes, and audits in one transaction; a
refusal (Japanese) changes nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.merged import is_jiritsu
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation
from tomoni.lib import dateranges
from tomoni.lib.concurrency import ConflictError, bump, check_version, lock

from .models import Benchmark, Gain, Support, label_of

FIRST_FY = 2019  # 令和元年度, as 統計
MAX_POPULATION = 50_000_000
MAX_RATE = Decimal("9999.9")
STALE = "他の職員がこの自立相談支援の記録を更新しました。画面を読み込み直してください。"
STALE_BENCHMARK = "他の職員がこの年度の目安値を更新しました。画面を読み込み直してください。"


@dataclass(frozen=True)
class Items:
    """What the worker entered (dates they typed; blank is None)."""

    started_on: date
    plan_on: date | None = None
    housing_applied_on: date | None = None
    housing_decided_on: date | None = None
    budget_from: date | None = None
    work_prep_from: date | None = None
    shelter_from: date | None = None
    employment_target_on: date | None = None
    gain: str = ""
    gain_on: date | None = None


LABELS = {f.name: label_of(Support, f.name) for f in fields(Items)}


def may_record(user: Staff, consultation: Consultation) -> bool:
    """The 自立相談支援機関's own staff, on a consultation it took and they may change."""
    return (
        user.agency_id is not None
        and user.agency_id == consultation.agency_id
        and is_jiritsu(user.agency_id, user.agency.code if user.agency else None)
        and access.can(user, access.CHANGE, consultation)
    )


def _require(user: Staff, consultation: Consultation) -> None:
    access.require(user, access.CHANGE, consultation)  # 404 outsiders, 403 readers
    if not may_record(user, consultation):
        raise PermissionDenied("自立相談支援の記録は、自立相談支援機関の職員がつけます。")


def _problems(consultation: Consultation, items: Items) -> list[str]:
    problems: list[str] = []
    received = timezone.localdate(consultation.received_at)
    for name, value in asdict(items).items():
        if isinstance(value, date):
            message = dateranges.problem(value, dateranges.PAST, LABELS[name])
            if message:
                problems.append(message)
    if items.started_on < received:
        problems.append("自立相談支援の開始日は、相談の受付日以降の日付にしてください。")
    for name, value in asdict(items).items():
        if name != "started_on" and isinstance(value, date) and value < items.started_on:
            problems.append(f"{LABELS[name]}は、自立相談支援の開始日以降の日付にしてください。")
    if items.housing_decided_on and not items.housing_applied_on:
        problems.append("住居確保給付金の支給決定日には、申請日も入力してください。")
    if (
        items.housing_decided_on
        and items.housing_applied_on
        and items.housing_decided_on < items.housing_applied_on
    ):
        problems.append("住居確保給付金の支給決定日は、申請日以降の日付にしてください。")
    if items.gain and items.gain not in Gain.values:
        problems.append("就労・増収を選び直してください。")
    if bool(items.gain) != bool(items.gain_on):
        problems.append(
            "就労・増収は、どちらか（就労した・増収した）とその日を両方入力してください。"
        )
    return problems


@transaction.atomic
def record_support(
    actor: Staff,
    consultation: Consultation,
    items: Items,
    *,
    version: int | None,
    request: HttpRequest | None = None,
) -> Support:
    """Start or update the 自立相談支援 record of ``consultation``. ``version``: the one the
    screen showed (None when it showed no record yet: then someone else's new record is a
    conflict too)."""
    _require(actor, consultation)
    consultation = lock(consultation)
    existing = Support.objects.filter(consultation=consultation).first()
    if existing is None and version is not None:
        raise ConflictError(STALE)
    if existing is not None:
        existing = lock(existing)
        if version is None:
            raise ConflictError(STALE)
        check_version(existing, version, STALE)
    problems = _problems(consultation, items)
    if problems:
        raise ValidationError(problems)
    values: dict[str, Any] = asdict(items)
    if existing is None:
        support = Support.objects.create(consultation=consultation, updated_by=actor, **values)
        record(Action.CREATE, actor=actor, request=request, obj=support)
        return support
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return existing
    for name in changed:
        setattr(existing, name, values[name])
    existing.updated_by, existing.updated_at = actor, timezone.now()
    bump(existing, *changed, "updated_by", "updated_at")
    record(Action.CHANGE, actor=actor, request=request, obj=existing, detail={"fields": changed})
    return existing


@dataclass(frozen=True)
class Rates:
    """The 目安値 per 100,000 people per month (None: no target for that figure)."""

    new_rate: Decimal | None = None
    plan_rate: Decimal | None = None
    employment_rate: Decimal | None = None
    gain_rate: Decimal | None = None


def settable(fy: int) -> bool:
    return FIRST_FY <= fy <= timezone.localdate().year + 1


@transaction.atomic
def set_benchmark(
    actor: Staff,
    *,
    fy: int,
    population: int | None,
    rates: Rates,
    version: int | None,
    request: HttpRequest | None = None,
) -> Benchmark | None:
    """Set 年度 ``fy``'s 人口 and 目安値; an empty 人口 removes them. ``version``: the one the
    screen showed (None: it showed none)."""
    access.require_create(actor, Benchmark)
    problems = []
    if not settable(fy):
        problems.append("年度を選び直してください。")
    if population is not None and not 1 <= population <= MAX_POPULATION:
        problems.append("人口は1以上の整数で入力してください。")
    for name, value in asdict(rates).items():
        if value is not None and not Decimal(0) <= value <= MAX_RATE:
            label = label_of(Benchmark, name)
            problems.append(f"{label}は0以上の数で入力してください。")
    if population is None and any(v is not None for v in asdict(rates).values()):
        problems.append("目安値を設定するには、その年度の人口を入力してください。")
    if problems:
        raise ValidationError(problems)
    existing = Benchmark.objects.select_for_update().filter(fy=fy).first()
    if existing is not None:
        check_version(existing, version if version is not None else -1, STALE_BENCHMARK)
    elif version is not None:
        raise ConflictError(STALE_BENCHMARK)
    values = {"population": population, **asdict(rates)}
    if population is None:
        if existing is not None:
            record(Action.DELETE, actor=actor, request=request, obj=existing, detail={"fy": fy})
            existing.delete()
        return None
    if existing is None:
        try:
            with transaction.atomic():
                made = Benchmark.objects.create(fy=fy, set_by=actor, **values)
        except IntegrityError:  # another manager set it at the same moment
            raise ConflictError(STALE_BENCHMARK) from None
        record(Action.CREATE, actor=actor, request=request, obj=made, detail={"fy": fy})
        return made
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return existing
    for name in changed:
        setattr(existing, name, values[name])
    existing.set_by, existing.set_at = actor, timezone.now()
    bump(existing, *changed, "set_by", "set_at")
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=existing,
        detail={"fy": fy, "fields": changed},
    )
    return existing
