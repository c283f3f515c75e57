"""The 年度実績報告 for one 年度 (DESIGN.md §8: ≤ 2 s at data set L) on the configured database.

    DATABASE_URL=postgres://…/tomoni_l .venv/bin/python bench/report_bench.py --fy 2025
    TOMONI_VAR_DIR=/path/with/db.sqlite3 .venv/bin/python bench/report_bench.py --fy 2025

Reads only: it builds the annual report (``figures.annual``: every figure of the 年度 and the
one before, the five tendencies as stored per case — ``--live``: also evaluated for every case,
as before they were stored —, the targets) and its Excel and CSV files,
``--passes`` times after one untimed warm-up, and prints the best and median time of each
step with the number of queries and the cases whose tendencies were evaluated. The data set
itself comes from ``bench/build_dataset.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tomoni.lib.fiscal import fiscal_year_label  # noqa: E402
from tomoni.stats import exports, figures, tendencies  # noqa: E402


def _timed(fn: Callable[[], Any], passes: int) -> tuple[list[float], int, Any]:
    fn()  # warm the caches
    times = []
    result: Any = None
    queries = 0
    for _ in range(passes):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return times, queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fy", type=int, required=True, help="年度（西暦の4月の年）")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument(
        "--live",
        action="store_true",
        help="also time it with the tendencies evaluated live (as before they were stored)",
    )
    args = parser.parse_args()
    fy = args.fy
    below = exports.threshold()
    print(f"{fiscal_year_label(fy)} on {connection.vendor} ({connection.settings_dict['NAME']})")

    times, queries, report = _timed(lambda: figures.annual(fy), args.passes)
    active = figures.active_cases(report.periods).count()
    consultations = report.table("consultations").rows[-1].values
    print(
        f"annual report: best {min(times):.3f} s, median {statistics.median(times):.3f} s, "
        f"{queries} queries; consultations {consultations}, cases evaluated {active}"
    )
    for name, build in (
        ("xlsx", lambda: exports.to_xlsx(report, below, "bench", "")),
        ("csv", lambda: exports.to_csv(report, below)),
    ):
        t, _, data = _timed(build, args.passes)
        print(f"{name}: best {min(t):.3f} s ({len(data):,} bytes)")
    t, q, _ = _timed(lambda: figures.tendency_table([figures.fiscal_period(fy)]), args.passes)
    print(f"tendencies alone (one 年度, stored): best {min(t):.3f} s, {q} queries")
    if args.live:
        # The same report with the rules evaluated for every case (tomoni.stats.tendencies
        # evaluate_many), as the statistics did before the results were stored per case.
        stored = tendencies.stored_many
        tendencies.stored_many = lambda cases, reasons=True: tendencies.evaluate_many(cases)  # type: ignore[assignment]
        try:
            times, queries, _ = _timed(lambda: figures.annual(fy), args.passes)
            print(
                f"annual report, tendencies live: best {min(times):.3f} s, "
                f"median {statistics.median(times):.3f} s, {queries} queries"
            )
            t, q, _ = _timed(
                lambda: figures.tendency_table([figures.fiscal_period(fy)]), args.passes
            )
            print(f"tendencies alone (one 年度, live): best {min(t):.3f} s, {q} queries")
        finally:
            tendencies.stored_many = stored


if __name__ == "__main__":
    main()
