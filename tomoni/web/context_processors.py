from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from tomoni import access
from tomoni.intake.models import Consultation
from tomoni.people.models import Person

from .nav import PROGRAMS


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    description: str


def shell(request: HttpRequest) -> dict[str, Any]:
    """The page shell's menu, shaped by the user's role."""
    user = request.user
    if not user.is_authenticated:
        return {}
    role = getattr(user, "role", "")
    path = request.path
    match = request.resolver_match
    namespace = match.namespace if match else ""
    items = [
        NavItem(
            p.label,
            url,
            path.startswith(url) or bool(p.namespace and p.namespace == namespace),
            p.description,
        )
        for p in PROGRAMS
        if role in p.roles
        for url in [p.url]
    ]
    return {
        "nav_items": items,
        "can_search_people": access.has_scope(user, Person),
        "can_take_consultation": access.can_create(user, Consultation),
    }
