"""The shared demo city (tests/democity.py) is there for the test that asks for it and gone
afterwards, built once and restored the same the second time. A city of five households: the
mechanism is the same for 300."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tomoni.cases.models import Case
from tomoni.people.models import Household

from . import democity

# Outside the city's group: a transactional test empties the database when it ends, which
# pytest-django keeps for the end of each process's run.
pytestmark = pytest.mark.demo

SMALL = democity.Variant(households=5)


def _city_households() -> int:
    return Household.objects.filter(code__startswith="D").count()


def test_the_city_comes_and_goes(
    request: pytest.FixtureRequest, transactional_db: None, django_db_blocker: Any
) -> None:
    """No transaction around the test (``transactional_db``), as around a module fixture."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL loads the city inside the test's transaction (pytest-django's)")
    before = (Household.objects.count(), Case.objects.count())
    for _ in range(2):  # built (or found built), then restored from the copy
        use = democity.city_for_test(request, django_db_blocker, SMALL)
        totals = next(use)
        assert _city_households() == totals["households"] == 5
        assert Case.objects.count() == totals["cases"] > 0
        use.close()
        assert (Household.objects.count(), Case.objects.count()) == before
        assert _city_households() == 0
