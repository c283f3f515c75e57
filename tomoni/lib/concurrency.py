"""Two workers on the same record: the one shared way to notice and refuse a stale write.

A record a screen edits carries a ``version`` (``Versioned``). The page holds the version it
showed; the action re-reads the row under a lock (``lock``), and a version that moved in
between is a ``ConflictError`` — nothing is changed, the worker reads the newer state and may
try again. A write that changes what the page shows bumps the version (``bump``).

Used by the actions of cases, outreach, meetings, participation and intake (referrals).
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

__all__ = ["STALE", "ConflictError", "Versioned", "bump", "check_version", "lock"]

M = TypeVar("M", bound=models.Model)
V = TypeVar("V", bound="Versioned")

#: The default refusal; each app passes the words its screen needs.
STALE = "他の職員が更新しました。画面を読み込み直してください。"


class ConflictError(ValidationError):
    """Somebody else acted on the same record first; nothing was changed."""


class Versioned(models.Model):
    """A record edited from screens: ``version`` is the optimistic-lock counter, 1 when
    created and bumped by every change a page would show."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


@overload
def lock(obj: M) -> M: ...


@overload
def lock(obj: V, version: int | None, message: str = STALE) -> V: ...


def lock(obj: Any, version: int | None = None, message: str = STALE) -> Any:
    """Re-read ``obj`` under a row lock (inside the caller's transaction): two workers acting
    at once queue here, and the second one's checks see the first one's change.

    With the ``version`` the page showed (a ``Versioned`` record), a row that moved on since
    is refused with ``ConflictError(message)``; ``None`` compares nothing.

    The lock does not bump the version: only a change the page shows does (``bump``); a
    contact recorded on an アウトリーチ, say, leaves its open move form valid.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(locked, version, message)
    return locked


def check_version(obj: Versioned, version: int | None, message: str = STALE) -> None:
    """Refuse (``ConflictError(message)``) when the page's ``version`` is not the row's.
    ``None`` compares nothing. For an action that must refuse other things first."""
    if version is not None and version != obj.version:
        raise ConflictError(message)


def bump(obj: Versioned, *fields: str) -> None:
    """Save ``fields`` with the next version (counted by the database, so a bump made by a
    queryset update in the same transaction is not lost), then read the new number back."""
    obj.version = F("version") + 1
    obj.save(update_fields=[*fields, "version"])
    obj.refresh_from_db(fields=["version"])
