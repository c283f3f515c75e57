"""The `tomoni` console command wraps the management commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .commandline import DATABASE, GROUP, copy_home, tomoni

# The subprocesses start from copies of the homes built once per test process (conftest).
pytestmark = pytest.mark.xdist_group(GROUP)


@pytest.mark.demo
def test_migrate_then_audit_verify(demo_home: Path, tmp_path: Path) -> None:
    """`tomoni migrate` leaves a migrated database (the ``migrated_home`` fixture asserts it
    did; it starts from the test database's migrated copy when there is one, the same schema)
    and `tomoni demo` fills it; `tomoni audit verify` accepts the chain and fails (non-zero) once
    an event is tampered with."""
    home = copy_home(demo_home, tmp_path / "home")
    ok = tomoni(home, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "正常" in ok.stdout

    with sqlite3.connect(home / DATABASE) as db:
        # The database refuses (a trigger) …
        with pytest.raises(sqlite3.DatabaseError, match="監査ログ"):
            db.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
        # … until its owner drops the trigger; then verify reports the edit.
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
    bad = tomoni(home, "audit", "verify")
    assert bad.returncode != 0
    assert "#1" in bad.stderr


def test_createsuperuser_makes_an_admin(migrated_home: Path, tmp_path: Path) -> None:
    """`tomoni createsuperuser` works without an agency and yields the admin role."""
    home = copy_home(migrated_home, tmp_path / "home")
    made = tomoni(home, "createsuperuser", "--noinput", "--username", "root-admin", "--email", "")
    assert made.returncode == 0, made.stderr

    with sqlite3.connect(home / DATABASE) as db:
        row = db.execute(
            "SELECT role, is_staff, is_superuser FROM directory_staff WHERE username = 'root-admin'"
        ).fetchone()
    assert row == ("admin", 1, 0)


def test_load_master_and_no_demo_in_production(migrated_home: Path, tmp_path: Path) -> None:
    """Master data loads on its own; the demo (shared password) refuses production."""
    home = copy_home(migrated_home, tmp_path / "home")
    loaded = tomoni(home, "load_master")
    assert loaded.returncode == 0 and "地区 10" in loaded.stdout
    refused = tomoni(home, "demo", env={"TOMONI_ENV": "production", "SECRET_KEY": "x" * 60})
    assert refused.returncode != 0
    assert "本番環境" in refused.stderr
