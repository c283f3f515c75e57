"""``{{ mapping|get:key }}``: a value a view looked up for each row (for example the names
``tomoni.access.names`` lets the user see), where a template cannot index by a variable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    return mapping.get(key, "") if mapping else ""
