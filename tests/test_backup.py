"""`tomoni backup` then `tomoni restore` into an empty database: every table's row count and
the audit head as they were, and `audit verify` passing — on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tomoni.audit.log import Action, anchor, head, record, seal
from tomoni.directory.models import Staff

from .commandline import DATABASE, GROUP, copy_home, home_env, tomoni
from .conftest import register_household


def _source_counts() -> dict[str, int]:
    """Every table of the test database, counted through Django's own connection."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"  # FTS5: its shadow tables are counted
            )
        else:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = sorted(name for (name,) in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 — names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def _some_city(staff: Staff) -> None:
    for _ in range(3):
        register_household(staff, members=3)
    for n in range(5):
        record(Action.VIEW, actor=staff, object_type="people.person", object_id=str(n))
    anchor()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "backup.key"
    call_command("backup", "--new-key", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    return path


def _backup(tmp_path: Path, key_file: Path) -> Path:
    out = tmp_path / "backups" / "city.tomoni-backup"
    call_command("backup", str(out), "--key-file", str(key_file))
    assert out.stat().st_mode & 0o777 == 0o600
    return out


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"  # FTS5: its shadow tables are counted
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _sqlite_head(path: Path) -> tuple[int, str]:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT seq, hash FROM audit_audithead").fetchone()
    return (int(row[0]), str(row[1]))


@pytest.fixture(scope="module")
def sqlite_city(
    demo_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], Path, Path]:
    """A small demo city (`tomoni demo --households 3`, tests/commandline.py) in its own SQLite
    file, anchored, backed up with `tomoni backup`."""
    home = copy_home(demo_home, tmp_path_factory.mktemp("city") / "home")
    env = {
        **home_env(home),
        "TOMONI_AUDIT_ANCHOR_FILE": str(home / "anchors.jsonl"),
        "TOMONI_BACKUP_KEY_FILE": str(home / "keys" / "backup.key"),
    }
    for args in (
        ["audit", "anchor"],
        ["backup", "--new-key", env["TOMONI_BACKUP_KEY_FILE"]],
        ["backup", str(home / "backups" / "city.tomoni-backup")],
    ):
        done = tomoni(home, *args, env=env)
        assert done.returncode == 0, done.stderr
    assert "バックアップしました" in done.stdout
    return env, home / DATABASE, home / "backups" / "city.tomoni-backup"


@pytest.mark.demo
@pytest.mark.xdist_group(GROUP)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="one engine is enough: a subprocess")
def test_sqlite_backup_restores_into_an_empty_database(
    sqlite_city: tuple[dict[str, str], Path, Path], tmp_path: Path
) -> None:
    """`tomoni backup`, then `tomoni restore` into an empty file: every table with its row
    count, the same audit head, and the `audit verify` it runs passes (anchors included)."""
    env, source, backup = sqlite_city
    assert backup.stat().st_mode & 0o777 == 0o600
    assert Path(env["TOMONI_BACKUP_KEY_FILE"]).stat().st_mode & 0o777 == 0o600
    assert b"people_person" not in backup.read_bytes()  # encrypted, not merely packed
    target = tmp_path / "restored" / "tomoni.sqlite3"
    url = f"sqlite:///{target}"
    restored = tomoni(
        Path(env["TOMONI_VAR_DIR"]), "restore", str(backup), "--database-url", url, env=env
    )
    assert restored.returncode == 0, restored.stderr
    assert "監査ログは正常です" in restored.stdout
    expected = _sqlite_counts(source)
    assert expected["people_person"] > 3 and expected["audit_auditevent"] > 10
    assert _sqlite_counts(target) == expected
    assert _sqlite_head(target) == _sqlite_head(source) and _sqlite_head(source)[0] > 10
    # Only into an empty database.
    again = tomoni(
        Path(env["TOMONI_VAR_DIR"]), "restore", str(backup), "--database-url", url, env=env
    )
    assert again.returncode != 0 and "空のデータベース" in again.stderr


@pytest.mark.demo
@pytest.mark.xdist_group(GROUP)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="one engine is enough: a subprocess")
def test_a_wrong_key_a_changed_byte_or_a_cut_file_restores_nothing(
    sqlite_city: tuple[dict[str, str], Path, Path], tmp_path: Path
) -> None:
    env, _source, backup = sqlite_city
    other_key = tmp_path / "other.key"
    call_command("backup", "--new-key", str(other_key))
    data = backup.read_bytes()
    flipped = tmp_path / "flipped.tomoni-backup"
    flipped.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    cut = tmp_path / "cut.tomoni-backup"
    cut.write_bytes(data[: len(data) // 2])
    key = env["TOMONI_BACKUP_KEY_FILE"]
    cases = [(backup, str(other_key), "鍵が違う"), (flipped, key, "書き換え"), (cut, key, "切れて")]
    for number, (file, key_file, message) in enumerate(cases):
        target = tmp_path / f"target-{number}.sqlite3"
        with pytest.raises(CommandError, match=message):
            call_command(
                "restore",
                str(file),
                "--key-file",
                key_file,
                "--database-url",
                f"sqlite:///{target}",
            )
        if target.exists():
            with sqlite3.connect(target) as probe:
                assert probe.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """An empty database beside the test database, dropped afterwards."""
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore"
    server = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=settings_dict.get("HOST") or "",
        port=str(settings_dict.get("PORT") or ""),
        user=settings_dict.get("USER") or "",
        password=settings_dict.get("PASSWORD") or "",
    )
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    url = (
        f"postgres://{settings_dict.get('USER') or ''}:{settings_dict.get('PASSWORD') or ''}"
        f"@{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}/{name}"
    )
    try:
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_an_empty_database(
    personas: dict[str, Staff],
    tmp_path: Path,
    key_file: Path,
    scratch_postgres: str,
    capsys: Any,
) -> None:
    import psycopg

    _some_city(personas["window"])
    seal()
    out = _backup(tmp_path, key_file)
    expected, expected_head = _source_counts(), head()
    assert expected["people_person"] == 9 and expected_head[0] > 5
    call_command(
        "restore", str(out), "--key-file", str(key_file), "--database-url", scratch_postgres
    )
    assert "監査ログは正常です" in capsys.readouterr().out
    with psycopg.connect(scratch_postgres.replace("postgres://", "postgresql://")) as restored:
        tables = sorted(
            name
            for (name,) in restored.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        )
        counts = {
            table: restored.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]  # noqa: S608
            for table in tables
        }
        restored_head = restored.execute("SELECT seq, hash FROM audit_audithead").fetchone()
    assert counts == expected
    assert restored_head == expected_head
    with pytest.raises(CommandError, match="空のデータベース"):
        call_command(
            "restore", str(out), "--key-file", str(key_file), "--database-url", scratch_postgres
        )
