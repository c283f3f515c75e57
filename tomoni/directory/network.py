"""The agency network (業務紹介): agencies grouped by whom they serve (分野)."""

from __future__ import annotations

from collections.abc import Iterable

from tomoni.directory.merged import pickable

from .models import Agency, Domain


def listed() -> list[Agency]:
    """The 業務紹介's agencies: the active ones, without the row the window absorbed where the
    window is the 自立相談支援機関 (directory.merged; the window's row says what it said)."""
    rows = pickable(Agency.objects.filter(active=True)).select_related("area")
    return list(rows.order_by("order", "pk"))


def by_field(agencies: Iterable[Agency]) -> list[tuple[str, list[Agency]]]:
    """(分野 label, agencies) in the glossary's order, keeping the agencies' own order."""
    groups: dict[str, list[Agency]] = {}
    for agency in agencies:
        groups.setdefault(agency.field, []).append(agency)
    return [(label, groups[value]) for value, label in Domain.choices if value in groups]
