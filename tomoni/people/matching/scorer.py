"""Score one pair of records in pure Python, from the saved model (model.json).

Used per keystroke at intake, so it must stay fast and free of DuckDB. It computes the same
Fellegi–Sunter sum of log2 Bayes factors as the batch engine (engine.py), so a pair gets the
same probability on the intake panel as in `tomoni dedupe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .records import Record


@dataclass(frozen=True)
class Scored:
    """A pair's match probability, its log2 weight, and why, field by field.

    reasons maps the Japanese field label (氏名, ふりがな, 生年月日, 性別, 住所, 電話) to a short
    Japanese explanation such as "一致(異体字を同一視)", "不一致" or "記録なし".
    """

    probability: float
    match_weight: float
    reasons: dict[str, str]


def score_pair(
    a: Record,
    b: Record,
    *,
    tf: Mapping[str, Mapping[str, float]] | None = None,
    population: int | None = None,
) -> Scored:
    """The match probability of a and b under the saved model, with per-field reasons.

    population (optional) is how many records b was drawn from (at intake: the persons in
    the register); the prior falls as it grows (model.Model.lam_for). Without it, the prior
    of the training data (about 40,000 records for the packaged model).
    tf (optional) gives term frequencies, {"name_f": {name key: share}}, as the batch engine
    computes them from its input (model.term_frequencies); without it a name counts as
    average-frequency. The batch engine and this function agree when given the same tf and
    population (the number of records the engine was given).
    """
    from .model import default_model

    return default_model().score(a, b, tf, population)
