"""``tomoni backup`` and ``tomoni restore``: a consistent copy, encrypted, restorable.

SQLite: the online backup API copies the live database in one step (a read lock, no
writer stops for long) into a private temporary file, which is encrypted and removed.
PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot, streamed through the
encryption; the row counts and the audit head in the backup's description are read in the
same snapshot. A restore goes into an empty database only, compares every table's row
count and the audit head with the description, then runs ``tomoni audit verify``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import dj_database_url
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tomoni.audit.log import seal

from .crypto import CHUNK, BackupError, EncryptedWriter, read_records

FORMAT = 1


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(execute: Callable[[str], int], tables: list[str]) -> dict[str, int]:
    return {table: execute(f"SELECT COUNT(*) FROM {_quote(table)}") for table in tables}  # noqa: S608


def _audit_head(execute_row: Callable[[str], tuple[Any, ...] | None]) -> list[Any]:
    row = execute_row("SELECT seq, hash FROM audit_audithead WHERE id = 1")
    return [int(row[0]), str(row[1])] if row else [0, "0" * 64]


# --- PostgreSQL connection details for the client programs -----------------------------


def _program(name: str) -> str:
    """The PostgreSQL client program (pg_dump, pg_restore) found on PATH; its major version
    must be at least the server's."""
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} が見つかりません (PostgreSQL のクライアントを入れてください)")
    return found


def _pg_conninfo(params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": params.get("NAME") or "",
        "host": params.get("HOST") or "",
        "port": str(params.get("PORT") or ""),
        "user": params.get("USER") or "",
    }
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return make_conninfo(**{k: v for k, v in parts.items() if v}), env


# --- Backup -----------------------------------------------------------------------------


@dataclass
class Description:
    engine: str
    created: str
    tables: dict[str, int]
    audit_head: list[Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def dumps(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "engine": self.engine,
                "created": self.created,
                "tables": self.tables,
                "audit_head": self.audit_head,
                **self.extra,
            },
            ensure_ascii=False,
        ).encode()

    @classmethod
    def loads(cls, data: bytes) -> Description:
        fields = json.loads(data)
        return cls(
            engine=fields["engine"],
            created=fields["created"],
            tables={str(k): int(v) for k, v in fields["tables"].items()},
            audit_head=list(fields["audit_head"]),
        )


def backup(out: BinaryIO, key: bytes, *, work_dir: Path) -> Description:
    """Write an encrypted backup of the default database to ``out``; return its description."""
    seal()  # the head in the description then covers every event committed so far
    created = timezone.now().isoformat(timespec="seconds")
    if connection.vendor == "sqlite":
        return _backup_sqlite(out, key, created, work_dir)
    if connection.vendor == "postgresql":
        return _backup_postgresql(out, key, created)
    raise BackupError(f"{connection.vendor} のバックアップには対応していません")


def _backup_sqlite(out: BinaryIO, key: bytes, created: str, work_dir: Path) -> Description:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not Path(name).exists():
        raise BackupError(f"SQLite のデータベースファイル {name} がありません")
    # A connection of its own: under WAL it reads while the server writes.
    source = sqlite3.connect(name, timeout=30)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=".tomoni-backup-") as private:
        os.chmod(private, 0o700)
        copy_path = Path(private) / "copy.sqlite3"
        copy = sqlite3.connect(copy_path)
        try:
            source.backup(copy)  # one step: a consistent copy of the live database
            source.close()
            tables = [
                name
                for (name,) in copy.execute(
                    # FTS5 virtual tables cannot be scanned (the full-text index is
                    # contentless); their shadow tables hold the rows and are counted.
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                    " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
                )
            ]
            description = Description(
                engine="sqlite",
                created=created,
                tables=_count_rows(lambda sql: int(copy.execute(sql).fetchone()[0]), tables),
                audit_head=_audit_head(lambda sql: copy.execute(sql).fetchone()),
            )
        finally:
            copy.close()
            source.close()
        writer = EncryptedWriter(out, key, {"engine": "sqlite", "created": created})
        writer.write_record(description.dumps())
        with copy_path.open("rb") as data:
            for chunk in iter(lambda: data.read(CHUNK), b""):
                writer.write(chunk)
        writer.close()
    return description


def _backup_postgresql(out: BinaryIO, key: bytes, created: str) -> Description:
    conninfo, env = _pg_conninfo(connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        # The description and pg_dump see the same snapshot of the database.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]

        def scalar(sql: str) -> int:
            cursor.execute(sql)
            return int(cursor.fetchone()[0])

        def row(sql: str) -> tuple[Any, ...] | None:
            cursor.execute(sql)
            found = cursor.fetchone()
            return tuple(found) if found else None

        description = Description(
            engine="postgresql",
            created=created,
            tables=_count_rows(scalar, tables),
            audit_head=_audit_head(row),
        )
        writer = EncryptedWriter(out, key, {"engine": "postgresql", "created": created})
        writer.write_record(description.dumps())
        with tempfile.TemporaryFile() as errors:
            dump = subprocess.Popen(  # noqa: S603 — fixed program, our own arguments
                [
                    _program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--dbname",
                    conninfo,
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )
            assert dump.stdout is not None
            for chunk in iter(lambda: dump.stdout.read(CHUNK), b""):  # type: ignore[union-attr]
                writer.write(chunk)
            if dump.wait() != 0:
                errors.seek(0)
                raise BackupError("pg_dump が失敗しました: " + errors.read().decode()[-2000:])
        writer.close()
    return description


# --- Restore ----------------------------------------------------------------------------


@dataclass
class Restored:
    description: Description
    counts: dict[str, int]
    audit_head: list[Any]

    def differences(self) -> list[str]:
        lines = [
            f"{table}: バックアップ {expected} 行, 復元後 {self.counts.get(table)} 行"
            for table, expected in sorted(self.description.tables.items())
            if self.counts.get(table) != expected
        ]
        if self.audit_head != self.description.audit_head:
            lines.append(
                f"監査ログの先頭: バックアップ {self.description.audit_head},"
                f" 復元後 {self.audit_head}"
            )
        return lines


def read_description(source: BinaryIO, key: bytes) -> tuple[Description, Iterator[bytes]]:
    header, records = read_records(source, key)
    try:
        description = Description.loads(next(records))
    except StopIteration as error:
        raise BackupError("バックアップファイルが空です") from error
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("バックアップの説明部分が読めません") from error
    if description.engine != header.get("engine"):
        raise BackupError("バックアップファイルの見出しと中身が一致しません")
    return description, records


def restore(source: BinaryIO, key: bytes, database_url: str, *, work_dir: Path) -> Restored:
    """Restore into the (empty) database at ``database_url``; compare counts and audit head."""
    params = dj_database_url.parse(database_url)
    description, records = read_description(source, key)
    engine = "sqlite" if "sqlite" in params["ENGINE"] else "postgresql"
    if engine != description.engine:
        raise BackupError(
            f"{description.engine} のバックアップは {engine} のデータベースには復元できません"
        )
    if engine == "sqlite":
        return _restore_sqlite(description, records, Path(params["NAME"]), work_dir)
    return _restore_postgresql(description, records, dict(params))


def _restore_sqlite(
    description: Description, records: Iterator[bytes], target: Path, work_dir: Path
) -> Restored:
    if target.exists() and target.stat().st_size > 0:
        with sqlite3.connect(target) as probe:
            (tables,) = probe.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if tables:
            raise BackupError(f"{target} は空ではありません: 空のデータベースにだけ復元できます")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=".tomoni-restore-") as private:
        os.chmod(private, 0o700)
        copy_path = Path(private) / "copy.sqlite3"
        with copy_path.open("wb") as copy_file:
            for chunk in records:
                copy_file.write(chunk)
        copy = sqlite3.connect(copy_path)
        try:
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(f"復元したデータベースの検査に失敗しました: {check}")
            destination = sqlite3.connect(target)
            try:
                copy.backup(destination)
            finally:
                destination.close()
        finally:
            copy.close()
    with sqlite3.connect(target) as restored:
        counts = _count_rows(
            lambda sql: int(restored.execute(sql).fetchone()[0]), list(description.tables)
        )
        head = _audit_head(lambda sql: restored.execute(sql).fetchone())
    return Restored(description, counts, head)


def _restore_postgresql(
    description: Description, records: Iterator[bytes], params: dict[str, Any]
) -> Restored:
    import psycopg

    conninfo, env = _pg_conninfo(params)
    with psycopg.connect(conninfo, autocommit=True) as probe:
        found = probe.execute(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
        if found and found[0]:
            raise BackupError(
                f"{params.get('NAME')} は空ではありません: 空のデータベースにだけ復元できます"
            )
    with tempfile.TemporaryFile() as errors:
        load = subprocess.Popen(  # noqa: S603 — fixed program, our own arguments
            [
                _program("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                conninfo,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        assert load.stdin is not None
        try:
            for chunk in records:
                load.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped; its exit status and messages say why
        except BackupError:
            load.kill()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                load.stdin.close()
        if load.wait() != 0:
            errors.seek(0)
            raise BackupError("pg_restore が失敗しました: " + errors.read().decode()[-2000:])
    with psycopg.connect(conninfo, autocommit=True) as restored:

        def scalar(sql: str) -> int:
            got = restored.execute(sql.encode()).fetchone()
            return int(got[0]) if got else -1

        def row(sql: str) -> tuple[Any, ...] | None:
            got = restored.execute(sql.encode()).fetchone()
            return tuple(got) if got else None

        counts = _count_rows(scalar, list(description.tables))
        head = _audit_head(row)
    return Restored(description, counts, head)


def verify_restored(database_url: str, anchors: Path | None) -> subprocess.CompletedProcess[str]:
    """``tomoni audit verify`` on the restored database, in its own process (its settings
    name that database), reading the chain without sealing; anchors newer than the backup
    are listed as such, not as damage."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TOMONI_AUDIT_KEY": settings.TOMONI_AUDIT_KEY,
    }
    command = [sys.executable, "-m", "tomoni.cli", "audit", "verify", "--restored"]
    if anchors is not None:
        command += ["--anchors", str(anchors)]
    return subprocess.run(  # noqa: S603 — our own entry point, fixed arguments
        command, env=env, capture_output=True, text=True, check=False
    )
