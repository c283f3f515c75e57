"""Demo 自立相談支援 records: where the window is the 自立相談支援機関 (稲城市), some of the
window's 生活困窮 consultations (a story that would have gone to 「自立相談支援機関」) become
自立相談支援 at the window, with dates that follow one another — 受付 → 開始 → プラン → 住居確保
給付金 申請 → 決定, 就労支援 → 就労・増収 — and never pass the demo's "today" (``UNTIL``).
Not every case: some end at a first talk, fewer get a plan, a few find work. The manager
enters the city's 人口 and the 目安値 for each 年度 (``set_benchmarks``), so the monthly sheet
shows targets against these actuals.

A separate seeded random keeps the rest of the demo city exactly as it was.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tomoni.directory.merged import SEPARATE, WINDOW, window_is_jiritsu
from tomoni.directory.models import Agency, Staff
from tomoni.intake.models import Consultation, Referral
from tomoni.jiritsu.actions import Rates, set_benchmark
from tomoni.jiritsu.models import Benchmark, Gain, Support


def absorbed_referrals(
    drawn: Sequence[Referral], own: Agency, window: Agency, separate: Agency, responder: Staff
) -> list[Referral]:
    """The referrals drawn for a consultation, where the window is the 自立相談支援機関: one to
    the separate 「自立相談支援機関」 goes to the window instead (answered by the window's
    worker), and is dropped when the window took the consultation itself or already has one."""
    if not window_is_jiritsu():
        return list(drawn)
    kept: list[Referral] = []
    for referral in drawn:
        if referral.to_agency_id == separate.pk:
            if own.pk == window.pk or any(r.to_agency_id == window.pk for r in drawn):
                continue
            referral.to_agency_id = window.pk
            for name in ("responded_by_id", "completed_by_id"):
                if getattr(referral, name) is not None:
                    setattr(referral, name, responder.pk)
        kept.append(referral)
    return kept


#: 稲城市's population (DOMAIN.md §2: about 94,000), entered for each 年度 the demo spans.
POPULATION = 94_000
BENCHMARK_YEARS = (2024, 2025, 2026)  # 令和6〜8年度
#: Illustrative 目安値 per 100,000 people per month for the demo, not a quotation of the national
#: ones (a city enters those it works to; MHLW's have changed over the years — 平成29年度:
#: 新規相談 24, プラン 12, 就労支援対象者 7): 新規相談 16, プラン作成 half of them (8),
#: 就労支援対象者 six in ten of the plans (4.8), 就労・増収 three in four of those (3.6).
RATES = Rates(
    new_rate=Decimal("16"),
    plan_rate=Decimal("8"),
    employment_rate=Decimal("4.8"),
    gain_rate=Decimal("3.6"),
)


def set_benchmarks(manager: Staff) -> int:
    """The manager enters 人口 and 目安値 per 年度 through the audited action; a 年度 that has
    them already (a demo city loaded again) keeps what it has."""
    entered = 0
    for fy in BENCHMARK_YEARS:
        if not Benchmark.objects.filter(fy=fy).exists():
            set_benchmark(manager, fy=fy, population=POPULATION, rates=RATES, version=None)
            entered += 1
    return entered


def agency_code(code: str) -> str:
    """A demo plan's agency code, with the 自立相談支援機関 being the window where it is."""
    return WINDOW if code == SEPARATE and window_is_jiritsu() else code


class Drawer:
    """Draws the 自立相談支援 items of the window's 生活困窮 consultations."""

    def __init__(self, seed: int, until: date, recorder: Staff) -> None:
        self.rng = random.Random(f"jiritsu-{seed}")
        self.until = until
        self.recorder = recorder

    def _after(self, day: date, low: int, high: int) -> date | None:
        later = day + timedelta(days=self.rng.randint(low, high))
        return later if later <= self.until else None

    def becomes_support(self) -> bool:
        """Whether a 生活困窮 consultation becomes 自立相談支援 (else: a first talk,
        information, another system)."""
        return self.rng.random() < 0.65

    def support(self, consultation: Consultation) -> Support | None:
        rng = self.rng
        received = timezone.localdate(consultation.received_at)
        started = self._after(received, 0, 5)
        if started is None:
            return None
        row = Support(
            consultation_id=consultation.pk,
            started_on=started,
            updated_by=self.recorder,
            updated_at=consultation.received_at,
        )
        if rng.random() < 0.6:
            row.plan_on = self._after(started, 7, 35)
        if rng.random() < 0.25:
            row.housing_applied_on = self._after(started, 2, 14)
            if row.housing_applied_on and rng.random() < 0.8:
                row.housing_decided_on = self._after(row.housing_applied_on, 7, 21)
        if row.plan_on:
            if rng.random() < 0.35:
                row.budget_from = self._after(row.plan_on, 0, 14)
            if rng.random() < 0.6:
                row.employment_target_on = row.plan_on
                if rng.random() < 0.2:
                    row.work_prep_from = self._after(row.plan_on, 7, 30)
                if rng.random() < 0.7:
                    row.gain_on = self._after(row.plan_on, 14, 90)
                    if row.gain_on:
                        row.gain = Gain.WORK if rng.random() < 0.7 else Gain.INCOME
        if rng.random() < 0.05:
            row.shelter_from = started
        return row


def write(rows: Sequence[Support]) -> int:
    Support.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
