"""System checks that protect data quality on the configured database."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections


@register(Tags.database)
def postgres_locale(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """PostgreSQL must run with a UTF-8 LC_CTYPE: under plain C, pg_trgm extracts no trigrams
    from Japanese text and Japanese search silently finds nothing."""
    problems: list[CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW lc_ctype")
            (ctype,) = cursor.fetchone()
        if "utf" not in ctype.lower().replace("-", ""):
            problems.append(
                Error(
                    f"データベース {alias} の LC_CTYPE が {ctype} です。日本語の検索には UTF-8 の"
                    "ロケール (例: C.UTF-8) が必要です。",
                    hint="createdb -T template0 -E UTF8 --locale=C.UTF-8 で作り直してください。",
                    id="tomoni.E001",
                )
            )
    return problems
