"""The functions every view, action, export and report calls. Importable before the app
registry is ready (no model imports at module level)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from .policy import (
    CHANGE,
    CREATE,
    DERIVED,
    DERIVED_ACTIONS,
    MATERIALS,
    NOTE,
    RESPOND,
    VIEW,
    WITHDRAW,
    rules_for,
)

__all__ = [
    "CHANGE",
    "MATERIALS",
    "NOTE",
    "RESPOND",
    "VIEW",
    "WITHDRAW",
]  # re-exported for `access.CHANGE`

if TYPE_CHECKING:
    from .relations import RelationFilter

M = TypeVar("M", bound=Model)


class NotVisible(Http404):
    """The same answer for 'does not exist' and 'not yours': outsiders learn nothing.

    Carries the model and key so the 404 page can offer break-glass (緊急閲覧).
    """

    def __init__(self, label: str = "", pk: object = None) -> None:
        super().__init__("お探しの記録は存在しないか、閲覧する権限がありません。")
        self.label = label
        self.pk = pk


@functools.cache
def _relations() -> dict[tuple[str, str], RelationFilter]:
    from .relations import RELATIONS

    return RELATIONS


def label_of(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def grant_filter(user: Any, model: type[Model], action: str) -> Q | None:
    """The OR of every rule granting ``action`` on ``model`` to the user; None if none does."""
    role = _role(user)
    if role is None:
        return None
    label = label_of(model)
    if label in DERIVED:
        field, parent_label = DERIVED[label]
        parent = model._meta.get_field(field).related_model
        assert isinstance(parent, type) and issubclass(parent, Model)
        assert label_of(parent) == parent_label
        parent_action = DERIVED_ACTIONS.get(label, {}).get(action, action)
        parent_q = grant_filter(user, parent, parent_action)
        if parent_q is None or not parent_q:
            return parent_q
        return Q(**{f"{field}__in": parent._default_manager.filter(parent_q).values("pk")})
    combined: Q | None = None
    for rule in rules_for(label, role, action):
        q = _relations()[(label, rule.relation)](user)
        if not q:  # relation "any": no filter at all
            return Q()
        combined = q if combined is None else combined | q
    return combined


def for_action(user: Any, model: type[M], action: str) -> QuerySet[M]:
    q = grant_filter(user, model, action)
    manager = model._default_manager
    if q is None:
        return manager.none()
    return manager.filter(q) if q else manager.all()


def visible(user: Any, model: type[M]) -> QuerySet[M]:
    """Every record of ``model`` the user may see."""
    return for_action(user, model, VIEW)


def _pk(value: object) -> int:
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        raise NotVisible() from None
    if pk <= 0:
        raise NotVisible()
    return pk


def get_for_user(user: Any, model: type[M], pk: object, action: str = VIEW) -> M:
    """The record if the user may act on it; otherwise 404 (403 if seen but read-only)."""
    key = _pk(pk)
    obj = for_action(user, model, VIEW).filter(pk=key).first()
    if obj is None:
        raise NotVisible(label_of(model), key)
    if action != VIEW:
        require(user, action, obj)
    return obj


def can(user: Any, action: str, obj: Model) -> bool:
    model = type(obj)
    q = grant_filter(user, model, action)
    if q is None:
        return False
    if not q:
        return True
    return model._default_manager.filter(q, pk=obj.pk).exists()


def require(user: Any, action: str, obj: Model) -> None:
    """Raise unless the user may do ``action``: 403 if they can at least see it, else 404."""
    if can(user, action, obj):
        return
    if action != VIEW and can(user, VIEW, obj):
        raise PermissionDenied("この操作は許可されていません。")
    raise NotVisible(label_of(type(obj)), obj.pk)


def has_scope(user: Any, model: type[Model]) -> bool:
    """Whether the role sees any records of ``model`` in its daily work (break-glass aside);
    decides whether search boxes and menus are offered at all."""
    role = _role(user)
    if role is None:
        return False
    return any(r.relation != "break_glass" for r in rules_for(label_of(model), role, VIEW))


def can_create(user: Any, model: type[Model]) -> bool:
    role = _role(user)
    return role is not None and role in CREATE.get(label_of(model), frozenset())


def require_create(user: Any, model: type[Model]) -> None:
    if not can_create(user, model):
        raise PermissionDenied("この操作は許可されていません。")


def read(request: HttpRequest, model: type[M], pk: object, action: str = VIEW) -> M:
    """A view's way to open one personal record: checked for ``action``, and audited as a
    read when the page shows it (GET). A POST is audited by the action that writes."""
    from tomoni.audit.log import Action, record

    obj = get_for_user(request.user, model, pk, action)
    if request.method in ("GET", "HEAD"):
        record(Action.VIEW, request=request, obj=obj)
    return obj
