"""Inagi's five tendencies for many cases at once, for the statistics.

``stored_many(cases)`` reads the results stored per case (``cases.CaseTendencies``, kept by the
actions that change a tendency's input) in one query, with each case's overrides; a case
without a stored result, or with one computed under other settings, is evaluated live.
``evaluate_many(cases)`` evaluates live with the same rules as the case page
(``tomoni.cases.tendency_rules``), reading the facts in 8 queries. Both answer
``{case pk: [the five Tendency]}``; ``tests/stats`` checks them against the case page.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tomoni.cases import tendency_rules as rules
from tomoni.cases.models import Case
from tomoni.cases.stored_tendencies import stored_many
from tomoni.cases.tendencies import load_many

Tendency = rules.Tendency
LABELS = rules.LABELS
NUMBERS = rules.NUMBERS

__all__ = ["LABELS", "NUMBERS", "Tendency", "evaluate_many", "stored_many"]


def evaluate_many(cases: QuerySet[Case]) -> dict[int, list[rules.Tendency]]:
    """{case pk: the five tendencies} for every case of the queryset, live, in 8 queries."""
    limits = rules.Limits.from_settings()
    return {
        pk: rules.with_overrides(rules.judge(facts, limits), overrides)
        for pk, (facts, overrides) in load_many(cases).items()
    }
