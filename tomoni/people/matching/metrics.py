"""Pairwise precision, recall and F1 of a clustering against the truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PairwiseScores:
    true_positives: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[str, str], true: Mapping[str, str]) -> PairwiseScores:
    """Scores over record pairs: a pair is predicted when both records share a predicted
    cluster, true when they share a true cluster. Only records present in both count."""
    ids = predicted.keys() & true.keys()
    both = Counter((predicted[i], true[i]) for i in ids)
    return PairwiseScores(
        true_positives=sum(_pairs(n) for n in both.values()),
        predicted_pairs=sum(_pairs(n) for n in Counter(predicted[i] for i in ids).values()),
        true_pairs=sum(_pairs(n) for n in Counter(true[i] for i in ids).values()),
    )
