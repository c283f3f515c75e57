"""The access policy. Every read of personal data goes through here.

visible(user, Model)                 → queryset of what the user may see
get_for_user(user, Model, pk)        → the object, or Http404 (never reveals existence)
read(request, Model, pk)             → get_for_user, audited as a read
can(user, action, obj)               → bool
require(user, action, obj)           → None, PermissionDenied (can see, may not act) or Http404
can_create(user, Model)              → bool
members(user, via)                   → a household's members as far as ``via`` allows
household_name(members)              → 「見本 太郎さんの世帯」, or "" when no one may be named
names(user, person_ids)              → {id: full name} of the persons the user may see

The table is ``policy.py``; the relations it names are filters in ``relations.py`` (registered
in ``registry.py``); ``engine.py`` turns them into queries.
"""

from .engine import (
    NotVisible,
    Viewer,
    can,
    can_create,
    few_candidates,
    for_action,
    get_for_user,
    grant_filter,
    has_scope,
    label_of,
    parse_pk,
    read,
    require,
    require_create,
    role_of,
    visible,
)
from .members import Member, household_name, members, names, record_of
from .policy import CHANGE, MATERIALS, NOTE, RESPOND, VIEW, WITHDRAW

__all__ = [
    "CHANGE",
    "MATERIALS",
    "NOTE",
    "RESPOND",
    "VIEW",
    "WITHDRAW",
    "Member",
    "NotVisible",
    "Viewer",
    "can",
    "can_create",
    "few_candidates",
    "for_action",
    "get_for_user",
    "grant_filter",
    "has_scope",
    "household_name",
    "label_of",
    "members",
    "names",
    "parse_pk",
    "read",
    "record_of",
    "require",
    "require_create",
    "role_of",
    "visible",
]
