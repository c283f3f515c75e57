"""The 300-household demo city, built once per test process and restored for each user.

Six modules read a `load_city(300)` city (its stories, realism, the 生活困窮 records, the
anonymiser over every case, the outreach side, the cases as `tomoni demo` serves them); each
built its own, some 8 s of a 2-core machine apiece. On SQLite a test process now builds each
variant once, keeps a copy of the whole database in memory (SQLite's backup API, as
tests/dbtemplate.py does for the migrated one), and copies it into the test database for each
module or test that asks — then copies back what was there before, so no other test sees the
city. The copy is reused only over the same starting database (the row count of every table,
compared): anything else builds the city again. PostgreSQL builds it each time, in the
module's or the test's transaction, as before.

The modules are one ``pytest.mark.xdist_group`` (``GROUP``) so that one worker builds them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from tomoni.demo.city import load_city

GROUP = "demo_city_300"

# As `tomoni demo` serves it: the 社協 a 委託先 (its coordinator sees its own part of the city).
AS_SERVED = ("shakyo",)


@dataclass(frozen=True)
class Variant:
    households: int = 300
    contractors: tuple[str, ...] | None = None  # TOMONI_CONTRACTOR_AGENCIES; None: as set


@dataclass
class _Built:
    before: tuple[tuple[str, int], ...]  # the starting database, table by table
    city: sqlite3.Connection  # the whole database once the city was loaded
    totals: dict[str, int]


_built: dict[Variant, _Built] = {}


def _raw() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


def _snapshot() -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:")
    _copy(_raw(), copy)
    return copy


def _shape() -> tuple[tuple[str, int], ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = []
        for name in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 — names from the schema
            counts.append((name, cursor.fetchone()[0]))
    return tuple(counts)


def _load(variant: Variant) -> dict[str, int]:
    if variant.contractors is None:
        return load_city(variant.households)
    with override_settings(TOMONI_CONTRACTOR_AGENCIES=list(variant.contractors)):
        return load_city(variant.households)


def _restored(variant: Variant) -> tuple[sqlite3.Connection, dict[str, int]]:
    """Put the city in the test database (outside any transaction); what was there before."""
    assert not connection.in_atomic_block, "the city is restored before the test's transaction"
    if variant.contractors is None:  # the cache knows the setting the city was loaded under
        variant = Variant(variant.households, tuple(settings.TOMONI_CONTRACTOR_AGENCIES))
    before = _snapshot()
    shape = _shape()
    built = _built.get(variant)
    if built is not None and built.before == shape:
        _copy(built.city, _raw())
        return before, built.totals
    totals = _load(variant)
    if built is not None:
        built.city.close()
    _built[variant] = _Built(shape, _snapshot(), totals)
    return before, totals


@contextmanager
def _in_place(django_db_blocker: Any, variant: Variant) -> Iterator[dict[str, int]]:
    """The city in the test database while the block runs; what was there before after it."""
    with django_db_blocker.unblock():
        before, totals = _restored(variant)
    try:
        yield totals
    finally:
        with django_db_blocker.unblock():
            _copy(before, _raw())
            before.close()


def city_for_module(
    django_db_blocker: Any, variant: Variant = Variant()
) -> Iterator[dict[str, int]]:
    """For a module-scoped fixture whose tests only read the city:
    ``yield from city_for_module(django_db_blocker)``; the totals ``load_city`` returned."""
    if connection.vendor != "sqlite":
        from .conftest import shared_data

        yield from shared_data(django_db_blocker, lambda: _load(variant))
        return
    with _in_place(django_db_blocker, variant) as totals:
        yield totals


def city_for_test(
    request: pytest.FixtureRequest, django_db_blocker: Any, variant: Variant = Variant()
) -> Generator[dict[str, int]]:
    """For a function-scoped fixture: the city, then the test's own transaction (``db``) on
    top of it, so the test may write; both undone afterwards. tests/conftest.py names ``db``
    after the fixture, so pytest sets ``db`` up after it and tears it down before it. A test
    that asks for ``db`` first (or is marked ``django_db``) gets the city loaded inside its
    transaction, as on PostgreSQL — correct, only slower."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        request.getfixturevalue("db")
        yield _load(variant)
        return
    with _in_place(django_db_blocker, variant) as totals:
        yield totals
