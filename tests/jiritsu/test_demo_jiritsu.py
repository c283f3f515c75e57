"""The demo city's 生活困窮 at the window: some (not all) of the window's 生活困窮 consultations
carry 自立相談支援 records whose dates follow one another and stay before the demo's "today",
the 令和8年度 monthly sheet shows believable figures, and nothing is referred to the separate
「自立相談支援機関」."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.demo.intake import UNTIL
from tomoni.directory.models import Role
from tomoni.intake.models import Consultation, Referral
from tomoni.jiritsu import figures
from tomoni.jiritsu.models import Benchmark, Support

from .. import democity

pytestmark = [pytest.mark.demo, pytest.mark.xdist_group(democity.GROUP)]


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    yield from democity.city_for_module(django_db_blocker)


def test_demo_supports_are_some_of_the_windows_poverty_consultations(
    db: None, city: dict[str, int]
) -> None:
    supports = list(Support.objects.select_related("consultation__agency"))
    assert city["jiritsu"] == len(supports) >= 10
    window_new = Consultation.objects.filter(agency__code="window", is_new=True).count()
    assert len(supports) < window_new / 2  # not every case
    for s in supports:
        c = s.consultation
        assert c.agency.code == "window" and c.is_new
        assert timezone.localdate(c.received_at) <= s.started_on <= UNTIL
        for day in (s.plan_on, s.housing_applied_on, s.budget_from, s.gain_on):
            assert day is None or s.started_on <= day <= UNTIL
        assert s.housing_decided_on is None or s.housing_applied_on is not None
        assert bool(s.gain) == bool(s.gain_on)
        assert s.gain_on is None or s.employment_target_on is not None
    assert any(s.plan_on is None for s in supports) and any(s.plan_on for s in supports)
    assert not Referral.objects.filter(to_agency__code="jiritsu").exists()


def test_the_reiwa8_monthly_sheet_is_believable(db: None, city: dict[str, int]) -> None:
    rows = {r.figure.key: r.months[figures.YEAR] for r in figures.count(2026)}
    assert rows["new"] > rows["plan"] > 0
    assert rows["plan"] >= rows["employment"] > 0
    assert rows["employment"] >= rows["gain"] >= 0
    assert rows["housing_applied"] >= rows["housing_decided"]


def test_the_demo_sheet_has_targets_the_manager_entered(db: None, city: dict[str, int]) -> None:
    """人口 (DOMAIN.md §2: about 94,000) and 目安値 for 令和6〜8年度, entered by the manager
    through set_benchmark (audited), so the 令和8年度 sheet shows targets against actuals (it
    showed 「人口と目安値はまだ設定されていません」 before)."""
    benchmarks = list(Benchmark.objects.order_by("fy"))
    assert [b.fy for b in benchmarks] == [2024, 2025, 2026] and city["benchmarks"] == 3
    for b in benchmarks:
        assert b.population == 94_000 and b.set_by.role == Role.MANAGER
        rates = [r for r in (b.new_rate, b.plan_rate, b.employment_rate, b.gain_rate) if r]
        assert len(rates) == 4 and rates == sorted(rates, reverse=True)  # 16, 8, 4.8, 3.6
    events = AuditEvent.objects.filter(object_type="jiritsu.benchmark", action="create")
    assert events.count() == 3
    rows = figures.count(2026)
    elapsed = figures.months_elapsed(2026, UNTIL)
    progress = figures.progress(benchmarks[-1], rows, UNTIL.month, elapsed)
    assert len(progress) == len(figures.KPIS)
    assert all(p.month_target > 0 and p.year_target > 0 for p in progress)
    assert any(p.year_actual > 0 for p in progress)
