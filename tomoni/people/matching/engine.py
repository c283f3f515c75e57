"""Batch 名寄せ with Splink 5 on DuckDB: predicted pairs and clusters over many records.

The records are normalised in Python (features.prepare), written to a temporary CSV file
and read by DuckDB, which is much faster than row-by-row inserts. Splink then blocks
(features.BLOCKING_RULES), scores every blocked pair with the saved model, with term
frequency adjustment of the name computed from this input, and clusters by connected
components.
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from .features import BLOCKING_RULES, COLUMNS, COMPARISONS, prepare, reasons
from .model import TRAINING_RECORDS, default_model
from .records import Record

DEFAULT_THRESHOLD = 0.9
# DuckDB's own budget; the rest of the 4 GB target is Python's list of records.
MEMORY_LIMIT = "2GB"


@dataclass
class _Run:
    con: duckdb.DuckDBPyConnection
    table: str
    count: int


@contextmanager
def _loaded(records: Iterable[Record]) -> Iterator[_Run]:
    # Streamed: at a million records, keeping every Prepared in Python as well would cost
    # about as much memory as DuckDB's whole budget.
    con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT})
    with tempfile.TemporaryDirectory(prefix="tomoni-dedupe-") as tmp:
        con.execute(f"SET temp_directory = '{tmp}'")
        path = Path(tmp) / "records.csv"
        count = 0
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            for record in records:
                p = prepare(record)
                writer.writerow([getattr(p, c) or "" for c in COLUMNS])
                count += 1
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS)
        # The path is our own temporary file; the column names are constants.
        source = f"read_csv('{path}', header = true, columns = {{{types}}})"
        con.execute("CREATE TABLE records AS SELECT * FROM " + source)  # noqa: S608
        path.unlink()
        try:
            yield _Run(con, "records", count)
        finally:
            con.close()


def settings_for_training() -> dict[str, Any]:
    """A Splink settings dict with this version's comparisons and no trained values."""
    comparisons = []
    for comparison in COMPARISONS:
        levels = []
        for level in comparison.levels:
            spec: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.is_null:
                spec["is_null_level"] = True
            if level.fixed_m is not None:
                spec["m_probability"] = level.fixed_m
                spec["fix_m_probability"] = True
            if level.tf_column:
                spec["tf_adjustment_column"] = level.tf_column
                spec["tf_adjustment_weight"] = 1.0
                spec["disable_tf_exact_match_detection"] = True
            levels.append(spec)
        comparisons.append({"output_column_name": comparison.column, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 0.0001,
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


def _linker(run: _Run, settings: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=run.con)
    return Linker(db_api.register(run.table), settings, log_level=logging.WARNING)


def train(records: Iterable[Record], *, seed: int = 1) -> dict[str, Any]:
    """Estimate the model from unlabelled records: λ from deterministic rules, u by random
    sampling, m by EM in two sessions (blocked on birthdate, then on name) so every
    comparison is estimated at least once. Returns the settings dict to save as JSON."""
    with _loaded(records) as run:
        linker = _linker(run, settings_for_training())
        training = linker.training
        training.estimate_probability_two_random_records_match(
            [
                "l.name_f = r.name_f AND l.dob = r.dob",
                "l.kana_f = r.kana_f AND l.dob = r.dob",
                "l.dob = r.dob AND l.giv_k = r.giv_k AND l.phone = r.phone",
            ],
            recall=0.8,
        )
        training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
        # EM needs enough pairs per level, but more than a few hundred thousand records
        # only cost time.
        share = min(1.0, 300_000 / max(1, run.count))
        for rule in ("l.dob = r.dob", "l.name_f = r.name_f"):
            training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=share
            )
        settings: dict[str, Any] = json.loads(
            json.dumps(linker.misc.save_model_to_json(out_path=None))
        )
    settings[TRAINING_RECORDS] = run.count
    return _floored(settings)


# No level may rule a match in or out on its own: a sex never seen to differ among matches
# in training (m ≈ 1e-13) would otherwise outweigh every other field for one typing error.
M_FLOOR = 0.0001
U_FLOOR = 1e-6


def _floored(settings: dict[str, Any]) -> dict[str, Any]:
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or level.get("fix_m_probability"):
                continue
            level["m_probability"] = max(float(level.get("m_probability", M_FLOOR)), M_FLOOR)
            level["u_probability"] = max(float(level.get("u_probability", U_FLOOR)), U_FLOOR)
    return settings


def _predict(run: _Run, threshold: float) -> Any:
    # Blocking decides which pairs are compared, not how they score: this version's rules
    # apply whatever model file is in use.
    settings = default_model().splink_settings(population=run.count)
    settings["blocking_rules_to_generate_predictions"] = list(BLOCKING_RULES)
    linker = _linker(run, settings)
    return linker, linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )


def predict_pairs(
    records: Iterable[Record], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, str, float, dict[str, str]]]:
    """Every blocked pair scoring at least threshold: (id_l, id_r, probability, reasons).

    id_l < id_r (as strings); reasons as in scorer.Scored.reasons. Scored by the saved model,
    with the name's term frequencies taken from these records.
    """
    by_id = {r.record_id: r for r in records}
    with _loaded(by_id.values()) as run:
        _, predictions = _predict(run, threshold)
        # Splink names its tables itself; no input reaches this SQL.
        table = predictions.physical_name
        query = f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}"  # noqa: S608
        rows = run.con.execute(query).fetchall()
    out = []
    for left, right, p in sorted(rows):
        a, b = sorted((left, right))
        ra, rb = by_id[a], by_id[b]
        out.append((a, b, float(p), reasons(ra, rb, prepare(ra), prepare(rb))))
    return out


def cluster(records: Iterable[Record], threshold: float = DEFAULT_THRESHOLD) -> dict[str, str]:
    """record_id → cluster_id for every input record; pairs ≥ threshold are linked transitively.

    A cluster_id is the smallest record_id in its cluster, so singletons map to themselves.
    """
    with _loaded(records) as run:
        linker, predictions = _predict(run, threshold)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        table = clusters.physical_name
        by_cluster = "SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) FROM "
        query = by_cluster + table
        rows = run.con.execute(query).fetchall()
    return {str(rid): str(cid) for rid, cid in rows}
