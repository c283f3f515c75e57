"""Counts of break-glass grants for a manager: how often, why, and how many were reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tomoni.lib.wareki import format_month

from .models import BreakGlass


@dataclass(frozen=True)
class MonthCount:
    month: date
    total: int
    reviewed: int

    @property
    def pending(self) -> int:
        return self.total - self.reviewed

    @property
    def label(self) -> str:
        return format_month(self.month)


@dataclass(frozen=True)
class BreakGlassCounts:
    months: list[MonthCount]
    by_category: list[tuple[str, int]]
    total: int
    pending: int


def break_glass_counts(agency_id: int, months: int = 12) -> BreakGlassCounts:
    """Grants opened by the staff of one agency over the last ``months`` months."""
    today = timezone.localdate()
    start_index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(start_index // 12, start_index % 12 + 1, 1)
    grants = BreakGlass.objects.filter(staff__agency_id=agency_id, created_at__date__gte=first)
    per_month = (
        grants.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Count("pk"), reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)))
        .order_by("month")
    )
    labels = dict(BreakGlass.Category.choices)
    by_category = [
        (labels.get(row["category"], row["category"]), row["n"])
        for row in grants.values("category").annotate(n=Count("pk")).order_by("-n", "category")
    ]
    rows = [MonthCount(_as_date(row["month"]), row["total"], row["reviewed"]) for row in per_month]
    total = sum(r.total for r in rows)
    return BreakGlassCounts(rows, by_category, total, total - sum(r.reviewed for r in rows))


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    raise TypeError(value)
