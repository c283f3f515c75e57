"""Figures per 地区 and 年度: places by kind and by the generation they welcome, activities
that ran in the 年度 and their participants by generation. Counts only — never a person.

A fixed number of queries whatever the size of the city: one for the districts, one for the
places, one aggregate over the activity records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from tomoni.directory.models import District
from tomoni.lib.fiscal import fiscal_year, fiscal_year_range
from tomoni.participation.models import Place, PlaceKind, Welcome

from .models import ActivitySession

KIND_LABELS = dict(PlaceKind.choices)
WELCOME_LABELS = dict(Welcome.choices)


@dataclass
class Figures:
    district: District
    places: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_welcome: Counter[str] = field(default_factory=Counter)
    activities: int = 0
    sessions: int = 0
    children: int = 0
    adults: int = 0
    elderly: int = 0

    @property
    def participants(self) -> int:
        return self.children + self.adults + self.elderly

    @property
    def kinds(self) -> list[tuple[str, int]]:
        """(label, count) in the catalog's order, only kinds present."""
        return [(KIND_LABELS[k], self.by_kind[k]) for k in PlaceKind.values if self.by_kind[k]]

    @property
    def welcomes(self) -> list[tuple[str, int]]:
        return [
            (WELCOME_LABELS[w], self.by_welcome[w]) for w in Welcome.values if self.by_welcome[w]
        ]


def session_totals(fy: int) -> dict[int, dict[str, int]]:
    """Per district id: activities that ran, sessions and participants in 年度 fy."""
    first, last = fiscal_year_range(fy)
    rows = (
        ActivitySession.objects.filter(held_on__range=(first, last))
        .values("activity__district_id")
        .annotate(
            activities=Count("activity", distinct=True),
            sessions=Count("pk"),
            children=Sum("children"),
            adults=Sum("adults"),
            elderly=Sum("elderly"),
        )
        .order_by()
    )
    return {row.pop("activity__district_id"): row for row in rows}


def district_figures(fy: int, districts: list[District] | None = None) -> list[Figures]:
    """Figures for every 地区 (or the given ones), in the districts' order."""
    if districts is None:
        districts = list(District.objects.select_related("area").order_by("order", "pk"))
    figures = {d.pk: Figures(d) for d in districts}
    places = Place.objects.filter(active=True, district_id__in=list(figures)).values_list(
        "district_id", "kind", "welcomes"
    )
    for district_id, kind, welcomes in places:
        item = figures[district_id]
        item.places += 1
        item.by_kind[kind] += 1
        for welcome in set(welcomes):
            item.by_welcome[welcome] += 1
    for district_id, totals in session_totals(fy).items():
        if district_id in figures:
            item = figures[district_id]
            item.activities = totals["activities"]
            item.sessions = totals["sessions"]
            item.children = totals["children"] or 0
            item.adults = totals["adults"] or 0
            item.elderly = totals["elderly"] or 0
    return list(figures.values())


def total(figures: list[Figures]) -> Figures:
    """The sum over several 地区 (a 圏域 or the city); ``district`` is left as the first."""
    summed = Figures(figures[0].district)
    for item in figures:
        summed.places += item.places
        summed.by_kind.update(item.by_kind)
        summed.by_welcome.update(item.by_welcome)
        summed.activities += item.activities
        summed.sessions += item.sessions
        summed.children += item.children
        summed.adults += item.adults
        summed.elderly += item.elderly
    return summed


def activity_totals(fy: int) -> dict[int, dict[str, int]]:
    """Per activity id: records and participants by generation in 年度 fy."""
    rows = (
        ActivitySession.objects.filter(held_on__range=fiscal_year_range(fy))
        .values("activity_id")
        .annotate(
            sessions=Count("pk"),
            children=Sum("children"),
            adults=Sum("adults"),
            elderly=Sum("elderly"),
        )
        .order_by()
    )
    totals = {}
    for row in rows:
        row["total"] = row["children"] + row["adults"] + row["elderly"]
        totals[row.pop("activity_id")] = row
    return totals


def activity_years(activity_id: int) -> list[dict[str, int]]:
    """Per 年度 for one activity: sessions and participants by generation, newest first."""
    years: dict[int, dict[str, int]] = {}
    sessions = ActivitySession.objects.filter(activity_id=activity_id).values_list(
        "held_on", "children", "adults", "elderly"
    )
    for held_on, children, adults, elderly in sessions:
        fy = fiscal_year(held_on)
        row = years.setdefault(
            fy, {"fy": fy, "sessions": 0, "children": 0, "adults": 0, "elderly": 0}
        )
        row["sessions"] += 1
        row["children"] += children
        row["adults"] += adults
        row["elderly"] += elderly
    for row in years.values():
        row["total"] = row["children"] + row["adults"] + row["elderly"]
    return [years[fy] for fy in sorted(years, reverse=True)]


def ran_in(fy: int) -> Q:
    """Activities with at least one record in 年度 fy (for list filters)."""
    first, last = fiscal_year_range(fy)
    return Q(sessions__held_on__range=(first, last))
