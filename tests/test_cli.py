"""The `tomoni` console command wraps the management commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _tomoni(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TOMONI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        **(env or {}),
    }
    return subprocess.run(  # noqa: S603 — our own entry point, fixed arguments
        [sys.executable, "-m", "tomoni.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.demo
def test_migrate_then_audit_verify(tmp_path: Path) -> None:
    """`tomoni migrate` builds a database; `tomoni audit verify` accepts its empty chain and
    fails (non-zero) once an event is tampered with."""
    assert _tomoni(tmp_path, "migrate", "-v0").returncode == 0
    assert _tomoni(tmp_path, "demo", "--households", "3").returncode == 0
    ok = _tomoni(tmp_path, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "正常" in ok.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        # The database refuses (a trigger) …
        with pytest.raises(sqlite3.DatabaseError, match="監査ログ"):
            db.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
        # … until its owner drops the trigger; then verify reports the edit.
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
    bad = _tomoni(tmp_path, "audit", "verify")
    assert bad.returncode != 0
    assert "#1" in bad.stderr


def test_createsuperuser_makes_an_admin(tmp_path: Path) -> None:
    """`tomoni createsuperuser` works without an agency and yields the admin role."""
    assert _tomoni(tmp_path, "migrate", "-v0").returncode == 0
    made = _tomoni(
        tmp_path, "createsuperuser", "--noinput", "--username", "root-admin", "--email", ""
    )
    assert made.returncode == 0, made.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        row = db.execute(
            "SELECT role, is_staff, is_superuser FROM directory_staff WHERE username = 'root-admin'"
        ).fetchone()
    assert row == ("admin", 1, 0)


def test_load_master_and_no_demo_in_production(tmp_path: Path) -> None:
    """Master data loads on its own; the demo (shared password) refuses production."""
    assert _tomoni(tmp_path, "migrate", "-v0").returncode == 0
    loaded = _tomoni(tmp_path, "load_master")
    assert loaded.returncode == 0 and "地区 10" in loaded.stdout
    refused = _tomoni(tmp_path, "demo", env={"TOMONI_ENV": "production", "SECRET_KEY": "x" * 60})
    assert refused.returncode != 0
    assert "本番環境" in refused.stderr
