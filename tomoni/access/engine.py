"""The engine: turns the policy table and the registered relations into query filters.

Every view, action, export and report asks here. Importable before the app registry is ready
(no model imports): relations are looked up in ``registry`` and the audit recorder is bound by
``AccessConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from . import registry
from .policy import CREATE, DERIVED, DERIVED_ACTIONS, VIEW, rules_for

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from tomoni.audit.models import AuditEvent

# Whoever asks: a signed-in staff member, or the anonymous visitor (who gets nothing).
Viewer: TypeAlias = "AbstractBaseUser | AnonymousUser"
M = TypeVar("M", bound=Model)

# Primary keys are 64-bit; anything larger (or not a number) names no record.
MAX_PK = 2**63 - 1


class NotVisible(Http404):
    """The same answer for 'does not exist' and 'not yours': outsiders learn nothing.

    Carries the model and key so the 404 page can offer break-glass (緊急閲覧).
    """

    def __init__(self, label: str = "", pk: object = None) -> None:
        super().__init__("お探しの記録は存在しないか、閲覧する権限がありません。")
        self.label = label
        self.pk = pk


_audit: Callable[..., AuditEvent] | None = None


def bind_audit(record: Callable[..., AuditEvent]) -> None:
    """Called once by ``AccessConfig.ready``: the audit log's ``record``."""
    global _audit
    _audit = record


def label_of(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def role_of(user: Viewer | None) -> str | None:
    """The user's role, or None for the anonymous visitor and inactive accounts."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    role = getattr(user, "role", None)
    return str(role) if role else None


def grant_filter(user: Viewer | None, model: type[Model], action: str) -> Q | None:
    """The OR of every rule granting ``action`` on ``model`` to the user; None if none does.

    An empty ``Q()`` means every record (the relation "any")."""
    role = role_of(user)
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
        parents = parent._default_manager.filter(parent_q)
        if FEW_CANDIDATES.get():  # the parent of each row by its key: see few_candidates()
            return Q(Exists(parents.filter(pk=OuterRef(field))))
        return Q(**{f"{field}__in": parents.values("pk")})
    combined: Q | None = None
    for rule in rules_for(label, role, action):
        q = registry.filter_of(label, rule.relation)(user)  # type: ignore[arg-type]
        if not q:  # relation "any": no filter at all
            return Q()
        combined = q if combined is None else combined | q
    return combined


FEW_CANDIDATES: ContextVar[bool] = ContextVar("few_candidates", default=False)


@contextmanager
def few_candidates() -> Iterator[None]:
    """Querysets built inside test each candidate row's parent by its key (a correlated
    EXISTS) instead of listing every visible parent (IN) — the same rows either way (the
    parent is a foreign key; NULL matches neither form): a derived record's parent
    (``DERIVED``) and a note's case or consultation (``relations._on_visible``). For a query
    already narrowed to a few rows — one case's team, plans or notes — the IN made PostgreSQL
    hash every visible case or consultation first (0.3 s for an agency worker's case page at
    data set L); for a wide one, the full-text search over notes, IN is 2-3× faster, so it
    stays the default."""
    token = FEW_CANDIDATES.set(True)
    try:
        yield
    finally:
        FEW_CANDIDATES.reset(token)


def for_action(user: Viewer | None, model: type[M], action: str) -> QuerySet[M]:
    """Every record of ``model`` the user may do ``action`` to."""
    q = grant_filter(user, model, action)
    manager = model._default_manager
    if q is None:
        return manager.none()
    return manager.filter(q) if q else manager.all()


def visible(user: Viewer | None, model: type[M]) -> QuerySet[M]:
    """Every record of ``model`` the user may see."""
    return for_action(user, model, VIEW)


def parse_pk(value: object) -> int:
    """A primary key from a URL or a form, or NotVisible: never a 500 for a strange id."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise NotVisible()
    pk = int(text)
    if not 0 < pk <= MAX_PK:
        raise NotVisible()
    return pk


def get_for_user(
    user: Viewer | None,
    model: type[M],
    pk: object,
    action: str = VIEW,
    *,
    queryset: QuerySet[M] | None = None,
) -> M:
    """The record if the user may act on it; otherwise 404 (403 if seen but read-only).

    ``queryset`` (of ``model``) adds what the page needs (``select_related`` …) so the record
    is loaded once; the policy's filter is applied on top of it."""
    key = parse_pk(pk)
    base = visible(user, model)
    if queryset is not None:
        base = queryset & base
    obj = base.filter(pk=key).first()
    if obj is None:
        raise NotVisible(label_of(model), key)
    if action != VIEW:
        require(user, action, obj)
    return obj


def can(user: Viewer | None, action: str, obj: Model) -> bool:
    model = type(obj)
    q = grant_filter(user, model, action)
    if q is None:
        return False
    if not q:
        return True
    return model._default_manager.filter(q, pk=obj.pk).exists()


def require(user: Viewer | None, action: str, obj: Model) -> None:
    """Raise unless the user may do ``action``: 403 if they can at least see it, else 404."""
    if can(user, action, obj):
        return
    if action != VIEW and can(user, VIEW, obj):
        raise PermissionDenied("この操作は許可されていません。")
    raise NotVisible(label_of(type(obj)), obj.pk)


def has_scope(user: Viewer | None, model: type[Model]) -> bool:
    """Whether the role sees any records of ``model`` in its daily work (break-glass aside);
    decides whether search boxes and menus are offered at all."""
    role = role_of(user)
    if role is None:
        return False
    return any(r.relation != "break_glass" for r in rules_for(label_of(model), role, VIEW))


def can_create(user: Viewer | None, model: type[Model]) -> bool:
    role = role_of(user)
    return role is not None and role in CREATE.get(label_of(model), frozenset())


def require_create(user: Viewer | None, model: type[Model]) -> None:
    if not can_create(user, model):
        raise PermissionDenied("この操作は許可されていません。")


def read(
    request: HttpRequest,
    model: type[M],
    pk: object,
    action: str = VIEW,
    *,
    queryset: QuerySet[M] | None = None,
) -> M:
    """A view's way to open one personal record: checked for ``action``, and audited as a
    read when the page shows it (GET). A POST is audited by the action that writes."""
    obj = get_for_user(request.user, model, pk, action, queryset=queryset)
    if request.method in ("GET", "HEAD"):
        audit(request, obj)
    return obj


def audit(request: HttpRequest, obj: Model, **detail: Any) -> None:
    """Record that the page shows ``obj`` (a read)."""
    assert _audit is not None, "AccessConfig.ready() binds the audit recorder"
    _audit("view", request=request, obj=obj, detail=detail or None)
