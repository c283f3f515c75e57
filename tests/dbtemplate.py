"""A migrated SQLite test database, built once and copied into every test process.

Each pytest-xdist worker used to build its in-memory test database by running every migration
(about 70 of them: some 5 s of a 2-core machine per worker, most of it Django rendering the
migration states). The result depends only on the migration files, so the first process that
migrates saves a copy under ``var/test-db/`` named after a hash of every migration file
Django would apply (Tomoni's and the installed packages'), and later processes copy that file
into their in-memory database with SQLite's backup API instead of migrating. A changed,
added or removed migration — or another Django — gives another name, so a stale copy is never
used. ``make test`` builds it while the type checker runs (``make test-warm``).

PostgreSQL test databases are built by migrating, as before.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core import management
from django.db import connections


def key() -> str:
    """A hash of every migration file Django knows, with Django's and SQLite's versions."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    for app_label, name in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[app_label, name].__module__]
        digest.update(f"{app_label}.{name}\n".encode())
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def path() -> Path:
    return Path(settings.VAR_DIR) / "test-db" / f"migrated-{key()}.sqlite3"


def _save(connection: Any, target: Path) -> None:
    """Copy the migrated database to ``target`` (whole or not at all: a temporary, renamed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    with sqlite3.connect(partial) as copy:
        connection.connection.backup(copy)
    copy.close()
    os.replace(partial, target)


@contextmanager
def migrate_from_template() -> Iterator[None]:
    """Around the creation of the test database: its ``migrate`` (the first one, which
    Django's ``create_test_db`` runs) fills an SQLite database from the saved copy when one
    exists, or migrates as always and saves a copy for the next process. Every later
    ``migrate`` — and any on PostgreSQL — is Django's own."""
    original: Callable[..., Any] = management.call_command

    def call_command(command_name: Any, *args: Any, **options: Any) -> Any:
        if command_name != "migrate":
            return original(command_name, *args, **options)
        management.call_command = original  # once: only the test database's creation
        connection = connections[options.get("database", "default")]
        if connection.vendor != "sqlite":
            return original(command_name, *args, **options)
        saved = path()
        connection.ensure_connection()
        if saved.exists():
            with sqlite3.connect(saved) as source:
                source.backup(connection.connection)
            source.close()
            return None
        result = original(command_name, *args, **options)
        _save(connection, saved)
        return result

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = original
