"""Audit append cost: one writer, and several writers whose transactions stay open a while.

    TOMONI_VAR_DIR=/tmp/auditbench .venv/bin/python bench/audit_append_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_audit_bench \\
        .venv/bin/python bench/audit_append_bench.py --threads 8 --hold-ms 20

Two measurements against the configured database (a scratch one: it appends events):

1. ``--single`` appends, each in its own transaction, from one thread: the time and the
   number of SQL statements per append.
2. ``--threads`` workers in a closed loop for ``--seconds``: each transaction appends one
   event and then holds the transaction open for ``--hold-ms`` (the rest of a request's
   work: the write the event describes, the page's queries). If appending takes a lock that
   lives until commit, the workers queue behind each other and the throughput stays near
   1000 / hold-ms per second whatever the number of workers.

Prints one JSON object; timings are medians of what this machine did, not targets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tomoni.audit.log import Action, record  # noqa: E402


def _append(n: int) -> None:
    record(Action.VIEW, object_type="people.person", object_id=str(n), username="bench")


def single(count: int) -> dict[str, float]:
    times = []
    with transaction.atomic():
        _append(0)  # the first append; a sealer's first run after its commit
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        _append(0)  # the statements of an append (the sealer waits TOMONI_AUDIT_SEAL_SECONDS)
    for n in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            _append(n)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "appends": count,
        "statements_per_append": len(queries.captured_queries),
        "ms_median": round(statistics.median(times), 3),
        "ms_p95": round(sorted(times)[int(len(times) * 0.95)], 3),
    }


def concurrent(threads: int, seconds: float, hold_ms: float) -> dict[str, float]:
    deadline = time.monotonic() + seconds
    done: list[int] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        count = 0
        mine: list[float] = []
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                with transaction.atomic():
                    _append(count)
                    time.sleep(hold_ms / 1000)
                mine.append((time.perf_counter() - started) * 1000)
                count += 1
        except Exception as error:  # reported in the result
            errors.append(repr(error))
        finally:
            connection.close()
            with lock:
                done.append(count)
                latencies.extend(mine)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "threads": threads,
        "hold_ms": hold_ms,
        "transactions": sum(done),
        "per_second": round(sum(done) / elapsed, 1),
        "ideal_per_second": round(threads * 1000 / hold_ms, 1),
        "ms_median": round(statistics.median(latencies), 1) if latencies else 0,
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--hold-ms", type=float, default=20)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    result: dict[str, object] = {
        "label": args.label,
        "engine": connection.vendor,
        "single": single(args.single),
        "concurrent": concurrent(args.threads, args.seconds, args.hold_ms),
    }
    from tomoni.audit import log

    if hasattr(log, "seal"):  # the sealer: what is left after the run, sealed at once
        started = time.perf_counter()
        sealed = log.seal()
        result["final_seal"] = {
            "events": sealed,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
