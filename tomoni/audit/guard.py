"""The database's own refusal of UPDATE and DELETE on audit rows (triggers, per engine).

The model already refuses ``save()`` of a stored event and ``delete()``; these triggers make
the database refuse as well, so a bulk ``UPDATE``/``DELETE`` from a shell or a SQL console
fails instead of succeeding quietly. Whoever may drop a trigger (a superuser, the table's
owner) can still get past it: the HMAC chain and the anchors outside the database are what
show that (``tomoni audit verify``). ``TRUNCATE`` on PostgreSQL is not refused (Django's test
flush uses it); a truncated log fails ``verify`` against any anchor.
"""

from __future__ import annotations

from typing import Any

GUARDED = ("audit_auditevent", "audit_auditseal")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tomoni_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '監査ログ (%) は変更・削除できません (%)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _pg_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_refuse BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION tomoni_audit_refuse()"
    )


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, '監査ログは変更できません'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, '監査ログは削除できません'); END",
    ]


def install_sql(vendor: str, tables: tuple[str, ...] = GUARDED) -> list[str]:
    if vendor == "postgresql":
        return [_PG_FUNCTION, *(_pg_trigger(t) for t in tables)]
    if vendor == "sqlite":
        return [sql for t in tables for sql in _sqlite_triggers(t)]
    return []


def remove_sql(vendor: str, tables: tuple[str, ...] = GUARDED) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_refuse ON {t}" for t in tables]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_{suffix}"
            for t in tables
            for suffix in ("no_update", "no_delete")
        ]
    return []


def install(connection: Any, tables: tuple[str, ...] = GUARDED) -> None:
    with connection.cursor() as cursor:
        for sql in install_sql(connection.vendor, tables):
            cursor.execute(sql)


def remove(connection: Any, tables: tuple[str, ...] = GUARDED) -> None:
    with connection.cursor() as cursor:
        for sql in remove_sql(connection.vendor, tables):
            cursor.execute(sql)
