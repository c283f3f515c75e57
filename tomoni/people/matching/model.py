"""The saved model (Splink's JSON) read into plain numbers, and the pure-Python sum.

The packaged model.json was trained on generator data; `tomoni dedupe --train` writes a
municipality's own, which TOMONI_MATCHING_MODEL (a path) selects. Either file holds only
probabilities and SQL, never anyone's data (term frequencies are computed at run time).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .features import COMPARISONS, Prepared, level_index, prepare, reasons
from .records import Record
from .scorer import Scored

PACKAGED_MODEL = Path(__file__).with_name("model.json")


def model_path() -> Path:
    """The model in use: $TOMONI_MATCHING_MODEL if set, else the packaged one."""
    configured = os.environ.get("TOMONI_MATCHING_MODEL", "")
    return Path(configured) if configured else PACKAGED_MODEL


class ModelError(ValueError):
    """The model file does not fit this version's comparisons; the message is for staff."""


@dataclass(frozen=True)
class LevelWeights:
    weight: float  # log2(m/u); 0 for null levels
    u: float
    tf_column: str | None
    tf_weight: float
    tf_minimum_u: float


# Our own key in the model JSON (Splink's settings never see it): how many records the model
# was trained on, which the prior depends on.
TRAINING_RECORDS = "tomoni_training_records"


@dataclass(frozen=True)
class Model:
    lam: float  # λ: the probability that two random records of the training data match
    training_records: int | None
    levels: tuple[tuple[LevelWeights, ...], ...]  # per comparison, per level
    settings: dict[str, Any]

    def lam_for(self, population: int | None) -> float:
        """λ for pairs drawn from `population` records.

        A person has about the same number of records however many people there are, so λ
        falls as 1/N: a model trained on 40,000 records must not bring that prior to a
        million, where every name has 25 times more namesakes. It is never raised for a
        smaller population: a short list is no reason to believe more in any one pair.
        """
        if not population or not self.training_records or population <= self.training_records:
            return self.lam
        return self.lam * (self.training_records - 1) / (population - 1)

    def prior_weight(self, population: int | None = None) -> float:
        lam = self.lam_for(population)
        return math.log2(lam / (1 - lam))

    def splink_settings(self, population: int | None = None) -> dict[str, Any]:
        """The settings for Splink, with λ for this population."""
        settings = {k: v for k, v in self.settings.items() if k != TRAINING_RECORDS}
        settings["probability_two_random_records_match"] = self.lam_for(population)
        return settings

    def weight(
        self,
        a: Prepared,
        b: Prepared,
        tf: Mapping[str, Mapping[str, float]] | None = None,
        population: int | None = None,
    ) -> float:
        """The match weight: prior plus each comparison's log2 Bayes factor (and TF)."""
        total = self.prior_weight(population)
        for comparison, weights in zip(COMPARISONS, self.levels, strict=True):
            lw = weights[level_index(comparison, a, b)]
            total += lw.weight
            if tf is not None and lw.tf_column is not None and lw.tf_weight:
                freqs = tf.get(lw.tf_column, {})
                values = [
                    freqs.get(v) for v in (getattr(a, lw.tf_column), getattr(b, lw.tf_column))
                ]
                known = [f for f in values if f is not None]
                if known:
                    u_tf = max(*known, lw.tf_minimum_u)
                    total += lw.tf_weight * (math.log2(lw.u) - math.log2(u_tf))
        return total

    def score(
        self,
        ra: Record,
        rb: Record,
        tf: Mapping[str, Mapping[str, float]] | None = None,
        population: int | None = None,
    ) -> Scored:
        a, b = prepare(ra), prepare(rb)
        w = self.weight(a, b, tf, population)
        return Scored(probability=probability(w), match_weight=w, reasons=reasons(ra, rb, a, b))


def probability(weight: float) -> float:
    """2^w / (1 + 2^w), without overflow for large |w|."""
    if weight >= 0:
        return 1.0 / (1.0 + float(2.0**-weight))
    odds = float(2.0**weight)
    return odds / (1.0 + odds)


def from_settings(settings: dict[str, Any]) -> Model:
    """Read Splink's settings JSON; the levels must be this version's, in this order."""
    lam = float(settings["probability_two_random_records_match"])
    saved = {c["output_column_name"]: c["comparison_levels"] for c in settings["comparisons"]}
    levels: list[tuple[LevelWeights, ...]] = []
    for comparison in COMPARISONS:
        saved_levels = saved.get(comparison.column)
        labels = [lv.label for lv in comparison.levels]
        if saved_levels is None or [s.get("label_for_charts") for s in saved_levels] != labels:
            raise ModelError(
                f"名寄せモデルの比較項目「{comparison.column}」がこの版と合いません。"
                "tomoni dedupe --train で作り直してください"
            )
        row = []
        for spec, saved_level in zip(comparison.levels, saved_levels, strict=True):
            if spec.is_null:
                row.append(LevelWeights(0.0, 1.0, None, 0.0, 0.0))
                continue
            m = float(saved_level.get("m_probability", 0.5))
            u = float(saved_level.get("u_probability", 0.5))
            row.append(
                LevelWeights(
                    weight=_log2_ratio(m, u),
                    u=u,
                    tf_column=saved_level.get("tf_adjustment_column"),
                    tf_weight=float(saved_level.get("tf_adjustment_weight", 1.0)),
                    tf_minimum_u=float(saved_level.get("tf_minimum_u_value", 0.0)),
                )
            )
        levels.append(tuple(row))
    trained_on = settings.get(TRAINING_RECORDS)
    return Model(lam, int(trained_on) if trained_on else None, tuple(levels), settings)


def _log2_ratio(m: float, u: float) -> float:
    # Splink's own guard: a level never seen among matches or non-matches gets a finite weight.
    return math.log2(max(m, 1e-300) / max(u, 1e-300))


def load(path: Path) -> Model:
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"名寄せモデル {path} を読めません（{exc}）") from exc
    return from_settings(settings)


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Model:
    return load(Path(path))


def default_model() -> Model:
    """The model in use, read once per file version."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ModelError(f"名寄せモデル {path} が見つかりません") from exc
    return _cached(str(path), mtime)


def term_frequencies(prepared: list[Prepared]) -> dict[str, dict[str, float]]:
    """Each TF column's value → its share among non-empty values (as Splink computes it)."""
    out: dict[str, dict[str, float]] = {}
    columns = {lw.tf_column for c in default_model().levels for lw in c if lw.tf_column}
    for column in columns:
        counts: dict[str, int] = {}
        for p in prepared:
            value = getattr(p, column)
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        total = sum(counts.values()) or 1
        out[column] = {k: v / total for k, v in counts.items()}
    return out
