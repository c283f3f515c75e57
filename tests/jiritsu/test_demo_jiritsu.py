"""The demo city's 生活困窮 at the window: some (not all) of the window's 生活困窮 consultations
carry 自立相談支援 records whose dates follow one another and stay before the demo's "today",
the 令和8年度 monthly sheet shows believable figures, and nothing is referred to the separate
「自立相談支援機関」."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tomoni.demo.city import load_city
from tomoni.demo.intake import UNTIL
from tomoni.intake.models import Consultation, Referral
from tomoni.jiritsu import figures
from tomoni.jiritsu.models import Support

from ..conftest import shared_data

pytestmark = [pytest.mark.demo, pytest.mark.xdist_group("demo_city_jiritsu")]


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    yield from shared_data(django_db_blocker, lambda: load_city(300))


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
