"""The `tomoni` command in a subprocess, on a SQLite database of its own.

A subprocess `tomoni migrate` costs some 20 s of a 2-core machine, and `tomoni demo` as much
again, so the tests that drive the command start from copies of two homes built once per test
process (fixtures in tests/conftest.py): ``migrated_home`` (an empty database, as `tomoni
migrate` leaves it) and ``demo_home`` (that, then `tomoni demo --households 3`). Tests that use
them are grouped with ``pytest.mark.xdist_group(GROUP)`` so that one worker builds them once.

A home is a ``TOMONI_VAR_DIR``: the database file and the audit key beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

GROUP = "tomoni-command"
DATABASE = "tomoni.sqlite3"


def home_env(home: Path) -> dict[str, str]:
    return {"TOMONI_VAR_DIR": str(home), "DATABASE_URL": f"sqlite:///{home / DATABASE}"}


def tomoni(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``tomoni args…`` with ``home`` as its var directory and database."""
    return subprocess.run(  # noqa: S603 — our own entry point, fixed arguments
        [sys.executable, "-m", "tomoni.cli", *args],
        env={**os.environ, **home_env(home), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home (the command that built it has exited: the database file is whole)."""
    shutil.copytree(source, target)
    return target
