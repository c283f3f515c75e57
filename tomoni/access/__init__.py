"""The access policy. Every read of personal data goes through here.

visible(user, Model)                 → queryset of what the user may see
get_for_user(user, Model, pk)        → the object, or Http404 (never reveals existence)
can(user, action, obj)               → bool
require(user, action, obj)           → None, PermissionDenied (can see, may not act) or Http404
can_create(user, Model)              → bool
"""

from .api import (
    CHANGE,
    MATERIALS,
    NOTE,
    RESPOND,
    VIEW,
    WITHDRAW,
    NotVisible,
    can,
    can_create,
    for_action,
    get_for_user,
    grant_filter,
    has_scope,
    read,
    require,
    require_create,
    visible,
)

__all__ = [
    "CHANGE",
    "MATERIALS",
    "NOTE",
    "RESPOND",
    "VIEW",
    "WITHDRAW",
    "NotVisible",
    "can",
    "can_create",
    "for_action",
    "get_for_user",
    "grant_filter",
    "has_scope",
    "read",
    "require",
    "require_create",
    "visible",
]
