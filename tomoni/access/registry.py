"""The registry of relations: each relation named in the policy table is one queryset filter.

``relations.py`` fills it when the app is ready (``AccessConfig.ready``); the engine reads it.
Nothing here imports a model, so the engine and the table stay importable before the app
registry is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from tomoni.directory.models import Staff

RelationFilter = Callable[["Staff"], Q]
RELATIONS: dict[tuple[str, str], RelationFilter] = {}


def relation(model: str, name: str) -> Callable[[RelationFilter], RelationFilter]:
    """Register ``fn`` as the filter of relation ``name`` on ``model`` (app_label.ModelName)."""

    def register(fn: RelationFilter) -> RelationFilter:
        key = (model, name)
        if key in RELATIONS and RELATIONS[key] is not fn:
            raise ValueError(f"relation {model} / {name} is registered twice")
        RELATIONS[key] = fn
        return fn

    return register


def filter_of(model: str, name: str) -> RelationFilter:
    try:
        return RELATIONS[(model, name)]
    except KeyError:
        raise LookupError(
            f"the policy names relation {name!r} on {model}, but no filter is registered for it"
        ) from None
