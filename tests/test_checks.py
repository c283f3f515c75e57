"""System checks on the configured database."""

from __future__ import annotations

import pytest
from django.db import connection

from tomoni.web.checks import postgres_locale


@pytest.mark.django_db
def test_database_locale_check_passes_here() -> None:
    """The CI databases (SQLite, and PostgreSQL created with C.UTF-8) pass the check."""
    assert postgres_locale(databases=["default"]) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_pg_trgm_sees_japanese_under_this_locale() -> None:
    """Why the check exists: under a UTF-8 LC_CTYPE pg_trgm extracts Japanese trigrams."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT show_trgm('支援会議')")
        (trigrams,) = cursor.fetchone()
    assert len(trigrams) > 0
