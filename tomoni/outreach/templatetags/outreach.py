"""Template helpers of アウトリーチ used on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from tomoni import access
from tomoni.outreach.models import Engagement

register = template.Library()


@register.filter
def may_open_engagement(user: Any) -> bool:
    """Whether the user may start an アウトリーチ (coordinators and outreach workers)."""
    return access.can_create(user, Engagement)
