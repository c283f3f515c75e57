"""Correlated subqueries that PostgreSQL checks row by row."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, OuterRef, QuerySet

M = TypeVar("M", bound=Model)


def by_key(queryset: QuerySet[M, Any], field: str, ref: str = "pk") -> QuerySet[M, Any]:
    """``queryset`` narrowed to the rows whose ``field`` equals the outer row's ``ref``, for
    an ``Exists``. With the equality alone PostgreSQL may turn an EXISTS under an OR into a
    hashed subplan: it then reads every row that passes the other filters once (a LIKE over
    every document of a kind, 0.3 s at data set S and linear in the data) instead of looking
    up the outer row's few. A second, non-equality comparison of the same key cannot be
    hashed, so the subquery stays a per-row index lookup; it changes no result."""
    return queryset.filter(**{field: OuterRef(ref), f"{field}__lte": OuterRef(ref)})
