"""The agency network (業務紹介): agencies grouped by whom they serve (分野)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Agency, Domain


def by_field(agencies: Iterable[Agency]) -> list[tuple[str, list[Agency]]]:
    """(分野 label, agencies) in the glossary's order, keeping the agencies' own order."""
    groups: dict[str, list[Agency]] = {}
    for agency in agencies:
        groups.setdefault(agency.field, []).append(agency)
    return [(label, groups[value]) for value, label in Domain.choices if value in groups]
