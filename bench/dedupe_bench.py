"""名寄せ: accuracy on held-out generated data, batch time and peak memory, scorer speed.

    .venv/bin/python bench/dedupe_bench.py --persons 20000            accuracy (+ baseline)
    .venv/bin/python bench/dedupe_bench.py --records 1000000 --no-accuracy    batch at scale

Accuracy: records of --persons people from the generator with a seed the packaged model
was not trained on (it was trained with seed 101), clustered at each --threshold; pairwise
precision, recall and F1 against the truth, beside exact matching on name + birthdate as
typed (and after NFKC/space folding). Batch: --records generated records written as CSV
(dates and sexes in mixed formats) and run through `tomoni dedupe` in a child process: wall
time, the child's peak RSS (Python and DuckDB), and accuracy at that scale. Scorer: the
pure-Python score_pair per pair, as the intake panel calls it. Run on an idle machine if
you can; this one is shared, so note the load beside the figures.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tomoni.lib import textnorm
from tomoni.lib.csvio import write_csv
from tomoni.people.matching import engine, generator, metrics
from tomoni.people.matching.scorer import score_pair

HEADER = ("record_id", "name", "kana", "birthdate", "sex", "address", "phone")


def accuracy(persons: int, thresholds: list[float], seed: int) -> None:
    items = generator.generate(persons, seed=seed)
    records = [i.record for i in items]
    truth = generator.truth(items)
    print(f"## accuracy: {persons} persons, {len(records)} records, seed {seed}")
    print("| method | precision | recall | F1 | time |")
    print("|---|---|---|---|---|")
    for threshold in thresholds:
        start = time.perf_counter()
        clusters = engine.cluster(records, threshold)
        took = time.perf_counter() - start
        s = metrics.pairwise(clusters, truth)
        print(
            f"| Splink, p ≥ {threshold} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f}"
            f" | {took:.1f} s |"
        )
    for label, key in (
        ("exact name + birthdate, as typed", lambda s: s),
        ("exact name + birthdate, NFKC and spaces folded", textnorm.name_key),
    ):
        baseline = {
            r.record_id: f"{key(r.name)}|{r.birthdate}" if r.birthdate else r.record_id
            for r in records
        }
        s = metrics.pairwise(baseline, truth)
        print(f"| {label} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | |")


def scorer_speed(seed: int) -> None:
    items = generator.generate(2000, seed=seed)
    records = [i.record for i in items]
    times = []
    for a, b in itertools.pairwise(records):
        start = time.perf_counter()
        score_pair(a, b)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(
        f"## score_pair: median {statistics.median(times) * 1e6:.0f} µs,"
        f" p95 {p95 * 1e6:.0f} µs per pair ({len(times)} pairs)"
    )


def batch(records_wanted: int, threshold: float, seed: int, workdir: Path) -> None:
    """The real command on a generated CSV, in a child process so that its peak RSS is
    the command's own (Python and DuckDB), not the generator's."""
    start = time.perf_counter()
    # About 1.9 records per person (see generator.generate).
    items = generator.generate(int(records_wanted / 1.9) + 1, seed=seed)[:records_wanted]
    truth = generator.truth(items)
    source, output = workdir / "dedupe-input.csv", workdir / "dedupe-output.csv"
    source.write_bytes(write_csv(generator.csv_rows(items, seed=seed), HEADER))
    del items
    print(f"## batch: {len(truth)} records, {source.stat().st_size / 1e6:.0f} MB CSV")
    print(f"(generated in {time.perf_counter() - start:.0f} s)")
    print(f"load average before: {os.getloadavg()}")
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 — our own entry point, fixed arguments
        [
            sys.executable,
            "-m",
            "tomoni.cli",
            "dedupe",
            "--input",
            str(source),
            "--output",
            str(output),
            "--threshold",
            str(threshold),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tomoni.settings"},
    )
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"load average after: {os.getloadavg()}")
    if done.returncode != 0:
        print(done.stderr)
        raise SystemExit(1)
    print(done.stdout.strip())
    text = output.read_bytes().decode("utf-8-sig")
    clusters = dict(row for row in csv.reader(io.StringIO(text)) if row[0] != "record_id")
    s = metrics.pairwise(clusters, truth)
    print(
        f"tomoni dedupe: {took:.0f} s wall, peak RSS {peak:.0f} MB;"
        f" precision {s.precision:.4f} recall {s.recall:.4f} F1 {s.f1:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--threshold", type=float, action="append")
    parser.add_argument("--records", type=int, default=0, help="also time a batch of N records")
    parser.add_argument("--no-accuracy", action="store_true")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    thresholds = args.threshold or [0.5, engine.DEFAULT_THRESHOLD, 0.99]
    if not args.no_accuracy:
        accuracy(args.persons, thresholds, args.seed)
        scorer_speed(args.seed)
    if args.records:
        with tempfile.TemporaryDirectory(prefix="dedupe-bench-") as tmp:
            batch(args.records, engine.DEFAULT_THRESHOLD, args.seed + 1, Path(tmp))


if __name__ == "__main__":
    main()
