"""In-process page timings per role, and where a page's SQL time goes.

    .venv/bin/python bench/page_profile.py --database-url postgres://postgres@127.0.0.1:5432/tomoni_bench_s
    .venv/bin/python bench/page_profile.py --database-url … --pages case --roles agency --queries 5
    .venv/bin/python bench/page_profile.py --database-url … --pages fulltext_2char --explain

The same environment, accounts and paths as ``bench/load.py`` (production settings, a
throw-away key, ``plan()`` with the same seed), but one process and no server: for each page
and role, one account requests ``--paths`` of its paths through Django's test client, once to
warm up and then ``--runs`` times each; reported per page and role: the median and max of the
per-path medians, in ms, and the SQL queries per request. ``--queries N`` lists the N costliest
statements of the slowest path (time as Django measured it); ``--explain`` runs
``EXPLAIN (ANALYZE, BUFFERS)`` on the costliest one (PostgreSQL). Timings, not a load test:
no queueing, no gunicorn, no network — use it to find and check a fix, ``load.py`` to report.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import plan, recovery_codes, server_env, verified  # noqa: E402


def timed_get(client: Any, path: str) -> tuple[float, int, list[dict[str, str]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return elapsed, len(captured), list(captured.captured_queries)


def explain(sql: str) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row) for row in cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pages", default="", help="comma-separated page names (load.py's)")
    parser.add_argument("--roles", default="", help="comma-separated roles")
    parser.add_argument("--paths", type=int, default=6, help="paths per page and role")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=0, help="list the N costliest queries")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    env = server_env(args.database_url, 0)
    same = ["DATABASE_URL", "TOMONI_ENV", "DEBUG", "TOMONI_HTTPS", "SECRET_KEY", "ALLOWED_HOSTS"]
    same += ["LOG_LEVEL", "DJANGO_SETTINGS_MODULE", "TOMONI_VAR_DIR", "TOMONI_AUDIT_KEY"]
    os.environ.update({key: env[key] for key in same})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            print(f"PostgreSQL jit = {cursor.fetchone()[0]}", flush=True)
    pages, chosen, _ = plan(32, args.seed)
    recovery_codes(chosen, 1)  # the 2段階認証 device verified() marks as passed
    wanted_pages = set(filter(None, args.pages.split(",")))
    wanted_roles = set(filter(None, args.roles.split(",")))
    for page in pages:
        if page.name == "floor" and "floor" not in wanted_pages and wanted_pages:
            continue
        if wanted_pages and page.name not in wanted_pages:
            continue
        for role, by_user in page.paths.items():
            if wanted_roles and role not in wanted_roles:
                continue
            username, paths = next(iter(by_user.items()))
            staff = next(s for s in chosen[role] if s.username == username)
            client = Client(raise_request_exception=True)
            client.force_login(staff)
            verified(client, staff)
            medians: list[tuple[float, str, int, list[dict[str, str]]]] = []
            for path in paths[: args.paths]:
                timed_get(client, path)  # warm-up
                runs = [timed_get(client, path) for _ in range(args.runs)]
                median = statistics.median(r[0] for r in runs)
                slowest = max(runs, key=lambda r: r[0])
                medians.append((median, path, slowest[1], slowest[2]))
            times = [m[0] for m in medians]
            counts = sorted({m[2] for m in medians})
            print(
                f"{page.name:<18} {role:<12} median {statistics.median(times):8.1f} ms"
                f"  max {max(times):8.1f} ms  queries {counts}  ({username})",
                flush=True,
            )
            if args.queries or args.explain:
                _, path, _, queries = max(medians)
                ranked = sorted(queries, key=lambda q: -float(q["time"]))
                print(f"  slowest path {path}")
                for q in ranked[: args.queries]:
                    print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")
                if args.explain and ranked:
                    print(explain(ranked[0]["sql"]))


if __name__ == "__main__":
    main()
