"""The monthly sheet (月次) of the 生活困窮者自立支援 statistics a window reports.

Every figure counts the records of the 自立相談支援機関 (``window.jiritsu_code()``) by a date
people entered — the consultation's 受付日 or a date on its 自立相談支援 record — never by
when a row was saved. One figure, one month is one ``Q`` (``FIGURES[key].q(month)``): the sheet
counts all of them in two queries (conditional counts, whatever the size of the city) and the
drill-down lists the records of the same ``Q`` through ``tomoni.access``, so a list is as long
as its figure.

Definitions (docs/guide.md §生活困窮 says the same in Japanese):
- 新規相談受付件数: consultations the 自立相談支援機関 took, marked 新規, by 受付日;
- プラン作成件数: 支援プラン (プラン兼事業等利用申込書) written, by its 作成日;
- 就労支援対象者数: people made 就労支援対象者, by that date;
- 就労・増収者数: people who found work or raised their income, by that date;
- 住居確保給付金 申請・決定, 家計改善支援・就労準備支援・一時生活支援 開始: by those dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tomoni.directory.merged import jiritsu_code
from tomoni.intake.models import Consultation
from tomoni.lib.fiscal import fiscal_year, fiscal_year_range

from .models import Benchmark, Support

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
YEAR = 0  # the 年度計 column


def month_range(fy: int, month: int) -> tuple[date, date]:
    """First and last day of ``month`` in 年度 ``fy`` (``YEAR``: the whole 年度)."""
    if month == YEAR:
        return fiscal_year_range(fy)
    year = fy if month >= 4 else fy + 1
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def months_elapsed(fy: int, today: date) -> int:
    """How many months of 年度 ``fy`` have begun by ``today`` (0 before, 12 after)."""
    current = fiscal_year(today)
    if fy < current:
        return 12
    if fy > current:
        return 0
    return MONTHS.index(today.month) + 1


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    on: str  # "consultation" or "support"
    date_field: str
    target: str = ""  # the Benchmark field of its 目安値, if any

    def q(self, fy: int, month: int, prefix: str = "") -> Q:
        first, last = month_range(fy, month)
        name = f"{prefix}{self.date_field}"
        if self.on == "consultation":
            tz = timezone.get_current_timezone()
            start = datetime.combine(first, time.min, tzinfo=tz)
            after = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
            return Q(**{f"{name}__gte": start, f"{name}__lt": after, f"{prefix}is_new": True})
        return Q(**{f"{name}__gte": first, f"{name}__lte": last})


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("new", "新規相談受付件数", "件", "consultation", "received_at", "new_rate"),
        Figure("plan", "プラン作成件数", "件", "support", "plan_on", "plan_rate"),
        Figure(
            "employment",
            "就労支援対象者数",
            "人",
            "support",
            "employment_target_on",
            "employment_rate",
        ),
        Figure("gain", "就労・増収者数", "人", "support", "gain_on", "gain_rate"),
        Figure("housing_applied", "住居確保給付金 申請件数", "件", "support", "housing_applied_on"),
        Figure(
            "housing_decided", "住居確保給付金 支給決定件数", "件", "support", "housing_decided_on"
        ),
        Figure("budget", "家計改善支援 利用開始", "人", "support", "budget_from"),
        Figure("work_prep", "就労準備支援 利用開始", "人", "support", "work_prep_from"),
        Figure("shelter", "一時生活支援 利用開始", "人", "support", "shelter_from"),
    )
}
KPIS = tuple(f for f in FIGURES.values() if f.target)


def consultations() -> QuerySet[Consultation]:
    """Every consultation of the 自立相談支援機関 (for counting only: pages list them through
    ``tomoni.access``)."""
    return Consultation.objects.filter(agency__code=jiritsu_code())


def supports() -> QuerySet[Support]:
    return Support.objects.filter(consultation__agency__code=jiritsu_code())


def consultation_records(
    figure: Figure, fy: int, month: int, visible: QuerySet[Consultation]
) -> QuerySet[Consultation]:
    """The consultations behind a consultation figure of one month, among ``visible`` (a
    viewer's ``access.visible``, for a drill-down)."""
    return visible.filter(agency__code=jiritsu_code()).filter(figure.q(fy, month))


def support_records(
    figure: Figure, fy: int, month: int, visible: QuerySet[Support]
) -> QuerySet[Support]:
    """The 自立相談支援 records behind a figure of one month, among ``visible``."""
    return visible.filter(consultation__agency__code=jiritsu_code()).filter(figure.q(fy, month))


@dataclass
class Row:
    figure: Figure
    months: dict[int, int] = field(default_factory=dict)  # MONTHS → count, YEAR → 年度計


def count(fy: int) -> list[Row]:
    """Every figure of 年度 ``fy``, month by month and for the 年度: two queries."""
    columns = (*MONTHS, YEAR)
    rows = {key: Row(f) for key, f in FIGURES.items()}
    for on, base in (("consultation", consultations()), ("support", supports())):
        aggregates = {
            f"{key}_{m}": Count("pk", filter=f.q(fy, m))
            for key, f in FIGURES.items()
            if f.on == on
            for m in columns
        }
        first, last = fiscal_year_range(fy)
        field_names = [f.date_field for f in FIGURES.values() if f.on == on]
        if on == "consultation":
            scope = FIGURES["new"].q(fy, YEAR)
        else:
            scope = Q()
            for name in field_names:
                scope |= Q(**{f"{name}__gte": first, f"{name}__lte": last})
        counted = base.filter(scope).aggregate(**aggregates)
        for name, value in counted.items():
            key, m = name.rsplit("_", 1)
            rows[key].months[int(m)] = value or 0
    return list(rows.values())


def _one(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Progress:
    """One KPI against the city's 目安値 (per 100,000 people per month)."""

    figure: Figure
    rate: Decimal  # 目安値: per 100,000 people per month
    month_target: Decimal  # 目標件数 for one month = rate × 人口 / 100,000
    month_actual: int
    year_target: Decimal  # × the months of the 年度 begun
    year_actual: int
    actual_rate: Decimal | None  # 実績: per 100,000 people per month (年度の経過月で平均)
    achieved: int | None  # 達成率 %


def progress(
    benchmark: Benchmark | None, rows: list[Row], month: int, elapsed: int
) -> list[Progress]:
    """Each KPI with a 目安値 against its actuals: the chosen month, and the 年度 so far."""
    if benchmark is None:
        return []
    out = []
    population = Decimal(benchmark.population)
    by_key = {r.figure.key: r for r in rows}
    for f in KPIS:
        rate = getattr(benchmark, f.target)
        if rate is None:
            continue
        month_target = _one(Decimal(rate) * population / 100_000)
        year_target = _one(month_target * elapsed)
        year_actual = by_key[f.key].months[YEAR]
        actual_rate = (
            _one(Decimal(year_actual) * 100_000 / population / elapsed) if elapsed else None
        )
        achieved = (
            int((Decimal(year_actual) * 100 / year_target).quantize(Decimal(1), ROUND_HALF_UP))
            if year_target
            else None
        )
        out.append(
            Progress(
                f,
                Decimal(rate),
                month_target,
                by_key[f.key].months.get(month, 0),
                year_target,
                year_actual,
                actual_rate,
                achieved,
            )
        )
    return out
